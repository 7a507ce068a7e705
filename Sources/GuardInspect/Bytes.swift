import Glibc

/// A set of detector classes as bits, for the hot path.
struct DetectorMask: Sendable {
    var bits: UInt16
    init(_ set: Set<DetectorClass>) {
        var b: UInt16 = 0
        for (i, c) in DetectorClass.allCases.enumerated() where set.contains(c) { b |= 1 << UInt16(i) }
        bits = b
    }
    func contains(_ c: DetectorClass) -> Bool { bits & (1 << UInt16(c.index)) != 0 }
}

extension DetectorClass {
    var index: Int {
        switch self {
        case .sqli: 0
        case .nosqli: 1
        case .cmdi: 2
        case .traversal: 3
        case .ssrf: 4
        case .xss: 5
        case .ssti: 6
        case .jndi: 7
        case .xxe: 8
        case .proto: 9
        case .deser: 10
        case .ldap: 11
        case .crlf: 12
        }
    }
}

/// Where a string sits in the event; some detectors judge names and headers differently.
enum ValueRole: UInt8 {
    case value, key, header, path, body, metadata
}

@inline(__always) func lowerASCII(_ b: UInt8) -> UInt8 { (b &- 65) < 26 ? b | 0x20 : b }
@inline(__always) func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) &- 97 < 26 }
@inline(__always) func isDigit(_ b: UInt8) -> Bool { b &- 48 < 10 }
@inline(__always) func isAlnum(_ b: UInt8) -> Bool { isAlpha(b) || isDigit(b) }
@inline(__always) func isWordByte(_ b: UInt8) -> Bool { isAlnum(b) || b == 95 || b >= 0x80 }
@inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 32 || (b >= 9 && b <= 13) }
@inline(__always) func hexValue(_ b: UInt8) -> Int? {
    if isDigit(b) { return Int(b - 48) }
    let l = b | 0x20
    if l >= 97 && l <= 102 { return Int(l - 87) }
    return nil
}

/// Character classes present in a text, so detectors can skip texts that cannot match.
struct CharFlags: OptionSet {
    var rawValue: UInt32
    /// `contains` for one flag, always inlined (the generic `contains` is an outlined call in
    /// large functions).
    @inline(__always) func has(_ f: CharFlags) -> Bool { rawValue & f.rawValue != 0 }
    static let lt = CharFlags(rawValue: 1 << 0)
    static let gt = CharFlags(rawValue: 1 << 1)
    static let squote = CharFlags(rawValue: 1 << 2)
    static let dquote = CharFlags(rawValue: 1 << 3)
    static let backtick = CharFlags(rawValue: 1 << 4)
    static let semicolon = CharFlags(rawValue: 1 << 5)
    static let pipe = CharFlags(rawValue: 1 << 6)
    static let amp = CharFlags(rawValue: 1 << 7)
    static let dollar = CharFlags(rawValue: 1 << 8)
    static let paren = CharFlags(rawValue: 1 << 9)
    static let brace = CharFlags(rawValue: 1 << 10)
    static let bracket = CharFlags(rawValue: 1 << 11)
    static let equals = CharFlags(rawValue: 1 << 12)
    static let slash = CharFlags(rawValue: 1 << 13)
    static let backslash = CharFlags(rawValue: 1 << 14)
    static let dot = CharFlags(rawValue: 1 << 15)
    static let percent = CharFlags(rawValue: 1 << 16)
    static let hash = CharFlags(rawValue: 1 << 17)
    static let at = CharFlags(rawValue: 1 << 18)
    static let star = CharFlags(rawValue: 1 << 19)
    static let newline = CharFlags(rawValue: 1 << 20)
    static let nul = CharFlags(rawValue: 1 << 21)
    static let high = CharFlags(rawValue: 1 << 22)
    static let colon = CharFlags(rawValue: 1 << 23)
    static let minus = CharFlags(rawValue: 1 << 24)
    static let space = CharFlags(rawValue: 1 << 25)
    static let digit = CharFlags(rawValue: 1 << 26)
    static let underscore = CharFlags(rawValue: 1 << 27)
    static let question = CharFlags(rawValue: 1 << 28)
    static let excl = CharFlags(rawValue: 1 << 29)
    static let plus = CharFlags(rawValue: 1 << 30)
    static let tilde = CharFlags(rawValue: 1 << 31)

