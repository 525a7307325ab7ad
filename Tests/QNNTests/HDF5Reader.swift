/// Reading back what a run wrote, for the tests.
import HDF5

struct HDF5Reader {
    let path: String
    init(path: String) throws { self.path = path }

    func rows<Row: BitwiseCopyable>(_ name: String, _ layout: CompoundLayout<Row>) throws -> [Row] {
        let file = try File.open(path)
        defer { try? file.close() }
        return try file.openTable(name, layout: layout).readAll()
    }

    func configText() throws -> String {
        let file = try File.open(path)
        defer { try? file.close() }
        return try file.attribute("config")
    }
}
