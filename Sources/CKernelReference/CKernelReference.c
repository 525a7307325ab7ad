// Plain C reference loops for the benchmark (see include/CKernelReference.h).
#include "CKernelReference.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

void ckr_apply_1q(double *amp, long dim, long batch, int q, const double *m, int per_sample) {
    long stride = 1L << q;
    if (!per_sample) {   // one matrix: the textbook single-state loop over pairs (j, j + half)
        long half = stride * batch, total = dim * batch;
        double m0r = m[0], m0i = m[1], m1r = m[2], m1i = m[3], m2r = m[4], m2i = m[5], m3r = m[6], m3i = m[7];
        for (long base = 0; base < total; base += 2 * half) {
            double *restrict lo = amp + 2 * base, *restrict hi = lo + 2 * half;   // disjoint halves
            for (long j = 0; j < half; j++) {
                double a0r = lo[2 * j], a0i = lo[2 * j + 1], a1r = hi[2 * j], a1i = hi[2 * j + 1];
                lo[2 * j]     = m0r * a0r - m0i * a0i + m1r * a1r - m1i * a1i;
                lo[2 * j + 1] = m0r * a0i + m0i * a0r + m1r * a1i + m1i * a1r;
                hi[2 * j]     = m2r * a0r - m2i * a0i + m3r * a1r - m3i * a1i;
                hi[2 * j + 1] = m2r * a0i + m2i * a0r + m3r * a1i + m3i * a1r;
            }
        }
        return;
    }
    for (long base = 0; base < dim; base += 2 * stride) {
        for (long i = base; i < base + stride; i++) {
            double *restrict r0 = amp + 2 * i * batch, *restrict r1 = amp + 2 * (i + stride) * batch;
            for (long b = 0; b < batch; b++) {   // per-sample matrices, batch innermost
                const double *u = m + 8 * b;
                double a0r = r0[2 * b], a0i = r0[2 * b + 1], a1r = r1[2 * b], a1i = r1[2 * b + 1];
                r0[2 * b]     = u[0] * a0r - u[1] * a0i + u[2] * a1r - u[3] * a1i;
                r0[2 * b + 1] = u[0] * a0i + u[1] * a0r + u[2] * a1i + u[3] * a1r;
                r1[2 * b]     = u[4] * a0r - u[5] * a0i + u[6] * a1r - u[7] * a1i;
                r1[2 * b + 1] = u[4] * a0i + u[5] * a0r + u[6] * a1i + u[7] * a1r;
            }
        }
    }
}

void ckr_apply_2q(double *amp, long dim, long batch, int q0, int q1, const double *m, int per_sample) {
    long lo = q0 < q1 ? q0 : q1, hi = q0 < q1 ? q1 : q0;
    long b0 = 1L << q0, b1 = 1L << q1;
    for (long i = 0; i < dim; i++) {
        if (i & ((1L << lo) | (1L << hi))) continue;
        double *r[4] = {amp + 2 * i * batch, amp + 2 * (i | b0) * batch, amp + 2 * (i | b1) * batch,
                        amp + 2 * (i | b0 | b1) * batch};
        for (long b = 0; b < batch; b++) {
            const double *u = per_sample ? m + 32 * b : m;
            double ar[4], ai[4];
            for (int k = 0; k < 4; k++) { ar[k] = r[k][2 * b]; ai[k] = r[k][2 * b + 1]; }
            for (int row = 0; row < 4; row++) {
                const double *w = u + 8 * row;
                double sr = 0, si = 0;
                for (int k = 0; k < 4; k++) {
                    sr += w[2 * k] * ar[k] - w[2 * k + 1] * ai[k];
                    si += w[2 * k] * ai[k] + w[2 * k + 1] * ar[k];
                }
                r[row][2 * b] = sr;
                r[row][2 * b + 1] = si;
            }
        }
    }
}

// ---- The QNN: a fixed op list, forward and adjoint backward. ----

enum { OP_RY, OP_RZ, OP_CX };
typedef struct { int kind, q, t, param, input; } qnn_op;   // param/input: index or -1