    static let table: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 256)
        let map: [(Character, CharFlags)] = [
            ("<", .lt), (">", .gt), ("'", .squote), ("\"", .dquote), ("`", .backtick), (";", .semicolon),
            ("|", .pipe), ("&", .amp), ("$", .dollar), ("(", .paren), (")", .paren), ("{", .brace), ("}", .brace),
            ("[", .bracket), ("]", .bracket), ("=", .equals), ("/", .slash), ("\\", .backslash), (".", .dot),
            ("%", .percent), ("#", .hash), ("@", .at), ("*", .star), ("\n", .newline), ("\r", .newline),
            (":", .colon), ("-", .minus), (" ", .space), ("\t", .space), ("_", .underscore), ("?", .question),
            ("!", .excl), ("+", .plus), ("~", .tilde),
        ]
        for (c, f) in map { t[Int(c.asciiValue!)] |= f.rawValue }
        t[0] |= CharFlags.nul.rawValue
        for d in 48...57 { t[d] |= CharFlags.digit.rawValue }
        for h in 128...255 { t[h] |= CharFlags.high.rawValue }
        return t
    }()
}

/// One decoded form of a value, with its ASCII-lowercased copy and the classes of characters
/// it holds. Detectors read `b` for structure and `l` for case-insensitive matching.
struct ScanText {
    let b: [UInt8]
    let l: [UInt8]
    let flags: CharFlags
    let role: ValueRole
    /// The header name when `role` is `.header`, lowercased; the key for other roles if known.
    let name: [UInt8]

    init(_ bytes: [UInt8], role: ValueRole, name: [UInt8] = []) {
        b = bytes
        var lower = [UInt8](repeating: 0, count: bytes.count)
        var f: UInt32 = 0
        let table = CharFlags.table
        bytes.withUnsafeBufferPointer { src in
            lower.withUnsafeMutableBufferPointer { dst in
                table.withUnsafeBufferPointer { t in
                    for i in 0..<src.count {
                        let c = src[i]
                        dst[i] = lowerASCII(c)
                        f |= t[Int(c)]
                    }
                }
            }
        }
        l = lower
        flags = CharFlags(rawValue: f)
        self.role = role
        self.name = name
    }

    var count: Int { b.count }

    /// Position of `needle` (lowercase ASCII) in the lowercased text, at or after `from`.
    @inline(__always) func find(_ needle: [UInt8], from: Int = 0) -> Int? {
        l.find(needle, from: from)
    }
    @inline(__always) func has(_ needle: [UInt8]) -> Bool { l.find(needle) != nil }
}

/// Substring search: memchr for the first byte, then a compare.
@inline(__always) func findBytes(_ hay: UnsafeBufferPointer<UInt8>, _ needle: [UInt8], from: Int) -> Int? {
    let n = needle.count
    if from >= hay.count || n == 0 || n > hay.count - from { return nil }
    let base = hay.baseAddress!
    let first = Int32(needle[0])
    var i = from
    let last = hay.count - n
    return needle.withUnsafeBufferPointer { nd in
        while i <= last {
            guard let p = memchr(base + i, first, last - i + 1) else { return nil }
            let at = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            if n == 1 || memcmp(base + at + 1, nd.baseAddress! + 1, n - 1) == 0 { return at }
            i = at + 1
        }
        return nil
    }
}

extension ArraySlice where Element == UInt8 {
    /// Index (in the slice's indices) of `needle`, at or after `from` (a slice index).
    func find(_ needle: [UInt8], from: Int? = nil) -> Int? {
        let start = from ?? startIndex
        return withUnsafeBufferPointer { hay in
            findBytes(hay, needle, from: start - startIndex).map { $0 + startIndex }
        }
    }
}

extension Array where Element == UInt8 {
    /// Index of `needle` at or after `from`.
    @inline(__always) func find(_ needle: [UInt8], from: Int = 0) -> Int? {
        withUnsafeBufferPointer { findBytes($0, needle, from: from) }
    }

    /// True when the bytes at `at` equal `word` (already lowercase) compared case-insensitively.
    @inline(__always) func matches(_ word: [UInt8], at: Int) -> Bool {
        if at < 0 || at + word.count > count { return false }
        for j in 0..<word.count where lowerASCII(self[at + j]) != word[j] { return false }
        return true
    }
}

