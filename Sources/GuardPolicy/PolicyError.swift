import GuardJSON

/// A policy that cannot be used, with where and what: `file:line:column: key: message`.
public struct PolicyError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    /// The offending key as a dotted path (`defaults.syscalls.deny[2]`); empty for syntax errors.
    public var key: String
    public var message: String

    public var description: String {
        key.isEmpty ? "\(file):\(line):\(column): \(message)" : "\(file):\(line):\(column): \(key): \(message)"
    }
}

/// A problem found while decoding, before it has a position.
struct DecodeProblem: Error {
    var path: [JSONLocator.Component]
    var message: String

    var dottedPath: String {
        var out = ""
        for c in path {
            switch c {
            case .key(let k): out += out.isEmpty ? k : ".\(k)"
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }
}
