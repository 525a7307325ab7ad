// CKernelReference: plain C state-vector loops compiled with -O3, the in-run reference that
// `qnncut bench kernels` compares the Swift kernels to. This module provides no stable Swift API.
#ifndef CKERNELREFERENCE_H
#define CKERNELREFERENCE_H
#endif
