/// docs/hdf5-schema.md against a fresh trace: `h5dump -H` of a training run's `traces.h5` (and an
/// estimate run's) must show exactly the attributes, tables, columns and types the page lists,
/// and the `units` stored with each table must be the page's units column — and TraceSchema's.
import Foundation
import HDF5
import TestSupport
import Testing
import TraceSchema

@Suite(.serialized)
struct SchemaDocTests {
    /// What `h5dump -H` shows of one object: attribute name → type, and a table's columns.
    struct Object { var attributes: [String: String] = [:]; var columns: [(name: String, type: String)] = [] }

    /// Parses `h5dump -H` output: objects by path ("/", "/plans/0", "/queries"); types as the doc
    /// writes them (str, int, float, [str], [int] for attributes; int64, int32, float64 for columns).
    static func parseDump(_ text: String) -> [String: Object] {
        var objects: [String: Object] = [:]
        var path: [String] = [], kinds: [String] = []  // the open blocks: GROUP, DATASET, ATTRIBUTE, DATATYPE, other
        var attribute: String?, attributeType: String?
        var inCompound = false
        let scalar = ["H5T_STD_I64LE": "int", "H5T_STD_I32LE": "int", "H5T_IEEE_F64LE": "float", "H5T_STRING": "str"]
        let column = ["H5T_STD_I64LE": "int64", "H5T_STD_I32LE": "int32", "H5T_IEEE_F64LE": "float64"]
        func current() -> String { "/" + path.filter { !$0.isEmpty && $0 != "/" }.joined(separator: "/") }
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let quoted = line.split(separator: "\"").dropFirst().first.map(String.init)
            if line.hasPrefix("GROUP \"") || line.hasPrefix("DATASET \"") {
                path.append(quoted ?? ""); kinds.append("object")
                objects[current(), default: Object()] = objects[current()] ?? Object()
            } else if line.hasPrefix("ATTRIBUTE \"") {
                attribute = quoted; attributeType = nil; kinds.append("attribute")
            } else if line.hasPrefix("DATATYPE") {
                let type = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.map(String.init) ?? ""
                if attribute != nil { attributeType = scalar[type] ?? type } else if type == "H5T_COMPOUND" { inCompound = true }
                if line.hasSuffix("{") { kinds.append("datatype") }
            } else if inCompound, let name = quoted, line.hasSuffix(";") {
                let type = String(line.split(separator: " ").first ?? "")
                objects[current(), default: Object()].columns.append((name, column[type] ?? type))
            } else if line.hasPrefix("DATASPACE"), let name = attribute {
                let type = attributeType ?? "?"
                objects[current(), default: Object()].attributes[name] = line.contains("SIMPLE") ? "[\(type)]" : type
            } else if line.hasSuffix("{") {
                kinds.append("other")
            } else if line == "}" {
                switch kinds.popLast() {
                case "object": path.removeLast()
                case "attribute": attribute = nil
                case "datatype": inCompound = false
                default: break
                }
            }
        }
        return objects
    }

    /// A table of the doc: the rows (name → [type, units]) under each `### ` heading of the
    /// `traces.h5` section, keyed by the heading's first `code` span (or its text).
    static func parseDoc(_ text: String) throws -> [String: [String: [String]]] {
        let start = try #require(text.range(of: "## `traces.h5`")), end = try #require(text.range(of: "## `checkpoint.h5`"))
        var sections: [String: [String: [String]]] = [:]
        var heading = ""
        for raw in text[start.upperBound ..< end.lowerBound].split(separator: "\n") {
            let line = String(raw)
            if line.hasPrefix("### ") {
                let code = line.split(separator: "`").dropFirst().first.map(String.init)
                heading = code ?? String(line.dropFirst(4))
                continue
            }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard line.hasPrefix("| `"), cells.count >= 3 else { continue }
            let name = cells[0].replacingOccurrences(of: "`", with: "")
            sections[heading, default: [:]][name] = Array(cells[1...2])
        }
        return sections
    }

    static func dump(_ path: String) throws -> [String: Object] {
        let result = try ChildProcess.run("h5dump", ["-H", path], environment: TestEnvironment.childEnvironment(), timeout: 60)
        try #require(result.exitCode == 0, "h5dump -H \(path): \(result.stderr) (hdf5-tools: scripts/bootstrap.sh installs it)")
        return parseDump(result.stdout)
    }

    @Test("docs/hdf5-schema.md lists exactly what h5dump -H shows of a fresh trace, with the stored units")
    func docMatchesDump() throws {
        let fixtures = try AnalyzeFixtures.get()
        let doc = try Self.parseDoc(String(contentsOfFile: AnalyzeFixtures.repositoryRoot + "/docs/hdf5-schema.md", encoding: .utf8))
        let training = fixtures.trainingFolder + "/traces.h5"
        let objects = try Self.dump(training)
        let rootDoc = (doc["Root attributes"] ?? [:]).merging(doc["Training runs: more root attributes"] ?? [:]) { a, _ in a }

        // Root attributes, both ways, with their types.
        let root = try #require(objects["/"])
        #expect(Set(root.attributes.keys) == Set(rootDoc.keys), "root: file \(root.attributes.keys.sorted()), doc \(rootDoc.keys.sorted())")
        for (name, type) in root.attributes { #expect(rootDoc[name]?[0] == type, "root attribute \(name): file \(type), doc \(rootDoc[name] ?? [])") }

        // The plan group's attributes.
        let plan = try #require(objects["/plans/0"]), planDoc = try #require(doc["plans/<i>"])
        #expect(Set(plan.attributes.keys) == Set(planDoc.keys), "plans/0: file \(plan.attributes.keys.sorted()), doc \(planDoc.keys.sorted())")
        for (name, type) in plan.attributes { #expect(planDoc[name]?[0] == type, "plans/0 \(name): file \(type), doc \(planDoc[name] ?? [])") }

        // Every table: its attributes, its columns in order with types, and the stored units.
        let tableAttributes = try #require(doc["Every table's attributes"])
        let tables = objects.filter { !$0.value.columns.isEmpty }
        #expect(Set(tables.keys) == Set(TraceSchema.tables.map { "/" + $0.name }))
        let file = try File.open(training)
        defer { try? file.close() }
        for schema in TraceSchema.tables {
            let dumped = try #require(tables["/" + schema.name]), documented = try #require(doc[schema.name], "doc has no \(schema.name)")
            #expect(dumped.columns.map(\.name) == schema.columnNames, "\(schema.name): file vs TraceSchema")
            #expect(Set(documented.keys) == Set(schema.columnNames), "\(schema.name): doc \(documented.keys.sorted())")
            for (name, type) in dumped.columns { #expect(documented[name]?[0] == type, "\(schema.name).\(name): file \(type), doc \(documented[name] ?? [])") }
            #expect(dumped.attributes.mapValues { $0 } == tableAttributes.mapValues { $0[0] }, "\(schema.name) attributes \(dumped.attributes)")
            let units = try file.openDataset(schema.name).attribute(TraceSchema.TableAttribute.units, as: [String].self)
            #expect(units == schema.columns.map(\.units))
            #expect(units == schema.columnNames.map { documented[$0]?[1] ?? "?" }, "\(schema.name) units: file \(units)")
            let descriptions = try file.openDataset(schema.name).attribute(TraceSchema.TableAttribute.columnDescriptions, as: [String].self)
            #expect(descriptions.count == units.count && descriptions.allSatisfy { !$0.isEmpty })
        }
        #expect(try file.attribute("world_size", as: Int.self) == 1)
        let config = try file.attribute("config", as: String.self)
        #expect((try? JSONSerialization.jsonObject(with: Data(config.utf8))) is [String: Any], "config is JSON: \(config)")

        // An estimate trace has the estimator's tables and no training attributes or tables.
        let estimate = try Self.dump(fixtures.estimateTraces[0])
        #expect(Set(estimate.filter { !$0.value.columns.isEmpty }.keys) == ["/queries", "/batches", "/ranks"])
        let estimateRoot = try #require(estimate["/"])
        #expect(Set(estimateRoot.attributes.keys) == Set(TraceSchema.rootAttributes.map(\.name)))
    }

    @Test("the h5dump parser reads attributes, arrays and compound columns")
    func parser() {
        let text = """
            HDF5 "x.h5" {
            GROUP "/" {
               ATTRIBUTE "n" {
                  DATATYPE  H5T_STD_I64LE
                  DATASPACE  SCALAR
               }
               GROUP "plans" {
                  GROUP "0" {
                     ATTRIBUTE "names" {
                        DATATYPE  H5T_STRING {
                           STRSIZE H5T_VARIABLE;
                        }
                        DATASPACE  SIMPLE { ( 2 ) / ( 2 ) }
                     }
                  }
               }
               DATASET "t" {
                  DATATYPE  H5T_COMPOUND {
                     H5T_STD_I64LE "a";
                     H5T_IEEE_F64LE "b";
                  }
                  DATASPACE  SIMPLE { ( 0 ) / ( H5S_UNLIMITED ) }
               }
            }
            }
            """
        let objects = Self.parseDump(text)
        #expect(objects["/"]?.attributes == ["n": "int"])
        #expect(objects["/plans/0"]?.attributes == ["names": "[str]"])
        #expect(objects["/t"]?.columns.map { "\($0.name):\($0.type)" } == ["a:int64", "b:float64"])
    }
}
