/// A bounded JSON parser that builds no tree: it fills a flat list of nodes (containers
/// know where their subtree ends) and one arena with every string decoded. It accepts
/// invalid UTF-8 and raw control bytes inside strings (hostile input is still scanned),
/// never recurses, and stops at `maxDepth` and `maxNodes`.
struct JSONDocument {
    enum Kind: UInt8 { case object, array, string, number, literal }

    struct Node {
        var kind: Kind
        /// Strings: the decoded range in `arena`. Numbers and literals: the source range.
        var start: Int32
        var end: Int32
        /// Containers: the index just past the last node of the subtree. Scalars: first byte.
        var next: Int32
    }

    enum Failure: Error {
        case malformed(Int)
        case tooDeep(Int)
        case tooLarge
    }

    var nodes: [Node] = []
    var arena: [UInt8] = []

    func string(_ i: Int) -> ArraySlice<UInt8> {
        let n = nodes[i]
        return arena[Int(n.start)..<Int(n.end)]
    }

    /// The index after node `i` and its subtree.
    @inline(__always) func after(_ i: Int) -> Int {
        let n = nodes[i]
        return n.kind == .object || n.kind == .array ? Int(n.next) : i + 1
    }

    /// Whether `bytes` starts (after whitespace) like a JSON object or array.
    static func looksLikeJSON(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < bytes.count && isSpace(bytes[i]) { i += 1 }
        guard i < bytes.count, bytes[i] == 123 || bytes[i] == 91 else { return false }
        var j = bytes.count - 1
        while j > i && isSpace(bytes[j]) { j -= 1 }
        return bytes[j] == 125 || bytes[j] == 93
    }

    static func parse(_ s: UnsafeBufferPointer<UInt8>, maxDepth: Int, maxNodes: Int) throws(Failure) -> JSONDocument {
        var p = Parser(s: s)
        try p.run(maxDepth: maxDepth, maxNodes: maxNodes)
        return p.doc
    }
}

/// The parser's state in one struct, so the hot loops touch locals, not captured boxes.
private struct Parser {
    typealias Node = JSONDocument.Node
    typealias Failure = JSONDocument.Failure
    let s: UnsafeBufferPointer<UInt8>
    let n: Int
    var i = 0
    var doc = JSONDocument()
    var stack: [Int32] = []

    init(s: UnsafeBufferPointer<UInt8>) {
        self.s = s
        self.n = s.count
        doc.nodes.reserveCapacity(min(s.count / 8 + 8, 4096))
        doc.arena.reserveCapacity(min(s.count, 1 << 20))
    }

    @inline(__always) mutating func ws() {
        while i < n {
            let c = s[i]
            if c == 32 || c == 10 || c == 13 || c == 9 { i += 1 } else { break }
        }
    }

    mutating func str() throws(Failure) {
        // s[i] == '"'
        i += 1
        let start = doc.arena.count
        while true {
            // Fast run of plain bytes.
            let runStart = i
            // Eight bytes at a time: stop at the word holding a `"` or a `\`.
            let base = UnsafeRawPointer(s.baseAddress!)
            while i + 8 <= n {
                let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let q = w ^ 0x2222_2222_2222_2222
                let b = w ^ 0x5C5C_5C5C_5C5C_5C5C
                let hasQ = (q &- 0x0101_0101_0101_0101) & ~q & 0x8080_8080_8080_8080
                let hasB = (b &- 0x0101_0101_0101_0101) & ~b & 0x8080_8080_8080_8080
                if hasQ | hasB != 0 { break }
                i += 8
            }
            while i < n {
                let c = s[i]
                if c == 34 || c == 92 { break }
                i += 1
            }
            if i > runStart { doc.arena.append(contentsOf: UnsafeBufferPointer(rebasing: s[runStart..<i])) }
            guard i < n else { throw .malformed(i) }
            if s[i] == 34 { i += 1; break }
            // Backslash escape.
            guard i + 1 < n else { throw .malformed(i) }
            let e = s[i + 1]
            i += 2
            switch e {
            case 110: doc.arena.append(10)
            case 116: doc.arena.append(9)
            case 114: doc.arena.append(13)
            case 98: doc.arena.append(8)
            case 102: doc.arena.append(12)
            case 117:
                guard i + 4 <= n, let a = hexValue(s[i]), let b = hexValue(s[i + 1]), let c = hexValue(s[i + 2]),
                    let d = hexValue(s[i + 3])
                else { throw .malformed(i) }
                var cp = UInt32(a << 12 | b << 8 | c << 4 | d)
                i += 4
                if cp >= 0xD800 && cp < 0xDC00, i + 6 <= n, s[i] == 92, s[i + 1] == 117,
                    let a2 = hexValue(s[i + 2]), let b2 = hexValue(s[i + 3]), let c2 = hexValue(s[i + 4]),
                    let d2 = hexValue(s[i + 5])
                {
                    let lo = UInt32(a2 << 12 | b2 << 8 | c2 << 4 | d2)
                    if lo >= 0xDC00 && lo < 0xE000 {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                        i += 6
                    }
                }
                Decoder.appendUTF8(&doc.arena, cp)
            default: doc.arena.append(e)  // \" \\ \/ and lenient others
            }
        }
        doc.nodes.append(Node(kind: .string, start: Int32(start), end: Int32(doc.arena.count), next: 0))
    }

