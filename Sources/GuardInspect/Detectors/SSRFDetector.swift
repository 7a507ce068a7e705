/// Server-side request forgery: every URL in the value (and a bare host at its start) is
/// parsed like a lenient client would — userinfo dropped, `\` read as `/`, IPv4 in dotted,
/// dotless, octal, hex and mixed forms, IPv6 including IPv4-mapped and NAT64 — and flagged
/// when it points at loopback, private, link-local or unspecified addresses, cloud metadata
/// names, rebinding names, or uses a scheme that speaks raw protocols (gopher, dict, …).
enum SSRFDetector {
    static let rawSchemes: [[UInt8]] = [
        "gopher", "dict", "file", "ldap", "ldaps", "tftp", "jar", "netdoc", "phar", "expect", "sftp", "telnet", "smb",
        "php", "glob", "ssh2", "rar", "ogg", "zip",
    ].map { Array($0.utf8) }

    static let metadataPaths = NeedleSet([
        "/latest/meta-data", "/latest/user-data", "/latest/api/token", "/latest/dynamic/", "/computemetadata/",
        "/metadata/instance", "/metadata/v1", "/openstack/latest", "/metadata/identity", "/2009-04-04/meta-data",
        "/metadata/computemetadata", "/runtime/invocation/", "/2018-06-01/runtime", "/v1/metadata",
        "/hetzner/v1/metadata", "/opc/v1/instance", "/opc/v2/instance",
    ])

    static func detect(_ t: ScanText) -> Range<Int>? {
        let l = t.l
        if t.role == .metadata { return nil }
        if t.flags.contains(.slash) {
            if let (_, i) = metadataPaths.first(in: l) { return i..<min(l.count, i + 60) }
        }
        var from = 0
        var count = 0
        if t.flags.contains(.colon) && t.flags.contains(.slash) {
            while let i = l.find("://", from: from), count < 16 {
                count += 1
                from = i + 3
                var s = i
                while s > 0 && (isAlnum(l[s - 1]) || l[s - 1] == 43 || l[s - 1] == 45 || l[s - 1] == 46) { s -= 1 }
                let scheme = Array(l[s..<i])
                if rawSchemes.contains(scheme) { return s..<min(l.count, s + 60) }
                if judgeAuthority(l, i + 3) { return s..<min(l.count, s + 60) }
            }
            // user@host tricks anywhere in a URL: http://a.com &@127.0.0.1/# @a.com
            if from > 0 {
                var at = 0
                while let a = l.find([64], from: at), count < 32 {
                    count += 1
                    at = a + 1
                    if let (host, _) = authority(l, a + 1), dangerous(host.name) {
                        return max(0, a - 20)..<min(l.count, a + 40)
                    }
                }
            }
        }
        // http:127.0.0.1  http:/2852039166  (no `//`; browsers and curl accept it)
        if t.flags.contains(.colon) {
            for scheme in [u8("http:"), u8("https:")] {
                if let i = t.find(scheme), i + scheme.count < l.count,
                    l[i + scheme.count] != 47 || (i + scheme.count + 1 < l.count && l[i + scheme.count + 1] != 47)
                {
                    var j = i + scheme.count
                    while j < l.count && (l[j] == 47 || l[j] == 92) { j += 1 }
                    if judgeAuthority(l, j) { return i..<min(l.count, i + 60) }
                }
            }
        }
        // Scheme-relative //host and a bare host at the start: 127.1:80/, localhost/…
        var s = 0
        while s < l.count && isSpace(l[s]) { s += 1 }
        if l.matches("//", at: s), judgeAuthority(l, s + 2) { return s..<min(l.count, s + 60) }
        if s < l.count, isAlnum(l[s]) || l[s] == 91, t.role != .header || t.name.isEmpty {
            // Only when the value is an address followed by a port or a path: an IP alone is data.
            if let (host, end) = authority(l, s), end < l.count || host.hadPort {
                if end < l.count, l[end] != 47 && l[end] != 63 && l[end] != 35 && !host.hadPort { return nil }
                // A bare host must be a name we know or a dotted or hex address: `1/4` is a fraction.
                let name = host.name
                let addressy = name.contains(46) || name.starts(with: "0x") || name.contains(58)
                if addressy || names.contains(name), dangerous(name), !(name.count < 2) {
                    return s..<min(l.count, s + 60)
                }
            }
        }
        return nil
    }

    struct Host { var name: [UInt8]; var hadPort: Bool }

