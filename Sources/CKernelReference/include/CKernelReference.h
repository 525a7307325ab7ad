// CKernelReference: plain C state-vector loops compiled with -O3, the in-run reference that
// `qnncut bench kernels` compares the Swift kernels to. This module provides no stable Swift API.
//
// Layout (same as the Swift Simulator): interleaved complex doubles, batch index innermost;
// amplitude (basis index i, sample b) is amp[2(i*batch + b)] (re) and amp[2(i*batch + b) + 1]
// (im); qubit 0 is the least-significant bit of i. Matrices are packed row-major (re, im).
#ifndef CKERNELREFERENCE_H
#define CKERNELREFERENCE_H

/// amp <- M amp on qubit q. m: 8 doubles (shared by all samples) or 8*batch (per_sample != 0).
void ckr_apply_1q(double *amp, long dim, long batch, int q, const double *m, int per_sample);

/// amp <- M amp on qubits (q0, q1), local index bit(q0) + 2*bit(q1). m: 32 doubles (shared) or
/// 32*batch (per_sample != 0).
void ckr_apply_2q(double *amp, long dim, long batch, int q0, int q1, const double *m, int per_sample);

/// The reference QNN (RY(x) encoding; per layer RY(theta), RZ(theta) on every qubit and the CNOT
/// chain q0->q1->...), observable Z on qubit n-1, for `batch` samples sharing theta.
/// theta: 2*n*layers values, theta[(l*n + q)*2 + k]; x: batch*n values. values: batch outputs.
/// theta_grad (batch*2*n*layers) and x_grad (batch*n) receive adjoint gradients when not NULL
/// (both or neither). Returns 0, or -1 when memory allocation fails.
int ckr_qnn_evaluate(int n, int layers, long batch, const double *theta, const double *x,
                     double *values, double *theta_grad, double *x_grad);

#endif