    mutating func scalar() throws(Failure) {
        let start = i
        while i < n {
            let c = s[i]
            if c == 44 || c == 125 || c == 93 || c == 32 || c == 10 || c == 13 || c == 9 || c == 58 { break }
            i += 1
        }
        guard i > start else { throw .malformed(start) }
        let first = s[start]
        let kind: JSONDocument.Kind = (first == 45 || isDigit(first)) ? .number : .literal
        if kind == .literal {
            let len = i - start
            let ok =
                (len == 4 && (s[start] == 116 && s[start + 1] == 114 && s[start + 2] == 117 && s[start + 3] == 101))
                || (len == 4 && s[start] == 110 && s[start + 1] == 117 && s[start + 2] == 108 && s[start + 3] == 108)
                || (len == 5 && s[start] == 102 && s[start + 1] == 97 && s[start + 2] == 108
                    && s[start + 3] == 115 && s[start + 4] == 101)
            guard ok else { throw .malformed(start) }
        }
        doc.nodes.append(Node(kind: kind, start: Int32(start), end: Int32(i), next: Int32(first)))
    }

    /// Key, colon: the member name of an object.
    mutating func key() throws(Failure) {
        guard i < n, s[i] == 34 else { throw .malformed(i) }
        try str()
        ws()
        guard i < n, s[i] == 58 else { throw .malformed(i) }
        i += 1
        ws()
    }

    mutating func run(maxDepth: Int, maxNodes: Int) throws(Failure) {
        ws()
        var expectValue = true
        while true {
            if doc.nodes.count >= maxNodes { throw .tooLarge }
            if expectValue {
                guard i < n else { throw .malformed(i) }
                let c = s[i]
                if c == 123 || c == 91 {
                    guard stack.count < maxDepth else { throw .tooDeep(i) }
                    stack.append(Int32(doc.nodes.count))
                    doc.nodes.append(Node(kind: c == 123 ? .object : .array, start: Int32(i), end: 0, next: 0))
                    i += 1
                    ws()
                    let close: UInt8 = c == 123 ? 125 : 93
                    if i < n && s[i] == close {
                        i += 1
                        let top = Int(stack.removeLast())
                        doc.nodes[top].next = Int32(doc.nodes.count)
                        doc.nodes[top].end = Int32(i)
                        expectValue = false
                    } else if c == 123 {
                        try key()
                    }
                    continue
                } else if c == 34 {
                    try str()
                } else {
                    try scalar()
                }
                expectValue = false
            }
            // After a value: close containers or move to the next member.
            ws()
            guard let topIndex = stack.last else {
                guard i == n else { throw .malformed(i) }
                return
            }
            guard i < n else { throw .malformed(i) }
            let top = Int(topIndex)
            let isObject = doc.nodes[top].kind == .object
            let c = s[i]
            if c == 44 {
                i += 1
                ws()
                if isObject { try key() }
                expectValue = true
            } else if c == (isObject ? 125 : 93) {
                i += 1
                stack.removeLast()
                doc.nodes[top].next = Int32(doc.nodes.count)
                doc.nodes[top].end = Int32(i)
            } else {
                throw .malformed(i)
            }
        }
    }
}