static void diag_1q(double *amp, long dim, long batch, int q, const double *d, int per_sample) {
    long stride = 1L << q;
    for (long i = 0; i < dim; i++) {
        int bit = (i & stride) != 0;
        double *r = amp + 2 * i * batch;
        for (long b = 0; b < batch; b++) {
            const double *u = (per_sample ? d + 4 * b : d) + 2 * bit;
            double ar = r[2 * b], ai = r[2 * b + 1];
            r[2 * b] = u[0] * ar - u[1] * ai;
            r[2 * b + 1] = u[0] * ai + u[1] * ar;
        }
    }
}

static void cx(double *amp, long dim, long batch, int c, int t) {
    long cb = 1L << c, tb = 1L << t;
    for (long i = 0; i < dim; i++) {
        if ((i & cb) && !(i & tb)) {
            double *p = amp + 2 * i * batch, *r = amp + 2 * (i | tb) * batch;
            for (long k = 0; k < 2 * batch; k++) { double s = p[k]; p[k] = r[k]; r[k] = s; }
        }
    }
}

// sum_b[b] += Re sum conj(lambda) (D psi) on qubit q, D 2x2 packed per sample.
static void element_1q(const double *lam, const double *psi, long dim, long batch, int q, const double *d, double *acc) {
    long stride = 1L << q;
    for (long base = 0; base < dim; base += 2 * stride) {
        for (long i = base; i < base + stride; i++) {
            long o0 = 2 * i * batch, o1 = 2 * (i + stride) * batch;
            for (long b = 0; b < batch; b++) {
                const double *u = d + 8 * b;
                double a0r = psi[o0 + 2 * b], a0i = psi[o0 + 2 * b + 1], a1r = psi[o1 + 2 * b], a1i = psi[o1 + 2 * b + 1];
                double m0r = u[0] * a0r - u[1] * a0i + u[2] * a1r - u[3] * a1i;
                double m0i = u[0] * a0i + u[1] * a0r + u[2] * a1i + u[3] * a1r;
                double m1r = u[4] * a0r - u[5] * a0i + u[6] * a1r - u[7] * a1i;
                double m1i = u[4] * a0i + u[5] * a0r + u[6] * a1i + u[7] * a1r;
                acc[b] += lam[o0 + 2 * b] * m0r + lam[o0 + 2 * b + 1] * m0i + lam[o1 + 2 * b] * m1r + lam[o1 + 2 * b + 1] * m1i;
            }
        }
    }
}

// Fill per-sample matrices of one op: forward U, inverse U^dagger, derivative dU (2x2 dense).
static void op_matrices(const qnn_op *op, int n, long batch, const double *theta, const double *x,
                        double *fwd, double *inv, double *der) {
    for (long b = 0; b < batch; b++) {
        double a = op->param >= 0 ? theta[op->param] : x[b * n + op->input];
        double c = cos(a / 2), s = sin(a / 2);
        if (op->kind == OP_RY) {
            double u[8] = {c, 0, -s, 0, s, 0, c, 0}, v[8] = {c, 0, s, 0, -s, 0, c, 0};
            double w[8] = {-s / 2, 0, -c / 2, 0, c / 2, 0, -s / 2, 0};
            memcpy(fwd + 8 * b, u, sizeof u); memcpy(inv + 8 * b, v, sizeof v); memcpy(der + 8 * b, w, sizeof w);
        } else {   // RZ: diag(e^{-ia/2}, e^{ia/2}); fwd/inv packed as diagonals (4 doubles)
            double u[4] = {c, -s, c, s}, v[4] = {c, s, c, -s};
            double w[8] = {-s / 2, -c / 2, 0, 0, 0, 0, -s / 2, c / 2};
            memcpy(fwd + 4 * b, u, sizeof u); memcpy(inv + 4 * b, v, sizeof v); memcpy(der + 8 * b, w, sizeof w);
        }
    }
}

