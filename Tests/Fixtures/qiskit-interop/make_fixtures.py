"""Circuits written by Qiskit itself, for `qnncut estimate` / `train` interop tests.

Run with Qiskit installed (python3 -m venv /tmp/qenv && /tmp/qenv/bin/pip install qiskit):

    /tmp/qenv/bin/python Tests/Fixtures/qiskit-interop/make_fixtures.py

Writes, next to this script:
  qnn.qasm3            a 4-qubit QNN with ParameterVector x (inputs), ParameterVector theta and a
                       Parameter phi (trainable), barriers and measure_all(), by qasm3.dumps
  qnn_bound.qasm2      the same circuit with every parameter bound, by qasm2.dumps (final
                       measurements in OpenQASM 2)
  observable.txt       a SparsePauliOp, one 'LABEL COEFFICIENT' line per term (op.to_list())
  expected.json        theta (in Qiskit's circuit.parameters order, inputs left out), the input
                       rows, and per row the Statevector expectation value of the observable and
                       of Z on qubit 3, with central-difference gradients in theta and x
The tests need none of this software: the outputs are committed.
"""
import json
import pathlib
import platform

import numpy as np
import qiskit
from qiskit import QuantumCircuit, qasm2, qasm3
from qiskit.circuit import Parameter, ParameterVector
from qiskit.quantum_info import SparsePauliOp, Statevector

HERE = pathlib.Path(__file__).resolve().parent
N = 4


def build():
    x = ParameterVector("x", N)
    theta = ParameterVector("theta", 2 * N)
    phi = Parameter("phi")
    qc = QuantumCircuit(N)
    for q in range(N):
        qc.ry(x[q], q)
    qc.barrier()
    for q in range(N):
        qc.ry(theta[q], q)
    for q in range(N - 1):
        qc.cx(q, q + 1)
    qc.rzz(phi, 0, 3)
    for q in range(N):
        qc.rx(0.5 * theta[N + q] + 0.25, q)
    qc.u(0.3, 0.2, 0.1, 2)
    qc.cz(1, 2)
    qc.rz(x[0] - 0.5, 1)
    qc.measure_all()
    return qc


def expectation(qc, observable, binding):
    bound = qc.remove_final_measurements(inplace=False).assign_parameters(binding)
    return float(np.real(Statevector(bound).expectation_value(observable)))


def main():
    qc = build()
    rng = np.random.default_rng(20261204)
    params = list(qc.parameters)  # Qiskit's order: phi, theta[0..7], x[0..3]
    trainable = [p for p in params if not p.name.startswith("x[")]
    inputs = [p for p in params if p.name.startswith("x[")]
    theta_values = rng.uniform(-np.pi, np.pi, len(trainable)).tolist()
    rows = rng.uniform(0, np.pi, (3, len(inputs))).tolist()
    op = SparsePauliOp.from_list([("ZZII", 0.5), ("IIIZ", -0.3), ("XIYZ", 0.2), ("IYYI", 0.1)])
    z3 = SparsePauliOp.from_list([("ZIII", 1.0)])
    h = 1e-5
    cases = []
    for row in rows:
        binding = dict(zip(trainable, theta_values)) | dict(zip(inputs, row))
        entry = {"x": row, "values": {}, "gradients": {}}
        for name, obs in (("observable.txt", op), ("Z3", z3)):
            entry["values"][name] = expectation(qc, obs, binding)
            grads = {}
            for label, group in (("theta", trainable), ("x", inputs)):
                g = []
                for p in group:
                    up = dict(binding); up[p] = binding[p] + h
                    down = dict(binding); down[p] = binding[p] - h
                    g.append((expectation(qc, obs, up) - expectation(qc, obs, down)) / (2 * h))
                grads[label] = g
            entry["gradients"][name] = grads
        cases.append(entry)

    (HERE / "qnn.qasm3").write_text(qasm3.dumps(qc))
    bound = qc.assign_parameters(dict(zip(trainable, theta_values)) | dict(zip(inputs, rows[0])))
    (HERE / "qnn_bound.qasm2").write_text(qasm2.dumps(bound))
    (HERE / "observable.txt").write_text(
        "# SparsePauliOp.to_list(): Qiskit labels (rightmost letter = qubit 0), real coefficients\n"
        + "".join(f"{label} {coefficient.real}\n" for label, coefficient in op.to_list()))
    (HERE / "expected.json").write_text(json.dumps({
        "generator": "Tests/Fixtures/qiskit-interop/make_fixtures.py",
        "versions": {"python": platform.python_version(), "qiskit": qiskit.__version__, "numpy": np.__version__},
        "parameters": [p.name for p in params],
        "theta_names": [p.name for p in trainable],
        "input_names": [p.name for p in inputs],
        "theta": theta_values,
        "gradient_step": h,
        "rows": cases,
    }, indent=1) + "\n")


if __name__ == "__main__":
    main()
