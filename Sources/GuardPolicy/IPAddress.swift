import Glibc

/// An IP address. IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is stored as the IPv4 address it
/// reaches, so a rule about 169.254.169.254 also catches `[::ffff:169.254.169.254]`.
public struct IPAddress: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// 16 bytes; IPv4 as `::ffff:a.b.c.d`.
    public let bytes: [UInt8]
    public let isIPv6: Bool

    public init(ipv4 b: (UInt8, UInt8, UInt8, UInt8)) {
        bytes = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, b.0, b.1, b.2, b.3]
        isIPv6 = false
    }

    /// From 16 network-order bytes; mapped addresses become IPv4.
    public init(ipv6 raw: [UInt8]) {
        precondition(raw.count == 16)
        bytes = raw
        isIPv6 = !(raw[0..<10].allSatisfy { $0 == 0 } && raw[10] == 0xFF && raw[11] == 0xFF)
    }

    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            let b = withUnsafeBytes(of: &v4) { Array($0) }
            self.init(ipv4: (b[0], b[1], b[2], b[3]))
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self.init(ipv6: withUnsafeBytes(of: &v6) { Array($0) })
            return
        }
        return nil
    }

    public var description: String {
        if !isIPv6 { return "\(bytes[12]).\(bytes[13]).\(bytes[14]).\(bytes[15])" }
        var raw = in6_addr()
        withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: bytes) }
        var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        inet_ntop(AF_INET6, &raw, &buf, socklen_t(buf.count))
        return String(decoding: buf.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// An address with a prefix length (`10.0.0.0/8`, `fd00::/8`); a bare address is /32 or /128.
public struct IPNetwork: Sendable, Equatable, CustomStringConvertible {
    public let address: IPAddress
    /// Prefix length over the 128-bit form (an IPv4 /8 is 96 + 8).
    let prefix128: Int

    public var isIPv6: Bool { address.isIPv6 }

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(String(parts[0])) else { return nil }
        let maxPrefix = address.isIPv6 ? 128 : 32
        var prefix = maxPrefix
        if parts.count == 2 {
            guard let p = Int(parts[1]), p >= 0, p <= maxPrefix else { return nil }
            prefix = p
        }
        self.address = address
        self.prefix128 = address.isIPv6 ? prefix : 96 + prefix
    }

    public func contains(_ ip: IPAddress) -> Bool {
        var bits = prefix128
        var i = 0
        while bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if ip.bytes[i] & mask != address.bytes[i] & mask { return false }
            bits -= 8
            i += 1
        }
        return true
    }

    public var description: String {
        let prefix = address.isIPv6 ? prefix128 : prefix128 - 96
        return prefix128 == 128 ? "\(address)" : "\(address)/\(prefix)"
    }
}