static void apply_op(const qnn_op *op, double *amp, long dim, long batch, const double *m) {
    int per_sample = op->input >= 0;
    if (op->kind == OP_CX) cx(amp, dim, batch, op->q, op->t);
    else if (op->kind == OP_RY) ckr_apply_1q(amp, dim, batch, op->q, m, per_sample);
    else diag_1q(amp, dim, batch, op->q, m, per_sample);
}

int ckr_qnn_evaluate(int n, int layers, long batch, const double *theta, const double *x,
                     double *values, double *theta_grad, double *x_grad) {
    long dim = 1L << n, len = 2 * dim * batch;
    int nops = n + layers * (3 * n - 1), k = 0;
    qnn_op *ops = malloc(sizeof(qnn_op) * nops);
    double *psi = calloc(len, sizeof(double)), *lam = theta_grad ? calloc(len, sizeof(double)) : NULL;
    double *fwd = malloc(sizeof(double) * 8 * batch * nops), *inv = malloc(sizeof(double) * 8 * batch * nops);
    double *der = malloc(sizeof(double) * 8 * batch * nops), *acc = malloc(sizeof(double) * batch);
    if (!ops || !psi || (theta_grad && !lam) || !fwd || !inv || !der || !acc) {
        free(ops); free(psi); free(lam); free(fwd); free(inv); free(der); free(acc);
        return -1;
    }
    for (int q = 0; q < n; q++) ops[k++] = (qnn_op){OP_RY, q, 0, -1, q};
    for (int l = 0; l < layers; l++) {
        for (int q = 0; q < n; q++) {
            ops[k++] = (qnn_op){OP_RY, q, 0, (l * n + q) * 2, -1};
            ops[k++] = (qnn_op){OP_RZ, q, 0, (l * n + q) * 2 + 1, -1};
        }
        for (int q = 0; q + 1 < n; q++) ops[k++] = (qnn_op){OP_CX, q, q + 1, -1, -1};
    }
    for (k = 0; k < nops; k++) {
        if (ops[k].kind == OP_CX) continue;
        long nb = ops[k].input >= 0 ? batch : 1;
        op_matrices(&ops[k], n, nb, theta, x, fwd + 8 * batch * k, inv + 8 * batch * k, der + 8 * batch * k);
    }
    for (long b = 0; b < batch; b++) psi[2 * b] = 1;
    for (k = 0; k < nops; k++) apply_op(&ops[k], psi, dim, batch, fwd + 8 * batch * k);
    // <Z_{n-1}> and lambda = Z_{n-1} psi
    for (long b = 0; b < batch; b++) values[b] = 0;
    for (long i = 0; i < dim; i++) {
        double sign = (i >> (n - 1)) & 1 ? -1.0 : 1.0;
        for (long b = 0; b < batch; b++) {
            long o = 2 * (i * batch + b);
            values[b] += sign * (psi[o] * psi[o] + psi[o + 1] * psi[o + 1]);
            if (lam) { lam[o] = sign * psi[o]; lam[o + 1] = sign * psi[o + 1]; }
        }
    }
    if (theta_grad) {
        int p = 2 * n * layers;
        memset(theta_grad, 0, sizeof(double) * batch * p);
        memset(x_grad, 0, sizeof(double) * batch * n);
        for (k = nops - 1; k >= 0; k--) {
            const qnn_op *op = &ops[k];
            apply_op(op, psi, dim, batch, inv + 8 * batch * k);
            if (op->kind != OP_CX) {
                long nb = op->input >= 0 ? batch : 1;
                double *d = der + 8 * batch * k;
                for (long b = nb; b < batch; b++) memcpy(d + 8 * b, d, 8 * sizeof(double));  // shared -> per sample
                memset(acc, 0, sizeof(double) * batch);
                element_1q(lam, psi, dim, batch, op->q, d, acc);
                for (long b = 0; b < batch; b++) {
                    if (op->param >= 0) theta_grad[b * p + op->param] += 2 * acc[b];
                    else x_grad[b * n + op->input] += 2 * acc[b];
                }
            }
            if (k > 0) apply_op(op, lam, dim, batch, inv + 8 * batch * k);
        }
    }
    free(ops); free(psi); free(lam); free(fwd); free(inv); free(der); free(acc);
    return 0;
}
