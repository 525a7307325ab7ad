/// The config as JSON (what traces.h5 stores since schema 3): valid JSON that Foundation parses,
/// numbers bare only where RFC 8259 allows them, everything else a string.
import Foundation
import Testing
@testable import QNN

struct ConfigJSONTests {
    @Test("scalars: JSON numbers and true/false/null bare, other text quoted and escaped")
    func scalars() throws {
        let tree = try ConfigNode.parse(yaml: """
            a: 1
            b: -0.5e-3
            c: 01
            d: .5
            e: pi
            f: true
            g: [0, "x\\"y", 'back\\slash']
            h: {z: 2, y: null}
            i: 1e
            """, fileName: "t.yaml")
        let json = tree.jsonText
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "\(json)")
        #expect(object["a"] as? Int == 1)
        #expect(object["b"] as? Double == -0.5e-3)
        #expect(object["c"] as? String == "01" && object["d"] as? String == ".5" && object["e"] as? String == "pi")
        #expect(object["f"] as? Bool == true && object["i"] as? String == "1e")
        #expect((object["g"] as? [Any])?.count == 3 && (object["g"] as? [Any])?[1] as? String == "x\"y")
        #expect((object["g"] as? [Any])?[2] as? String == "back\\slash")
        #expect((object["h"] as? [String: Any])?["y"] is NSNull)
        // Keys sorted, as the canonical text.
        #expect(json.hasPrefix(#"{"a": 1, "b": -0.5e-3"#))
    }
}
