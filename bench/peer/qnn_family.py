"""The reference QNN family in Qiskit, gate for gate as Sources/Simulator/ReferenceQNN.swift and
Tests/Fixtures/README.md ("The reference QNN family") build it.

RY(x_q) encoding on every qubit; then per layer RY(theta[l][q][0]), RZ(theta[l][q][1]) on every
qubit and the CNOT chain q0->q1, ..., q(n-2)->q(n-1), whose boundary CNOT q(h-1)->q(h), h = n // 2,
is kept only in the first `crossing_layers` layers, so exactly that many CNOTs cross A|B.
"""

from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector


def build_qnn(n: int, layers: int, crossing_layers: int):
    """Return (circuit, x, theta): the parameterised circuit and its parameter vectors.

    `theta` is laid out as ReferenceQNN.thetaIndex: index (l * n + q) * 2 + k.
    """
    h = n // 2
    x = ParameterVector("x", n)
    theta = ParameterVector("theta", 2 * n * layers)
    circuit = QuantumCircuit(n)
    for q in range(n):
        circuit.ry(x[q], q)
    for layer in range(layers):
        for q in range(n):
            circuit.ry(theta[(layer * n + q) * 2 + 0], q)
            circuit.rz(theta[(layer * n + q) * 2 + 1], q)
        for q in range(n - 1):
            if q != h - 1 or layer < crossing_layers:
                circuit.cx(q, q + 1)
    return circuit, x, theta


def last_qubit_z_label(n: int) -> str:
    """Qiskit (little-endian) label of Z on qubit n-1: the leftmost character."""
    return "Z" + "I" * (n - 1)


def partition_labels(n: int) -> str:
    """Partition of qubit q is character q: A = q0..q(h-1), B = qh..q(n-1)."""
    h = n // 2
    return "A" * h + "B" * (n - h)
