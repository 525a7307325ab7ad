"""The reference QNN family (bench/peer/qnn_family.py) as OpenQASM 2 text with x[q] and theta[i]
parameters (qnncut's parameterised QASM), without Qiskit."""


def qnn_qasm(n, layers, crossing_layers):
    h = n // 2
    lines = ["OPENQASM 2.0;", 'include "qelib1.inc";', f"qreg q[{n}];"]
    lines += [f"ry(x[{q}]) q[{q}];" for q in range(n)]
    for layer in range(layers):
        for q in range(n):
            lines.append(f"ry(theta[{(layer * n + q) * 2}]) q[{q}];")
            lines.append(f"rz(theta[{(layer * n + q) * 2 + 1}]) q[{q}];")
        for q in range(n - 1):
            if q != h - 1 or layer < crossing_layers:
                lines.append(f"cx q[{q}],q[{q + 1}];")
    return "\n".join(lines) + "\n"
