/// Finds where a value sits in a JSON document's text, so that errors about a *valid*
/// document ("unknown key", "bad action") can still name a line and column. jansson keeps
/// no positions, so this walks the (already validated) text once more, structure only.
public struct JSONLocator {
    public enum Component: Equatable, Sendable {
        case key(String)
        case index(Int)
    }

    public struct Position: Equatable, Sendable {
        public var line: Int
        public var column: Int
        public init(line: Int, column: Int) {
            self.line = line
            self.column = column
        }
    }

    private let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The position of the value at `path`; for an object member, the position of its key
    /// (users look for the key). Falls back to the deepest component that was found.
    public func position(of path: [Component]) -> Position {
        var scanner = Scanner(bytes: bytes)
        scanner.skipSpace()
        var best = scanner.offset
        _ = scanner.find(path[...], best: &best)
        return lineColumn(of: best)
    }

    func lineColumn(of offset: Int) -> Position {
        var line = 1
        var column = 1
        var i = 0
        while i < offset && i < bytes.count {
            if bytes[i] == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if bytes[i] & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return Position(line: line, column: column)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var offset = 0

        mutating func skipSpace() {
            while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
        }

        /// At a value: descends along `path`. Returns true when the whole path was found;
        /// `best` is left at the deepest position reached.
        mutating func find(_ path: ArraySlice<Component>, best: inout Int) -> Bool {
            guard let first = path.first else { return true }
            guard offset < bytes.count else { return false }
            switch (first, bytes[offset]) {
            case (.key(let wanted), UInt8(ascii: "{")):
                offset += 1
                while true {
                    skipSpace()
                    guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { return false }
                    let keyStart = offset
                    let key = readString()
                    skipSpace()
                    offset += 1  // ':'
                    skipSpace()
                    if key == wanted {
                        best = keyStart
                        if path.count == 1 { return true }
                        return find(path.dropFirst(), best: &best)
                    }
                    skipValue()
                    skipSpace()
                    guard offset < bytes.count, bytes[offset] == UInt8(ascii: ",") else { return false }
                    offset += 1
                }
            case (.index(let wanted), UInt8(ascii: "[")):
                offset += 1
                var index = 0
                while true {
                    skipSpace()
                    guard offset < bytes.count, bytes[offset] != UInt8(ascii: "]") else { return false }
                    if index == wanted {
                        best = offset
                        return find(path.dropFirst(), best: &best)
                    }
                    skipValue()
                    skipSpace()
                    guard offset < bytes.count, bytes[offset] == UInt8(ascii: ",") else { return false }
                    offset += 1
                    index += 1
                }
            default:
                return false
            }
        }

        mutating func readString() -> String {
            offset += 1
            var out: [UInt8] = []
            while offset < bytes.count, bytes[offset] != UInt8(ascii: "\"") {
                if bytes[offset] == UInt8(ascii: "\\"), offset + 1 < bytes.count {
                    // Keys with escapes are rare in policies; keep the escaped char as is.
                    offset += 1
                }
                out.append(bytes[offset])
                offset += 1
            }
            offset += 1
            return String(decoding: out, as: UTF8.self)
        }

        mutating func skipValue() {
            guard offset < bytes.count else { return }
            switch bytes[offset] {
            case UInt8(ascii: "\""):
                _ = readString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while offset < bytes.count {
                    let c = bytes[offset]
                    if c == UInt8(ascii: "\"") {
                        _ = readString()
                        continue
                    }
                    if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
                    if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                        depth -= 1
                        if depth == 0 {
                            offset += 1
                            return
                        }
                    }
                    offset += 1
                }
            default:
                while offset < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09]
                    .contains(bytes[offset])
                {
                    offset += 1
                }
            }
        }
    }
}
