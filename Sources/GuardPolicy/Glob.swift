/// A path glob: `*` and `?` within one segment, `**` across segments (a `/x/**` also
/// matches `/x` itself). Matched against normalized absolute paths only.
public struct Glob: Sendable, Equatable, CustomStringConvertible {
    public let pattern: String
    private let bytes: [UInt8]

    public enum Problem: Error, Equatable { case notAbsolute, dotSegment, empty }

    public init(_ pattern: String) throws(Problem) {
        guard !pattern.isEmpty else { throw .empty }
        guard pattern.hasPrefix("/") else { throw .notAbsolute }
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if segments.contains(where: { $0 == "." || $0 == ".." }) { throw .dotSegment }
        self.pattern = pattern
        self.bytes = Array(pattern.utf8)
    }

    public var description: String { pattern }

    /// The literal leading directory of the pattern (`/usr/lib/python3*/**` → `/usr/lib`).
    public var literalPrefix: String {
        var end = 0
        var lastSlash = 0
        while end < bytes.count, bytes[end] != UInt8(ascii: "*"), bytes[end] != UInt8(ascii: "?") {
            if bytes[end] == UInt8(ascii: "/") { lastSlash = end }
            end += 1
        }
        if end == bytes.count { return pattern }
        return lastSlash == 0 ? "/" : String(decoding: bytes[..<lastSlash], as: UTF8.self)
    }

    public func matches(_ path: String) -> Bool {
        var path = path
        return path.withUTF8 { p in bytes.withUnsafeBufferPointer { g in Glob.match(g, 0, p, 0) } }
    }

    public static func == (a: Glob, b: Glob) -> Bool { a.pattern == b.pattern }

    private static let star = UInt8(ascii: "*")
    private static let slash = UInt8(ascii: "/")

    /// Iterative-with-backtracking matcher; `**` may consume slashes, `*` may not.
    private static func match(_ g: UnsafeBufferPointer<UInt8>, _ gi: Int, _ p: UnsafeBufferPointer<UInt8>, _ pi: Int) -> Bool {
        var gi = gi
        var pi = pi
        while gi < g.count {
            let c = g[gi]
            if c == star {
                let double = gi + 1 < g.count && g[gi + 1] == star
                if double {
                    let next = gi + 2
                    if next == g.count { return true }  // trailing `**`: anything below
                    if g[next] == slash {
                        // `**/`: zero or more whole segments, so resume at each segment start.
                        var k = pi
                        while true {
                            if match(g, next + 1, p, k) { return true }
                            while k < p.count && p[k] != slash { k += 1 }
                            if k >= p.count { return false }
                            k += 1
                        }
                    }
                    // `**x`: any run of characters, slashes included.
                    for k in pi...p.count where match(g, next, p, k) { return true }
                    return false
                }
                var k = pi
                while true {
                    if match(g, gi + 1, p, k) { return true }
                    if k >= p.count || p[k] == slash { return false }
                    k += 1
                }
            }
            guard pi < p.count else {
                // Pattern `/x/**` left with `/**` matches `/x`.
                if g[gi] == slash && gi + 3 == g.count && g[gi + 1] == star && g[gi + 2] == star { return true }
                return false
            }
            if c == UInt8(ascii: "?") {
                if p[pi] == slash { return false }
            } else if c != p[pi] {
                return false
            }
            gi += 1
            pi += 1
        }
        return pi == p.count
    }
}
