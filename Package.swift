// swift-tools-version:6.0
//
// DistributedEstimator: train QNNs on circuits too wide for one device by cutting them into
// fragments, simulating the fragments' sub-experiments on MPI ranks, stitching the results with
// MPI_Reduce, and writing traces and checkpoints to HDF5. See ../README.md and docs/.
import PackageDescription

let package = Package(
    name: "DistributedEstimator",
    products: [
        .executable(name: "qnncut", targets: ["qnncut"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // MARK: - Public API

        /// mpi4py-shaped Swift access to MPI: world, rank, bcast, reduce, gatherv, send/recv.
        .target(name: "MPI", dependencies: ["CMPI"], exclude: ["README.md"]),
        /// h5py-shaped Swift access to HDF5: File, Group, Dataset, attributes, compound tables.
        .target(name: "HDF5", dependencies: ["CHDF5"], exclude: ["README.md"]),
        /// Circuit model (affine-parameterised gates), OpenQASM 2 reader, Pauli observables.
        .target(name: "Circuits", exclude: ["README.md"]),
        /// Batched double-precision state-vector simulator with adjoint gradients.
        .target(name: "Simulator", dependencies: ["Circuits"], exclude: ["README.md"]),
        /// Circuit cutting: cut plans, QPD bases, fragment settings, reconstruction contraction.
        .target(name: "Cutting", dependencies: ["Circuits", "Simulator"], exclude: ["README.md"]),
        /// The distributed estimator: plan broadcast, scheduled work units, MPI_Reduce stitching,
        /// stragglers, four-stage traces written to HDF5.
        .target(name: "Estimator", dependencies: ["MPI", "HDF5", "Circuits", "Simulator", "Cutting"],
                exclude: ["README.md"]),
        /// QNN training: datasets, models, optimisers, checkpoints, configs, robustness.
        .target(name: "QNN", dependencies: ["MPI", "HDF5", "Circuits", "Simulator", "Cutting", "Estimator", "CZlib",
                                            .product(name: "Yams", package: "Yams")],
                exclude: ["README.md"]),
        /// The command-line tool: info, estimate, train, analyze, bench.
        .executableTarget(
            name: "qnncut",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                "MPI", "HDF5", "Circuits", "Simulator", "Cutting", "Estimator", "QNN", "CSupport", "CKernelReference",
            ]),

        // MARK: - Implementation details

        /// OpenMPI headers plus static-inline accessors for the handle macros Swift cannot import.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi", providers: [.apt(["libopenmpi-dev"])]),
        /// HDF5 headers plus static-inline accessors for the type/flag macros Swift cannot import.
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        /// zlib headers plus an inline wrapper for the inflateInit2 macro (gzip datasets, read directly).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        /// stdio details Swift 6 cannot reach (line-buffering stdout/stderr).
        .target(name: "CSupport"),
        /// Plain C state-vector loops: the in-run reference that `qnncut bench kernels` compares to.
        .target(name: "CKernelReference", cSettings: [.unsafeFlags(["-O3"])]),

        // MARK: - Tests

        /// Child processes (posix_spawn, no SIGCHLD reliance), fixture paths, child environments.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "MPITests", dependencies: ["MPI"]),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "TestSupport"]),
        .testTarget(name: "CircuitsTests", dependencies: ["Circuits", "TestSupport"]),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator", "Circuits", "TestSupport"]),
        .testTarget(name: "CuttingTests", dependencies: ["Cutting", "Simulator", "Circuits"]),
        .testTarget(name: "EstimatorTests", dependencies: ["Estimator", "Cutting", "Circuits"]),
        .testTarget(name: "QNNTests", dependencies: ["QNN", "Estimator", "Cutting", "Simulator", "Circuits", "TestSupport"]),
        .testTarget(name: "ReliabilityTests", dependencies: ["TestSupport", "HDF5", "Circuits", "QNN", "Estimator"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "HDF5"]),
    ]
)
