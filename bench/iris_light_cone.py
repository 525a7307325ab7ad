#!/usr/bin/env python3
"""Which angles of configs/iris.yaml's circuit have an identically zero gradient of <Z3>?
An independent check of the dead-parameter warning (docs/training.md): a numpy state vector of
the reference family (RY(x) encoding; per layer RY(θ), RZ(θ) on every qubit, then the CNOT chain
q0→q1→q2→q3 whose boundary CNOT q1→q2 is kept only in the first `cuts` layers; θ index
(l·n + q)·2 + k), central differences at 5 random (θ, x).

    python3 bench/iris_light_cone.py     # prints: 12 [9, 11, 16, 17, 18, 19, 24, 25, 26, 27, 29, 31]

The light cone explains 16–19 and 24–27 (what `qnncut train configs/iris.yaml` warns about);
9, 11, 29 and 31 are RZ angles that commute with the readout carried back through the CNOTs.
"""
import numpy as np
n, L, cuts = 4, 4, 2
def ry(t): c,s=np.cos(t/2),np.sin(t/2); return np.array([[c,-s],[s,c]],complex)
def rz(t): return np.diag([np.exp(-1j*t/2),np.exp(1j*t/2)])
def apply1(psi,U,q):
    psi=psi.reshape([2]*n); psi=np.moveaxis(psi,q,0); psi=np.tensordot(U,psi,1); return np.moveaxis(psi,0,q).reshape(-1)
def cx(psi,c,t):
    psi=psi.reshape([2]*n).copy(); idx=[slice(None)]*n; idx[c]=1; sub=psi[tuple(idx)]
    tt = t if t<c else t-1
    psi[tuple(idx)]=np.flip(sub,axis=tt); return psi.reshape(-1)
def expZ3(theta,x):
    psi=np.zeros(2**n,complex); psi[0]=1
    for q in range(n): psi=apply1(psi,ry(x[q]),q)
    for l in range(L):
        for q in range(n):
            psi=apply1(psi,ry(theta[(l*n+q)*2]),q); psi=apply1(psi,rz(theta[(l*n+q)*2+1]),q)
        for q in range(n-1):
            if q==n//2-1 and l>=cuts: continue
            psi=cx(psi,q,q+1)
    p=np.abs(psi.reshape([2]*n))**2
    return p[...,0].sum()-p[...,1].sum()
rng=np.random.default_rng(1)
dead=set(range(32))
for trial in range(5):
    th=rng.uniform(-3,3,32); x=rng.uniform(0,3.2,4)
    for i in range(32):
        e=np.zeros(32); e[i]=1e-4
        g=(expZ3(th+e,x)-expZ3(th-e,x))/2e-4
        if abs(g)>1e-9: dead.discard(i)
print(len(dead), sorted(dead))
