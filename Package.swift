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
        .library(name: "TraceAnalysis", targets: ["TraceAnalysis"]),
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
        .target(name: "HDF5", dependencies: ["CHDF5", "Support"], exclude: ["README.md"]),
        /// Shared primitives: SplitMix64/xoshiro256** RNGs and binomial draws, FNV-1a hashing,
        /// byte-size and count parsing.
        .target(name: "Support", exclude: ["README.md"]),
        /// Circuit model (affine-parameterised gates), OpenQASM 2 and 3 (Qiskit subset) readers,
        /// Pauli observables, the reference QNN family.
        .target(name: "Circuits", exclude: ["README.md"]),
        /// Batched double-precision state-vector simulator with adjoint gradients.
        .target(name: "Simulator", dependencies: ["Circuits"], exclude: ["README.md"]),
        /// Circuit cutting: cut plans, QPD bases, fragment settings, reconstruction contraction.
        .target(name: "Cutting", dependencies: ["Support", "Circuits", "Simulator"], exclude: ["README.md"]),
        /// The one definition of traces.h5: schema name and versions, attributes, tables and their
        /// columns with units and descriptions. Shared by the writers and the reader.
        .target(name: "TraceSchema", exclude: ["README.md"]),
        /// The distributed estimator: plan broadcast, scheduled work units, MPI_Reduce stitching,
        /// stragglers, four-stage traces written to HDF5.
        .target(name: "Estimator", dependencies: ["Support", "MPI", "HDF5", "Circuits", "Simulator", "Cutting", "TraceSchema"],
                exclude: ["README.md"]),
        /// QNN training: datasets, models, optimisers, checkpoints, configs, robustness.
        .target(name: "QNN", dependencies: ["Support", "MPI", "HDF5", "Circuits", "Simulator", "Cutting", "Estimator",
                                            "TraceSchema", "CSupport", "CZlib", .product(name: "Yams", package: "Yams")],
                exclude: ["README.md"]),
        /// Offline trace analysis: reads traces.h5 files, groups runs by task and cut count, computes
        /// the tables (Markdown, CSV, JSON) and the SVG charts of `qnncut analyze`.
        .target(name: "TraceAnalysis", dependencies: ["HDF5", "TraceSchema"], exclude: ["README.md"]),
        /// Measured claims: kernels against C, the estimator's stage times, stragglers.
        .target(name: "Benchmarks", dependencies: ["Support", "MPI", "Circuits", "Simulator", "Cutting", "Estimator",
                                                   "CKernelReference"],
                exclude: ["README.md"]),
        /// The command-line tool: argument parsing and output for every command.
        .executableTarget(
            name: "qnncut",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                "Support", "MPI", "HDF5", "Circuits", "Simulator", "Cutting", "Estimator", "QNN", "TraceAnalysis",
                "Benchmarks", "CSupport",
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
        .testTarget(name: "SupportTests", dependencies: ["Support"]),
        .testTarget(name: "CuttingTests", dependencies: ["Cutting", "Simulator", "Circuits", "Support"]),
        .testTarget(name: "EstimatorTests", dependencies: ["Estimator", "Cutting", "Circuits"]),
        .testTarget(name: "QNNTests", dependencies: ["Support", "QNN", "Estimator", "Cutting", "Simulator", "Circuits", "TestSupport"]),
        .testTarget(name: "ReliabilityTests", dependencies: ["Support", "TestSupport", "HDF5", "Circuits", "QNN", "Estimator"]),
        .testTarget(name: "TraceAnalysisTests", dependencies: ["TraceAnalysis", "TraceSchema", "HDF5"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "HDF5", "TraceSchema"]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "Estimator", "MPI", "Circuits"]),
    ]
)
