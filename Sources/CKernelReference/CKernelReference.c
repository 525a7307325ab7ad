#include "CKernelReference.h"