    /// The host of the authority starting at `i`, and where the authority ends.
    static func authority(_ l: [UInt8], _ i: Int) -> (Host, Int)? {
        var end = i
        while end < l.count, l[end] != 47, l[end] != 63, l[end] != 35, l[end] != 33, !isSpace(l[end]), l[end] != 34,
            l[end] != 39, l[end] != 60, end - i < 256
        {
            end += 1
        }
        var a = Array(l[i..<end]).filter { $0 != 92 }
        if let at = a.lastIndex(of: 64) { a = Array(a[(at + 1)...]) }
        var hadPort = false
        var name: [UInt8]
        if a.first == 91 {
            let close = a.firstIndex(of: 93) ?? a.count
            name = Array(a[1..<close])
            hadPort = close + 1 < a.count && a[close + 1] == 58
        } else {
            let colon = a.firstIndex(of: 58) ?? a.count
            name = Array(a[..<colon])
            hadPort = colon < a.count
        }
        while name.last == 46 { name.removeLast() }
        guard !name.isEmpty else { return nil }
        return (Host(name: name, hadPort: hadPort), end)
    }

    static func judgeAuthority(_ l: [UInt8], _ i: Int) -> Bool {
        guard let (host, end) = authority(l, i) else { return false }
        if dangerous(host.name) { return true }
        // user@host forms: some clients take the part before `@`.
        let full = Array(l[i..<end])
        if let at = full.firstIndex(of: 64) {
            var pre = Array(full[..<at]).filter { $0 != 92 }
            if let colon = pre.firstIndex(of: 58) { pre = Array(pre[..<colon]) }
            if !pre.isEmpty, dangerous(pre) { return true }
        }
        return false
    }

    static let names: [[UInt8]] = [
        "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "metadata", "metadata.google.internal",
        "metadata.goog", "instance-data", "instance-data.ec2.internal", "kubernetes.default", "kubernetes.default.svc",
        "lvh.me", "localtest.me", "vcap.me", "lacolhost.com", "127.0.0.1.nip.io",
        "customer1.app.localhost.my.company.127.0.0.1.nip.io", "spoofed.burpcollaborator.net", "0",
        "metadata.azure.internal", "169.254.169.254.nip.io", "localhost.me", "localhost4", "localhost6",
        "localhost4.localdomain4", "localhost6.localdomain6", "ipv6-localhost", "ipv6-loopback", "ip6-localnet",
        "metadata.packet.net", "metadata.platformequinix.com", "metadata.tencentyun.com", "metadata.oraclecloud.com",
        "instance-data.ec2.internal", "kubernetes.default.svc.cluster.local", "host.docker.internal",
        "gateway.docker.internal",
    ].map { Array($0.utf8) }
    static let suffixes: [[UInt8]] = [
        ".localhost", ".lvh.me", ".localtest.me", ".vcap.me", ".internal", ".nip.io", ".xip.io", ".sslip.io",
        ".localdomain", ".local",
    ].map { Array($0.utf8) }

    static func dangerous(_ name: [UInt8]) -> Bool {
        if names.contains(name) { return true }
        for s in suffixes where name.count > s.count && Array(name.suffix(s.count)) == s {
            if s == u8(".nip.io") || s == u8(".xip.io") || s == u8(".sslip.io") {
                // 10.0.0.1.nip.io resolves to 10.0.0.1
                let inner = Array(name.prefix(name.count - s.count))
                if let v4 = parseIPv4(inner) { return privateV4(v4) }
                if let dot = inner.lastIndex(of: 46), let v4 = parseIPv4(Array(inner[(dot + 1)...])) {
                    return privateV4(v4)
                }
                continue
            }
            return true
        }
        if let v4 = parseIPv4(name) { return privateV4(v4) }
        if name.contains(58), let v6 = parseIPv6(name) { return privateV6(v6) }
        return false
    }

