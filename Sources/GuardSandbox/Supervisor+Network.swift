import CGuardSys
import Glibc
import GuardPolicy
import GuardReport

/// The `network` rules. IP connects and binds are emulated on a copy of the socket taken
/// with pidfd_getfd and the address the supervisor checked, so a racing thread cannot
/// change the address after the check. Unix-socket connects are checked and continued:
/// emulating them would give the peer the supervisor's credentials (SO_PEERCRED).
extension Supervisor {
    func decideNetwork(_ n: Notification, name: String, op: NetworkOperation) -> Verdict {
        let mem = memory(n)
        var addresses: [(bytes: [UInt8], address: SocketAddress?)] = []
        switch op {
        case .connect, .bind:
            let length = min(Int(n.args[2]), 128)
            guard let bytes = mem.read(n.args[1], count: length) else { return .fail(EFAULT) }
            addresses.append((bytes, SocketAddressDecoder.decode(bytes)))
        case .sendto:
            guard n.args[4] != 0 else { return .continue }  // connected socket: checked at connect
            guard let bytes = mem.read(n.args[4], count: min(Int(n.args[5]), 128)) else { return .fail(EFAULT) }
            addresses.append((bytes, SocketAddressDecoder.decode(bytes)))
        case .sendmsg:
            // sendmmsg passes a vector of (msghdr, len); sendmsg a single msghdr.
            let isVector = name == "sendmmsg"
            let count = isVector ? min(Int(n.args[2]), 1024) : 1
            for i in 0..<count {
                let header = n.args[1] + UInt64(i * (isVector ? 64 : 56))
                guard let h = mem.read(header, count: 12) else { return .fail(EFAULT) }
                let namePointer = h[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                let nameLength = h[8..<12].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                guard namePointer != 0, nameLength > 0 else { continue }
                guard let bytes = mem.read(namePointer, count: min(Int(nameLength), 128)) else { return .fail(EFAULT) }
                addresses.append((bytes, SocketAddressDecoder.decode(bytes)))
            }
        }
        guard stillValid(n) else { return .answered }

        let rules = op == .bind ? policy.network?.bind : policy.network?.connect
        let ruleName = op == .bind ? "network.bind" : "network.connect"
        for entry in addresses {
            guard let address = entry.address else {
                // Not IP or unix: netlink (glibc's resolver asks the kernel about interfaces)
                // and AF_UNSPEC pass; anything else (AF_PACKET …) could carry traffic past
                // the rules.
                let family = entry.bytes.count >= 2 ? Int32(UInt16(entry.bytes[0]) | UInt16(entry.bytes[1]) << 8) : 0
                if family == AF_NETLINK || family == AF_UNSPEC { continue }
                report(n, category: .network, action: .denied, rule: ruleName, severity: .high, syscall: name,
                       address: "family:\(family)")
                return .fail(EACCES)
            }
            if let rules, !rules.contains(where: { $0.matches(address) }) {
                let action = policy.effective(policy.network?.action ?? .deny)
                let severity: Severity = isMetadata(address) ? .high : .medium
                switch action {
                case .audit, .allow:
                    report(n, category: .network, action: .audited, rule: ruleName, severity: severity, syscall: name,
                           address: address.description)
                case .kill:
                    report(n, category: .network, action: .killed, rule: ruleName, severity: .critical, syscall: name,
                           address: address.description)
                    return .kill
                case .deny:
                    report(n, category: .network, action: .denied, rule: ruleName, severity: severity, syscall: name,
                           address: address.description)
                    return .fail(op == .connect ? ECONNREFUSED : EACCES)
                }
            }
        }
        // Allowed: emulate where the race matters and emulation is faithful.
        if (op == .connect || op == .bind), let only = addresses.first, case .ip(_, let port)? = only.address {
            if op == .bind && port != 0 && port < 1024 && !callerHasCapability(n.tid, bit: 10) { return .fail(EACCES) }
            return emulate(n, op: op, address: only.bytes)
        }
        return .continue
    }

    func isMetadata(_ address: SocketAddress) -> Bool {
        guard case .ip(let ip, _) = address else { return false }
        return ip.description == "169.254.169.254" || ip.description == "fd00:ec2::254" || ip.description == "100.100.100.200"
    }

    func callerHasCapability(_ tid: Int32, bit: Int) -> Bool {
        guard let caps = Credentials.of(tid)?.effectiveCaps else { return false }
        return caps & (1 << UInt64(bit)) != 0
    }

    /// connect/bind on the caller's socket, with the checked copy of the address.
    func emulate(_ n: Notification, op: NetworkOperation, address: [UInt8]) -> Verdict {
        let tgid = ProcInfo.tgid(n.tid)
        let pidfd = tgid == child.pid ? child.pidfd : guard_pidfd_open(tgid)
        guard pidfd >= 0 else { return .continue }
        defer { if pidfd != child.pidfd { close(pidfd) } }
        let socket = guard_pidfd_getfd(pidfd, n.int(0))
        guard socket >= 0 else { return .fail(-socket == EBADF ? EBADF : ENOTSOCK) }
        defer { close(socket) }
        let rc = address.withUnsafeBytes { raw -> Int32 in
            let sa = raw.baseAddress!.assumingMemoryBound(to: sockaddr.self)
            return op == .connect ? connect(socket, sa, socklen_t(raw.count)) : bind(socket, sa, socklen_t(raw.count))
        }
        return rc == 0 ? .value(0) : .fail(errno)
    }
}

/// Decodes a sockaddr the caller passed. IPv4-mapped IPv6 becomes IPv4 (IPAddress does it).
enum SocketAddressDecoder {
    static func decode(_ b: [UInt8]) -> SocketAddress? {
        guard b.count >= 2 else { return nil }
        let family = Int32(UInt16(b[0]) | UInt16(b[1]) << 8)
        switch family {
        case AF_INET where b.count >= 8:
            let port = UInt16(b[2]) << 8 | UInt16(b[3])
            return .ip(IPAddress(ipv4: (b[4], b[5], b[6], b[7])), port: port)
        case AF_INET6 where b.count >= 24:
            let port = UInt16(b[2]) << 8 | UInt16(b[3])
            return .ip(IPAddress(ipv6: Array(b[8..<24])), port: port)
        case AF_UNIX:
            let path = b.count > 2 ? Array(b[2...]) : []
            if path.first == 0 {
                // Abstract namespace: the name is every byte after the NUL, up to the length.
                return .unix("@" + String(decoding: path.dropFirst(), as: UTF8.self))
            }
            return .unix(String(decoding: path.prefix(while: { $0 != 0 }), as: UTF8.self))
        default:
            return nil
        }
    }
}
