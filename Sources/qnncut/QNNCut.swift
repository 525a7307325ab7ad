/// The `qnncut` command: the entry point a newcomer should read first.
///
/// Every subcommand that talks to other ranks runs its body inside `MPIJob.run` (Support/MPIJob.swift),
/// which initialises MPI, turns errors into one clear line and a non-zero exit, and finalizes.
import ArgumentParser

struct QNNCut: ParsableCommand {
    /// Keep in step with the docs (0.2: OpenQASM 3 input, predict, the predictor in checkpoints,
    /// gradient_shots in traces).
    static let version = "0.2.0"

    static let configuration = CommandConfiguration(
        commandName: "qnncut",
        abstract: "Distributed estimation and training of quantum neural networks through circuit cutting.",
        discussion: """
            Examples:
              mpirun -np 4 qnncut train configs/iris.yaml
              mpirun -np 4 qnncut estimate c.qasm --observable Z7 --max-fragment-qubits 4
              qnncut analyze results/iris/traces.h5
              qnncut predict results/iris/checkpoint.h5 results/iris/test.csv

            Run under mpirun to use several ranks; without mpirun every command runs as a single-rank job. As root on a workstation, source scripts/env.sh first. Shell completion: qnncut --generate-completion-script bash (or zsh, fish); see the README.
            """,
        version: version,
        subcommands: [Info.self, Estimate.self, Export.self, Reconstruct.self, Train.self, Predict.self, Analyze.self, Bench.self,
                      MPISelftest.self, CheckpointSelftest.self, HDF5WriterSelftest.self, ReadSelftest.self])
}