    /// inet_aton: 1 to 4 parts, each decimal, octal (leading 0) or hex (0x).
    static func parseIPv4(_ s: [UInt8]) -> UInt32? {
        guard !s.isEmpty, s.count <= 64, isDigit(s[0]) else { return nil }
        var parts: [UInt64] = []
        var i = 0
        while i < s.count {
            var v: UInt64 = 0
            var base: UInt64 = 10
            if s[i] == 48, i + 1 < s.count, s[i + 1] == 120 {
                base = 16; i += 2
            } else if s[i] == 48, i + 1 < s.count, s[i + 1] == 111 {
                base = 8; i += 2
            } else if s[i] == 48, i + 1 < s.count, isDigit(s[i + 1]) {
                base = 8; i += 1
            }
            let start = i
            while i < s.count, s[i] != 46 {
                guard let d = hexValue(s[i]), UInt64(d) < base else { return nil }
                v = (v &* base &+ UInt64(d)) & 0xFFFF_FFFF_FFFF  // parsers that overflow keep the low bits
                if i - start > 20 { return nil }
                i += 1
            }
            if i == start && base != 8 && !(base == 16) { return nil }
            parts.append(v)
            if parts.count > 4 { return nil }
            if i < s.count { i += 1; if i == s.count { break } }
        }
        // Some parsers wrap each part: 425.510.425.510 is 169.254.169.254 to them.
        if parts.count == 4, parts.allSatisfy({ $0 < 1024 }) { parts = parts.map { $0 & 0xFF } }
        if parts.count == 1 { parts[0] &= 0xFFFF_FFFF }
        switch parts.count {
        case 1: return UInt32(parts[0])
        case 2: guard parts[0] < 256, parts[1] < 1 << 24 else { return nil }; return UInt32(parts[0] << 24 | parts[1])
        case 3:
            guard parts[0] < 256, parts[1] < 256, parts[2] < 1 << 16 else { return nil }
            return UInt32(parts[0] << 24 | parts[1] << 16 | parts[2])
        case 4:
            guard parts.allSatisfy({ $0 < 256 }) else { return nil }
            return UInt32(parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3])
        default: return nil
        }
    }

    static func privateV4(_ a: UInt32) -> Bool {
        let o = a >> 24
        if o == 0 || o == 127 || o == 10 { return true }
        if a & 0xFFF0_0000 == 0xAC10_0000 { return true }  // 172.16/12
        if a & 0xFFFF_0000 == 0xC0A8_0000 { return true }  // 192.168/16
        if a & 0xFFFF_0000 == 0xA9FE_0000 { return true }  // 169.254/16
        if a & 0xFFC0_0000 == 0x6440_0000 { return true }  // 100.64/10 (incl. 100.100.100.200)
        if a & 0xFFFF_FF00 == 0xC000_0000 { return true }  // 192.0.0/24
        if o >= 224 { return true }
        return false
    }

    /// IPv6 with `::`, an embedded dotted IPv4 tail and a `%zone`.
    static func parseIPv6(_ input: [UInt8]) -> [UInt16]? {
        var s = input
        if let z = s.firstIndex(of: 37) { s = Array(s[..<z]) }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        var groups = s.split(separator: 58, omittingEmptySubsequences: false).map { Array($0) }
        if groups.count < 3 || groups.count > 9 { return nil }
        if groups.first == [] && groups.count > 1 && groups[1] == [] { groups.removeFirst() }
        if groups.last == [] && groups.count > 1 && groups[groups.count - 2] == [] { groups.removeLast() }
        for (k, g) in groups.enumerated() {
            if g.isEmpty {
                if sawGap { return nil }
                sawGap = true
                continue
            }
            if k == groups.count - 1, g.contains(46) {
                guard let v4 = parseIPv4(g) else { return nil }
                let pair = [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
                if sawGap { tail += pair } else { head += pair }
                continue
            }
            guard g.count <= 4 else { return nil }
            var v: UInt16 = 0
            for c in g { guard let d = hexValue(c) else { return nil }; v = v << 4 | UInt16(d) }
            if sawGap { tail.append(v) } else { head.append(v) }
        }
        let fill = 8 - head.count - tail.count
        if fill < 0 || (!sawGap && fill != 0) { return nil }
        return head + [UInt16](repeating: 0, count: fill) + tail
    }

    static func privateV6(_ g: [UInt16]) -> Bool {
        if g[0..<7].allSatisfy({ $0 == 0 }) && g[7] <= 1 { return true }  // :: and ::1
        if g[0..<5].allSatisfy({ $0 == 0 }) && (g[5] == 0xFFFF || g[5] == 0) {
            return privateV4(UInt32(g[6]) << 16 | UInt32(g[7]))  // ::ffff:a.b.c.d, ::a.b.c.d
        }
        if g[0] == 0x64 && g[1] == 0xFF9B { return privateV4(UInt32(g[6]) << 16 | UInt32(g[7])) }  // NAT64
        if g[0] & 0xFFC0 == 0xFE80 || g[0] & 0xFE00 == 0xFC00 { return true }  // link-local, ULA (fd00:ec2::254)
        return false
    }
}
