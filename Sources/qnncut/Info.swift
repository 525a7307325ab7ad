/// `qnncut info`: versions of qnncut, MPI and HDF5, the world size and the hosts of the job.
/// Under mpirun every rank contributes its host name; rank 0 alone prints.
import ArgumentParser
import Foundation
import HDF5
import MPI

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print qnncut, MPI and HDF5 versions, the world size and the hosts.")

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    struct Report: Codable {
        var qnncut_version: String
        var mpi_library: String
        var mpi_standard: String
        var world_size: Int
        var hdf5_version: String
        var hosts: [String]
        var ranks_per_host: [String: Int]
    }

    func run() throws {
        MPIJob.run { world in
            let host = try MPI.processorName()
            let hosts = try world.gather(host)  // rank order
            guard world.isRoot, let hosts else { return }
            let standard = try MPI.standardVersion()
            var perHost: [String: Int] = [:]
            for h in hosts { perHost[h, default: 0] += 1 }
            let report = Report(
                qnncut_version: QNNCut.version,
                mpi_library: try MPI.libraryVersion(),
                mpi_standard: "\(standard.major).\(standard.minor)",
                world_size: world.size,
                hdf5_version: try HDF5.Library.versionString(),
                hosts: Array(Set(hosts)).sorted(),
                ranks_per_host: perHost)
            if json {
                try JSONOutput.print(report)
            } else {
                print("qnncut \(report.qnncut_version)")
                print("MPI:    \(report.mpi_library) (standard \(report.mpi_standard))")
                print("HDF5:   \(report.hdf5_version)")
                print("world:  \(report.world_size) rank(s)")
                for h in report.hosts { print("host:   \(h) (\(perHost[h] ?? 0) rank(s))") }
            }
        }
    }
}
