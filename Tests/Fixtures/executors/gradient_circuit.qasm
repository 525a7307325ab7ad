OPENQASM 2.0;
include "qelib1.inc";
qreg q[4];
ry(x[0]) q[0]; ry(x[1]) q[1]; ry(x[2]) q[2]; ry(x[3]) q[3];
rz(theta[0]) q[0]; ry(theta[1]) q[1]; ry(theta[2]) q[2]; rx(theta[3]) q[3];
cx q[0],q[1]; cx q[1],q[2]; ry(0.5*theta[4] + 0.1) q[2]; rzz(theta[5]) q[1],q[2];
h q[0]; cx q[2],q[3]; crz(theta[6]) q[2],q[3];
