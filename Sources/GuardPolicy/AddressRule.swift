/// A network rule: `ADDR[/PREFIX]:PORT` (IPv6 in brackets, PORT a number, `lo-hi` or `*`),
/// `unix:GLOB` for unix sockets (`unix:@name` for abstract ones), or `*` for anything.
public enum AddressRule: Sendable, Equatable, CustomStringConvertible {
    case any
    case ip(network: IPNetwork, ports: ClosedRange<UInt16>)
    case unix(UnixPattern)

    public enum Problem: Error, Equatable {
        case syntax(String)
    }

    public init(_ text: String) throws(Problem) {
        if text == "*" {
            self = .any
            return
        }
        if text.hasPrefix("unix:") {
            let rest = String(text.dropFirst(5))
            guard !rest.isEmpty else { throw .syntax("unix: needs a path glob or @name") }
            self = .unix(try UnixPattern(rest))
            return
        }
        // Split host part and port at the last ':' outside brackets.
        var hostPart: Substring
        var portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .syntax("'[' without ']'") }
            let inner = text[text.index(after: text.startIndex)..<close]
            var after = text[text.index(after: close)...]
            var prefix: Substring? = nil
            if after.hasPrefix("/") {
                guard let colon = after.firstIndex(of: ":") else { throw .syntax("missing :PORT") }
                prefix = after[after.index(after: after.startIndex)..<colon]
                after = after[colon...]
            }
            guard after.hasPrefix(":") else { throw .syntax("missing :PORT after ']'") }
            hostPart = prefix.map { inner + "/" + $0 } ?? inner
            portPart = after.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw .syntax("missing :PORT (use :* for any port)") }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            if hostPart.contains(":") { throw .syntax("IPv6 addresses go in brackets, e.g. [::1]:443") }
        }
        guard let network = IPNetwork(String(hostPart)) else {
            throw .syntax("'\(hostPart)' is not an IP address or CIDR (host names are not resolved)")
        }
        guard let ports = AddressRule.parsePorts(portPart) else {
            throw .syntax("'\(portPart)' is not a port, lo-hi range or *")
        }
        self = .ip(network: network, ports: ports)
    }

    static func parsePorts(_ s: Substring) -> ClosedRange<UInt16>? {
        if s == "*" { return 0...65535 }
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count <= 2, let lo = UInt16(parts[0]) else { return nil }
        let hi = parts.count == 2 ? UInt16(parts[1]) : lo
        guard let hi, lo <= hi else { return nil }
        return lo...hi
    }

    public var description: String {
        switch self {
        case .any: return "*"
        case .unix(let p): return "unix:\(p.pattern)"
        case .ip(let n, let ports):
            let portText = ports == 0...65535 ? "*" : ports.lowerBound == ports.upperBound ? "\(ports.lowerBound)" : "\(ports.lowerBound)-\(ports.upperBound)"
            return n.isIPv6 ? "[\(n)]:\(portText)" : "\(n):\(portText)"
        }
    }

    /// Does this rule allow `address`? IPv4-mapped IPv6 addresses are their IPv4 address.
    public func matches(_ address: SocketAddress) -> Bool {
        switch (self, address) {
        case (.any, _): return true
        case (.ip(let net, let ports), .ip(let ip, let port)): return ports.contains(port) && net.contains(ip)
        case (.unix(let pattern), .unix(let path)): return pattern.matches(path)
        default: return false
        }
    }
}

/// `unix:` patterns: a glob on the socket path, or `@name` for the abstract namespace
/// (matched as a glob on `/name`). Compiled once, when the policy is loaded.
public struct UnixPattern: Sendable, Equatable {
    public let pattern: String
    let isAbstract: Bool
    /// nil: `*`, any unix address.
    let glob: Glob?

    init(_ pattern: String) throws(AddressRule.Problem) {
        self.pattern = pattern
        isAbstract = pattern.hasPrefix("@")
        guard pattern != "*" else {
            glob = nil
            return
        }
        do {
            glob = try Glob(isAbstract ? "/" + pattern.dropFirst() : pattern)
        } catch {
            throw .syntax("'\(pattern)' is not an absolute path glob or @name (\(error))")
        }
    }

    func matches(_ path: String) -> Bool {
        guard let glob else { return true }
        guard isAbstract == path.hasPrefix("@") else { return false }
        return glob.matches(isAbstract ? "/" + path.dropFirst() : path)
    }
}

/// A socket address as the supervisor decodes it from a syscall.
public enum SocketAddress: Sendable, Equatable, CustomStringConvertible {
    case ip(IPAddress, port: UInt16)
    case unix(String)  // a path, or "@name" for an abstract socket

    public var description: String {
        switch self {
        case .ip(let a, let port): return a.isIPv6 ? "[\(a)]:\(port)" : "\(a):\(port)"
        case .unix(let p): return "unix:\(p)"
        }
    }
}
