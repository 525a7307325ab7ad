/// Checkpoints crafted with the HDF5 C API the way an attacker (or a confused copy) would: θ whose
/// bytes live in another file (external raw storage, a virtual dataset, an external link), θ
/// behind a soft link, θ declaring 2^40 elements, the digest attribute removed. Each keeps the
/// values and digest of the original wherever it can, so that only the new check can refuse it:
/// if the check regressed, the crafted file would resume silently and the case would fail.
import CHDF5
import Foundation
import HDF5
@testable import QNN

enum CraftedHDF5 {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func check(_ status: Int32, _ what: String) throws {
        if status < 0 { throw Failure(description: "crafting failed at \(what)") }
    }

    static func check(_ id: hid_t, _ what: String) throws -> hid_t {
        if id < 0 { throw Failure(description: "crafting failed at \(what)") }
        return id
    }

    /// Opens `path` read-write with the C API, runs `body` with the file id, closes, and seals
    /// the result again when it was sealed (a crafted file would carry a valid seal too).
    static func edit(_ path: String, _ body: (hid_t) throws -> Void) throws {
        chdf5_silence_errors()
        let sealed = (try? FileSeal.verify(path, maxBytes: 1 << 30)) == .sealed
        let file = try check(H5Fopen(path, chdf5_acc_rdwr(), chdf5_p_default()), "H5Fopen")
        do { try body(file) } catch { H5Fclose(file); throw error }
        H5Fclose(file)
        if sealed { try FileSeal.seal(path) }
    }

    /// A 1-D float64 dataset `name` in `file` with `values` and an optional creation list.
    static func writeVector(_ file: hid_t, _ name: String, _ values: [Double], dcpl: hid_t = chdf5_p_default(),
                            write: Bool = true) throws {
        var dims = [hsize_t(values.count)]
        let space = try check(H5Screate_simple(1, &dims, nil), "H5Screate_simple")
        defer { H5Sclose(space) }
        let dataset = try check(H5Dcreate2(file, name, chdf5_ieee_f64le(), space, chdf5_p_default(), dcpl, chdf5_p_default()), "H5Dcreate2")
        defer { H5Dclose(dataset) }
        if write {
            try check(H5Dwrite(dataset, chdf5_native_double(), chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), values), "H5Dwrite")
        }
    }

    /// θ's bytes in a separate raw file (`theta.bin`), the dataset pointing at it.
    static func externalStorage(_ path: String, theta: [Double]) throws {
        let raw = (path as NSString).deletingLastPathComponent + "/theta.bin"
        try theta.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: raw)) }
        try edit(path) { file in
            try check(H5Ldelete(file, "theta", chdf5_p_default()), "H5Ldelete")
            let dcpl = try check(H5Pcreate(chdf5_p_dataset_create()), "H5Pcreate")
            defer { H5Pclose(dcpl) }
            try check(H5Pset_external(dcpl, raw, 0, hsize_t(theta.count * 8)), "H5Pset_external")
            try writeVector(file, "theta", theta, dcpl: dcpl)
        }
    }

    /// θ moved to `/elsewhere`, `theta` a soft link to it.
    static func softLink(_ path: String) throws {
        try edit(path) { file in
            try check(H5Lmove(file, "theta", file, "elsewhere", chdf5_p_default(), chdf5_p_default()), "H5Lmove")
            try check(H5Lcreate_soft("/elsewhere", file, "theta", chdf5_p_default(), chdf5_p_default()), "H5Lcreate_soft")
        }
    }

    /// `other.h5` holding θ, and `theta` an external link into it.
    static func externalLink(_ path: String, theta: [Double]) throws {
        let other = try otherFile(path, theta: theta)
        try edit(path) { file in
            try check(H5Ldelete(file, "theta", chdf5_p_default()), "H5Ldelete")
            try check(H5Lcreate_external(other, "/theta", file, "theta", chdf5_p_default(), chdf5_p_default()), "H5Lcreate_external")
        }
    }

    /// `theta` a virtual dataset mapping `other.h5:/theta`.
    static func virtualDataset(_ path: String, theta: [Double]) throws {
        let other = try otherFile(path, theta: theta)
        try edit(path) { file in
            try check(H5Ldelete(file, "theta", chdf5_p_default()), "H5Ldelete")
            var dims = [hsize_t(theta.count)]
            let space = try check(H5Screate_simple(1, &dims, nil), "H5Screate_simple")
            defer { H5Sclose(space) }
            let dcpl = try check(H5Pcreate(chdf5_p_dataset_create()), "H5Pcreate")
            defer { H5Pclose(dcpl) }
            try check(H5Pset_virtual(dcpl, space, other, "/theta", space), "H5Pset_virtual")
            try writeVector(file, "theta", theta, dcpl: dcpl, write: false)
        }
    }

    /// `theta` replaced by a chunked dataset declaring 2^40 elements (nothing written).
    static func hugeShape(_ path: String) throws {
        try edit(path) { file in
            try check(H5Ldelete(file, "theta", chdf5_p_default()), "H5Ldelete")
            var dims = [hsize_t(1) << 40], chunk = [hsize_t(1024)]
            let space = try check(H5Screate_simple(1, &dims, nil), "H5Screate_simple")
            defer { H5Sclose(space) }
            let dcpl = try check(H5Pcreate(chdf5_p_dataset_create()), "H5Pcreate")
            defer { H5Pclose(dcpl) }
            try check(H5Pset_chunk(dcpl, 1, &chunk), "H5Pset_chunk")
            let dataset = try check(H5Dcreate2(file, "theta", chdf5_ieee_f64le(), space, chdf5_p_default(), dcpl, chdf5_p_default()), "H5Dcreate2")
            H5Dclose(dataset)
        }
    }

    /// The `content_digest` attribute deleted (what one bit flip in its name also does).
    static func withoutDigest(_ path: String) throws {
        try edit(path) { file in try check(H5Adelete(file, "content_digest"), "H5Adelete") }
    }

    private static func otherFile(_ path: String, theta: [Double]) throws -> String {
        let other = (path as NSString).deletingLastPathComponent + "/other.h5"
        let file = try check(H5Fcreate(other, chdf5_acc_trunc(), chdf5_p_default(), chdf5_p_default()), "H5Fcreate")
        defer { H5Fclose(file) }
        try writeVector(file, "theta", theta)
        return other
    }
}
