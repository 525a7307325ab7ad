/// Finding YAML anchors (`&name`) and aliases (`*name`) in config text before it is composed.
///
/// Why before: the composer resolves an alias to the anchored node, so ten lines of nested aliases
/// ("billion laughs", 681 bytes) describe 10^9 nodes; walking or hashing them takes minutes and
/// gigabytes. Configs never need aliases (docs/training.md), so any anchor or alias is refused.
/// The scan is lexical and linear: a `&` or `*` followed by a name character, at the start of a
/// node (line start, or after `- `, `: `, `? `, `[`, `{`, `,` or a `!tag`), outside quotes and
/// comments. It may refuse a rare plain scalar such as `a - *b`; it never misses an alias the
/// composer would resolve (the tree walk in `ConfigNode.convert` also refuses anchored nodes).
enum YAMLAliases {
    /// The 1-based line of the first anchor or alias, or nil.
    static func firstAliasLine(_ text: String) -> Int? {
        var line = 1
        var quote: UInt8? = nil
        var previous: UInt8? = nil       // last non-blank byte on this line outside quotes
        var sawBlank = true               // a blank since `previous`
        var tokenStart = true             // at the start of a whitespace-separated token
        var inTag = false                 // inside a `!tag` token
        var afterTag = false              // a `!tag` token just ended
        var inComment = false
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            defer { i += 1 }
            if b == UInt8(ascii: "\n") {
                line += 1
                // Quoted scalars may span lines; plain and block scalars restart the state.
                if quote == nil { previous = nil }
                sawBlank = true; tokenStart = true; inTag = false; afterTag = false; inComment = false
                continue
            }
            if inComment { continue }
            if let q = quote {
                if q == UInt8(ascii: "\"") && b == UInt8(ascii: "\\") { i += 1; continue }
                if b == q { quote = nil; previous = b; sawBlank = false; tokenStart = false }
                continue
            }
            let blank = b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r")
            if blank {
                sawBlank = true; tokenStart = true
                if inTag { inTag = false; afterTag = true }
                continue
            }
            if b == UInt8(ascii: "#") && sawBlank { inComment = true; continue }
            if (b == UInt8(ascii: "&") || b == UInt8(ascii: "*")) && tokenStart || (b == UInt8(ascii: "&") || b == UInt8(ascii: "*")) && isFlowIndicator(previous) {
                let next = i + 1 < bytes.count ? bytes[i + 1] : UInt8(ascii: " ")
                let nameFollows = !(next == UInt8(ascii: " ") || next == UInt8(ascii: "\t") || next == UInt8(ascii: "\n")
                    || next == UInt8(ascii: "\r") || next == UInt8(ascii: ",") || next == UInt8(ascii: "]") || next == UInt8(ascii: "}"))
                if nameFollows && (previous == nil || afterTag || isNodeIndicator(previous, blankSince: sawBlank)) { return line }
            }
            if (b == UInt8(ascii: "\"") || b == UInt8(ascii: "'")) && (tokenStart || isFlowIndicator(previous)) {
                quote = b
            }
            if b == UInt8(ascii: "!") && tokenStart { inTag = true }
            if !inTag { afterTag = false }
            previous = b; sawBlank = false; tokenStart = false
        }
        return nil
    }

    /// `[`, `{` or `,`: a node may start right after them, with or without a blank.
    private static func isFlowIndicator(_ b: UInt8?) -> Bool {
        b == UInt8(ascii: "[") || b == UInt8(ascii: "{") || b == UInt8(ascii: ",")
    }

    /// Bytes after which a node starts: flow indicators, and `-`, `:`, `?` followed by a blank.
    private static func isNodeIndicator(_ b: UInt8?, blankSince: Bool) -> Bool {
        if isFlowIndicator(b) { return true }
        return blankSince && (b == UInt8(ascii: "-") || b == UInt8(ascii: ":") || b == UInt8(ascii: "?"))
    }
}