/// `Array("...".utf8)`, shorter.
@inline(__always) func u8(_ s: StaticString) -> [UInt8] {
    Array(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
}

/// Whether `l[i]` starts a word (the byte before is not a word byte).
@inline(__always) func wordStart(_ l: [UInt8], _ i: Int) -> Bool { i == 0 || !isWordByte(l[i - 1]) }
@inline(__always) func wordEnd(_ l: [UInt8], _ i: Int) -> Bool { i >= l.count || !isWordByte(l[i]) }

/// Index of the first byte at or after `i` that is not whitespace.
@inline(__always) func skipSpaces(_ b: [UInt8], _ i: Int) -> Int {
    var j = i
    while j < b.count && isSpace(b[j]) { j += 1 }
    return j
}

/// Whether `l` contains `word` as a whole word (lowercase needle).
func hasWord(_ l: [UInt8], _ word: [UInt8]) -> Bool {
    var from = 0
    while let i = l.find(word, from: from) {
        if wordStart(l, i) && wordEnd(l, i + word.count) { return true }
        from = i + 1
    }
    return false
}

/// Excerpt of at most 80 characters around `range` of `bytes`, valid UTF-8.
func excerpt(_ bytes: [UInt8], _ range: Range<Int>) -> String {
    let lo = Swift.max(0, Swift.min(range.lowerBound, bytes.count) - 8)
    let hi = Swift.min(bytes.count, lo + 72)
    var s = String(decoding: bytes[lo..<hi], as: UTF8.self)
    if s.count > 80 { s = String(s.prefix(80)) }
    return s
}

/// Monotonic microseconds.
func monotonicMicros() -> Int {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return ts.tv_sec * 1_000_000 + ts.tv_nsec / 1000
}

/// Development tracing: `GUARD_INSPECT_TRACE=1` prints why detectors fired, on stderr.
let traceEnabled: Bool = getenv("GUARD_INSPECT_TRACE") != nil

func trace(_ message: @autoclosure () -> String) {
    guard traceEnabled else { return }
    var line = Array((message() + "\n").utf8)
    _ = line.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}

// Literal needles without building an array: `l.find("union")` reads the literal in place.
extension StaticString {
    @inline(__always) var bytes: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: utf8Start, count: utf8CodeUnitCount)
    }
}

extension Array where Element == UInt8 {
    @inline(__always) func find(_ needle: StaticString, from: Int = 0) -> Int? {
        let nd = needle.bytes
        let n = nd.count
        if from >= count || n == 0 || n > count - from { return nil }
        return withUnsafeBufferPointer { hay in
            let base = hay.baseAddress!
            let first = Int32(nd[0])
            var i = from
            let last = hay.count - n
            while i <= last {
                guard let p = memchr(base + i, first, last - i + 1) else { return nil }
                let at = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
                if n == 1 || memcmp(base + at + 1, nd.baseAddress! + 1, n - 1) == 0 { return at }
                i = at + 1
            }
            return nil
        }
    }

    @inline(__always) func matches(_ word: StaticString, at: Int) -> Bool {
        let w = word.bytes
        if at < 0 || at + w.count > count { return false }
        for j in 0..<w.count where lowerASCII(self[at + j]) != w[j] { return false }
        return true
    }
}

extension Collection where Element == UInt8 {
    @inline(__always) func starts(with literal: StaticString) -> Bool {
        let w = literal.bytes
        var i = startIndex
        for c in w {
            if i == endIndex || self[i] != c { return false }
            i = index(after: i)
        }
        return true
    }
}

extension ArraySlice where Element == UInt8 {
    func find(_ needle: StaticString, from: Int? = nil) -> Int? {
        let start = (from ?? startIndex) - startIndex
        let nd = needle.bytes
        return withUnsafeBufferPointer { hay -> Int? in
            let n = nd.count
            if start >= hay.count || n > hay.count - start { return nil }
            var i = start
            while i <= hay.count - n {
                if hay[i] == nd[0], memcmp(hay.baseAddress! + i, nd.baseAddress!, n) == 0 { return i + startIndex }
                i += 1
            }
            return nil
        }
    }
}

extension ScanText {
    @inline(__always) func find(_ needle: StaticString, from: Int = 0) -> Int? { l.find(needle, from: from) }
}
