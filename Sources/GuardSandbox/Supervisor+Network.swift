import CGuardSys
import Glibc
import GuardPolicy
import GuardReport

/// The `network` rules. Every allowed call that names an address is emulated on a copy of
/// the caller's socket (pidfd_getfd) with the address the supervisor checked, so a racing
/// thread cannot change the address after the check: connect and bind, and sendto, sendmsg
/// and sendmmsg on datagram sockets. Unix socket paths are judged by the file the caller
/// reaches (Supervisor+UnixSockets.swift).
extension Supervisor {
    /// One address the call names: sendmmsg names one per message (nil: that message has
    /// none and goes where the socket is connected).
    struct NamedAddress {
        var bytes: [UInt8]
        var address: SocketAddress?
        /// For a unix path: the socket file (connect, send) or its directory (bind), pinned.
        var pinned: Pinned? = nil

        /// An abstract unix name (its first byte NUL), which `address` spells `@name`; a path
        /// may start with `@` too.
        var isAbstract: Bool { bytes.count > 2 && bytes[0] == UInt8(AF_UNIX) && bytes[1] == 0 && bytes[2] == 0 }
    }

    func decideNetwork(_ n: Notification, name: String, op: NetworkOperation) -> Verdict {
        let mem = memory(n)
        var named: [NamedAddress?] = []
        switch op {
        case .connect, .bind:
            let length = min(Int(clamping: n.args[2]), 128)
            guard let bytes = mem.read(n.args[1], count: length) else { return .fail(EFAULT) }
            named.append(NamedAddress(bytes: bytes, address: SocketAddressDecoder.decode(bytes, dissolves: op == .connect)))
        case .sendto:
            guard n.args[4] != 0 else { return .continue }  // connected socket: checked at connect
            guard let bytes = mem.read(n.args[4], count: min(Int(clamping: n.args[5]), 128)) else { return .fail(EFAULT) }
            named.append(NamedAddress(bytes: bytes, address: SocketAddressDecoder.decode(bytes, dissolves: false)))
        case .sendmsg:
            for header in messageHeaders(n, name: name) {
                guard let h = mem.read(header, count: 12) else { return .fail(EFAULT) }
                let namePointer = h.littleEndian(at: 0)
                let nameLength = h.littleEndian(at: 8, size: 4)
                guard namePointer != 0, nameLength > 0 else {
                    named.append(nil)
                    continue
                }
                guard let bytes = mem.read(namePointer, count: min(Int(nameLength), 128)) else { return .fail(EFAULT) }
                named.append(NamedAddress(bytes: bytes, address: SocketAddressDecoder.decode(bytes, dissolves: false)))
            }
            if named.allSatisfy({ $0 == nil }) { return .continue }
        }
        guard stillValid(n) else { return .answered }

        return asCaller(n) { () -> Verdict in
            defer { named.forEach { $0?.pinned?.close() } }
            // Unix paths: the rules see the socket file the caller reaches (cwd, `..`,
            // symlinks), pinned so the emulated call reaches that very file.
            var pinError: Int32?  // the first, as the kernel would meet it
            for i in named.indices {
                guard case .unix(let path)? = named[i]?.address, !path.isEmpty, named[i]?.isAbstract == false else { continue }
                switch pinSocketPath(n, path, forBind: op == .bind) {
                case .success(let pinned):
                    named[i]?.pinned = pinned
                    named[i]?.address = .unix(pinned.path)
                case .failure(let e): pinError = pinError ?? e.rawValue
                }
            }
            if let refused = judgeAddresses(n, name: name, op: op, named.compactMap { $0 }) { return refused }
            // The call as the kernel would have failed it, now that no rule refuses it.
            if let pinError { return .fail(pinError) }

            if op == .connect || op == .bind, let only = named.first ?? nil {
                switch only.address {
                case .ip(_, let port)?:
                    if op == .bind && port != 0 && port < 1024 && !callerHasCapability(n.tid, bit: 10) { return .fail(EACCES) }
                    return emulate(n, op: op, address: only.bytes, mayWait: true)
                case .unix?: return emulateUnix(n, op: op, only)
                case nil:
                    // A connect's AF_UNSPEC (dissolve) and netlink name no destination, but
                    // the caller can still change the bytes: emulated with the checked copy
                    // too, never continued.
                    return emulate(n, op: op, address: only.bytes, mayWait: false)
                }
            }
            return emulateSend(n, name: name, op: op, named)
        }
    }

    /// The msghdr addresses of a sendmsg (one) or sendmmsg (a vector of mmsghdr, 64 bytes
    /// each, at most UIO_MAXIOV as the kernel takes).
    func messageHeaders(_ n: Notification, name: String) -> [UInt64] {
        guard name == "sendmmsg" else { return [n.args[1]] }
        return (0..<min(Int(clamping: n.args[2]), 1024)).map { n.args[1] + UInt64($0 * 64) }
    }

    /// Applies the rules to every address; the verdict that refuses the call, or nil.
    func judgeAddresses(_ n: Notification, name: String, op: NetworkOperation, _ named: [NamedAddress]) -> Verdict? {
        let rules = op == .bind ? policy.network?.bind : policy.network?.connect
        let ruleName = op == .bind ? "network.bind" : "network.connect"
        for entry in named {
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
            guard let rules, !rules.contains(where: { $0.matches(address) }) else { continue }
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
        return nil
    }

    /// A descriptor of the caller's, taken with pidfd_getfd (with the supervisor's rights
    /// if the held identity may not), or -errno. The pidfd is the calling thread's own
    /// (PIDFD_THREAD: its fd table is the process's, and no /proc read finds its process);
    /// before Linux 6.9, its process's.
    func takeDescriptor(_ n: Notification, _ fd: Int32) -> Int32 {
        var pidfd = guard_pidfd_open_thread(n.tid)
        if pidfd == -EINVAL { pidfd = guard_pidfd_open(callerTGID(n.tid)) }
        guard pidfd >= 0 else { return -ESRCH }
        defer { close(pidfd) }
        // The tid names the caller only while its call is pending.
        guard stillValid(n) else { return -ESRCH }
        var taken = guard_pidfd_getfd(pidfd, fd)
        if taken == -EPERM { taken = asSupervisor { guard_pidfd_getfd(pidfd, fd) } }
        return taken
    }

    func takeSocket(_ n: Notification) -> Int32 { takeDescriptor(n, n.int(0)) }

    /// sendto, sendmsg and sendmmsg naming an address, on a datagram socket: sent by the
    /// supervisor on the caller's socket, message by message, each to the address it
    /// checked, with the caller's data, so a racing thread cannot redirect any. Stream
    /// sockets ignore the address (unless TCP Fast Open asks to connect, which is sent the
    /// same way and, like an emulated connect, may wait for the handshake). A datagram
    /// never blocks the supervisor (MSG_DONTWAIT): a full receiver gives the caller EAGAIN.
    func emulateSend(_ n: Notification, name: String, op: NetworkOperation, _ named: [NamedAddress?]) -> Verdict {
        let msgFastOpen: Int32 = 0x2000_0000
        let socket = takeSocket(n)
        guard socket >= 0 else { return .fail(-socket == EBADF ? EBADF : ENOTSOCK) }
        defer { close(socket) }
        var type: Int32 = 0, domain: Int32 = 0
        var optionLength = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(socket, SOL_SOCKET, SO_TYPE, &type, &optionLength) == 0 else { return .fail(ENOTSOCK) }
        _ = getsockopt(socket, SOL_SOCKET, SO_DOMAIN, &domain, &optionLength)
        let stream = type == Int32(SOCK_STREAM.rawValue)
        let flags = op == .sendto || name == "sendmmsg" ? n.int(3) : n.int(2)
        // Unix stream and seqpacket sockets ignore (or refuse) a named address; so does TCP
        // without Fast Open.
        if (stream && (domain == AF_UNIX || flags & msgFastOpen == 0)) || type == Int32(SOCK_SEQPACKET.rawValue) {
            return .continue
        }
        let sendFlags = flags | (stream ? 0 : Int32(MSG_DONTWAIT)) | Int32(MSG_NOSIGNAL)
        let mem = memory(n)

        if op == .sendto {
            let length = Int(clamping: n.args[2])
            if length > Self.maxDatagram && !stream { return .fail(EMSGSIZE) }
            guard let data = mem.read(n.args[1], count: min(length, Self.maxDatagram)) else { return .fail(EFAULT) }
            guard stillValid(n) else { return .answered }
            if stream { return sendWaiting(n, socket, data: data, control: [], to: destination(named[0]), flags: sendFlags) }
            let sent = withCallerEffectiveIDs(n, if: domain == AF_UNIX) {
                send(socket, data: data, control: [], to: destination(named[0]), flags: sendFlags)
            }
            return sent >= 0 ? .value(Int64(sent)) : .fail(Int32(-sent))
        }
        let headers = messageHeaders(n, name: name)
        var delivered = 0
        for (i, header) in headers.enumerated() {
            guard let h = mem.read(header, count: 56) else { return delivered > 0 ? .value(Int64(delivered)) : .fail(EFAULT) }
            var sent: Int
            switch readMessage(n, mem, h, stream: stream, unix: domain == AF_UNIX) {
            case .failure(let e): sent = -Int(e.rawValue)
            case .success(let (data, control, taken)):
                guard stillValid(n) else {
                    taken.forEach { close($0) }
                    return .answered
                }
                if stream && name == "sendmsg" {  // IP only: no descriptors taken
                    return sendWaiting(n, socket, data: data, control: control, to: destination(named[i]), flags: sendFlags)
                }
                sent = withCallerEffectiveIDs(n, if: domain == AF_UNIX) {
                    send(socket, data: data, control: control, to: destination(named[i]), flags: sendFlags)
                }
                taken.forEach { close($0) }
            }
            if name != "sendmmsg" { return sent >= 0 ? .value(Int64(sent)) : .fail(-Int32(sent)) }
            // sendmmsg: msg_len of each message sent, the count, or the first error.
            if sent < 0 { return delivered > 0 ? .value(Int64(delivered)) : .fail(-Int32(sent)) }
            let length = UInt32(sent)
            _ = mem.write((0..<4).map { UInt8(truncatingIfNeeded: length >> ($0 * 8)) }, at: header + 56)
            delivered += 1
        }
        return .value(Int64(delivered))
    }

    /// A TCP Fast Open send on a blocking socket waits for the handshake: on a thread of its
    /// own (Supervisor+Blocking), with a descriptor of its own for the socket.
    func sendWaiting(_ n: Notification, _ socket: Int32, data: [UInt8], control: [UInt8], to address: [UInt8]?, flags: Int32)
        -> Verdict
    {
        if fcntl(socket, F_GETFL) & O_NONBLOCK != 0 {
            let sent = send(socket, data: data, control: control, to: address, flags: flags)
            return sent >= 0 ? .value(Int64(sent)) : .fail(Int32(-sent))
        }
        let mine = fcntl(socket, F_DUPFD_CLOEXEC, 0)
        guard mine >= 0 else { return .fail(errno) }
        return offload(n, as: nil) {
            defer { close(mine) }
            let sent = self.send(mine, data: data, control: control, to: address, flags: flags)
            return sent >= 0 ? .value(Int64(sent)) : .fail(Int32(-sent))
        }
    }

    static let maxDatagram = 65_536

    /// A msghdr's data and control data, read from the caller. For a unix socket the
    /// descriptors it passes (SCM_RIGHTS) are taken into the supervisor and renumbered;
    /// `taken` lists them for closing after the send.
    func readMessage(_ n: Notification, _ mem: ProcessMemory, _ h: [UInt8], stream: Bool, unix: Bool)
        -> Result<(data: [UInt8], control: [UInt8], taken: [Int32]), Errno>
    {
        let (iov, iovCount) = (h.littleEndian(at: 16), Int(clamping: h.littleEndian(at: 24)))
        let (controlPointer, controlLength) = (h.littleEndian(at: 32), Int(clamping: h.littleEndian(at: 40)))
        guard iovCount <= 1024, controlLength <= 65_536 else { return .failure(Errno(rawValue: EINVAL)) }
        var data: [UInt8] = []
        if iovCount > 0 {
            guard let vector = mem.read(iov, count: iovCount * 16) else { return .failure(Errno(rawValue: EFAULT)) }
            for i in 0..<iovCount {
                let base = vector.littleEndian(at: i * 16)
                let length = Int(clamping: vector.littleEndian(at: i * 16 + 8))
                if length > Self.maxDatagram - data.count {
                    if !stream { return .failure(Errno(rawValue: EMSGSIZE)) }
                    break
                }
                guard let bytes = mem.read(base, count: length) else { return .failure(Errno(rawValue: EFAULT)) }
                data += bytes
            }
        }
        guard controlLength > 0 else { return .success((data, [], [])) }
        guard var control = mem.read(controlPointer, count: controlLength) else { return .failure(Errno(rawValue: EFAULT)) }
        // IP control data (IP_PKTINFO, TOS …) means the same on the supervisor's side.
        guard unix else { return .success((data, control, [])) }
        var taken: [Int32] = []
        var offset = 0
        while offset + 16 <= control.count {
            let length = Int(clamping: control.littleEndian(at: offset))
            let (level, type) = (control.littleEndian(at: offset + 8, size: 4), control.littleEndian(at: offset + 12, size: 4))
            guard length >= 16, offset + length <= control.count else { break }
            if level == UInt64(SOL_SOCKET) && type == 2 && length >= 28 {  // SCM_CREDENTIALS
                // The supervisor sends with its saved ids root, which the kernel would accept
                // as any claim: only the caller's own uid and gid may be claimed (root may
                // claim any, as the kernel lets it).
                let uid = UInt32(control.littleEndian(at: offset + 20, size: 4))
                let gid = UInt32(control.littleEndian(at: offset + 24, size: 4))
                guard let caller = callerCredentials(n.tid),
                    caller.euid == 0 || ([caller.ruid, caller.euid].contains(uid) && [caller.rgid, caller.egid].contains(gid))
                else {
                    taken.forEach { close($0) }
                    return .failure(Errno(rawValue: EPERM))
                }
            }
            if level == UInt64(SOL_SOCKET) && type == 1 {  // SCM_RIGHTS
                for at in stride(from: offset + 16, to: offset + length - 3, by: 4) {
                    let fd = takeDescriptor(n, Int32(truncatingIfNeeded: control.littleEndian(at: at, size: 4)))
                    guard fd >= 0 else {
                        taken.forEach { close($0) }
                        return .failure(Errno(rawValue: EBADF))
                    }
                    taken.append(fd)
                    for b in 0..<4 { control[at + b] = UInt8(truncatingIfNeeded: UInt32(bitPattern: fd) >> (b * 8)) }
                }
            }
            offset += (length + 7) & ~7
        }
        return .success((data, control, taken))
    }

    /// Where the supervisor sends a message: the checked copy of the caller's address, or
    /// for a unix path the pinned socket file; nil for a message that names none.
    func destination(_ named: NamedAddress?) -> [UInt8]? {
        guard let named else { return nil }
        if case .target(let fd, _)? = named.pinned { return Self.unixAddress("/proc/self/fd/\(fd)") }
        return named.bytes
    }

    /// One sendmsg by the supervisor: bytes sent or -errno.
    func send(_ socket: Int32, data: [UInt8], control: [UInt8], to address: [UInt8]?, flags: Int32) -> Int {
        var data = data, control = control
        let address = address ?? []
        let sent = address.withUnsafeBytes { name -> Int in
            data.withUnsafeMutableBytes { payload -> Int in
                control.withUnsafeMutableBytes { ancillary -> Int in
                    var io = iovec(iov_base: payload.baseAddress, iov_len: payload.count)
                    return withUnsafeMutablePointer(to: &io) { io -> Int in
                        var message = msghdr()
                        message.msg_name = name.count > 0 ? UnsafeMutableRawPointer(mutating: name.baseAddress) : nil
                        message.msg_namelen = socklen_t(name.count)
                        message.msg_iov = io
                        message.msg_iovlen = 1
                        message.msg_control = ancillary.count > 0 ? ancillary.baseAddress : nil
                        message.msg_controllen = ancillary.count
                        return sendmsg(socket, &message, flags)
                    }
                }
            }
        }
        return sent >= 0 ? sent : -Int(errno)
    }

    func isMetadata(_ address: SocketAddress) -> Bool {
        guard case .ip(let ip, _) = address else { return false }
        return ip.description == "169.254.169.254" || ip.description == "fd00:ec2::254" || ip.description == "100.100.100.200"
    }

    func callerHasCapability(_ tid: Int32, bit: Int) -> Bool {
        guard let caps = callerCredentials(tid)?.effectiveCaps else { return false }
        return caps & (1 << UInt64(bit)) != 0
    }

    /// connect/bind on the caller's socket, with the checked copy of the address.
    func emulate(_ n: Notification, op: NetworkOperation, address: [UInt8], mayWait: Bool) -> Verdict {
        let socket = takeSocket(n)
        guard socket >= 0 else { return .fail(-socket == EBADF ? EBADF : ENOTSOCK) }
        if op == .connect && mayWait && fcntl(socket, F_GETFL) & O_NONBLOCK == 0 {
            // A blocking connect waits for the handshake (minutes, for a silent host; the
            // socket's SO_SNDTIMEO holds): on a thread of its own (Supervisor+Blocking).
            return offload(n, as: nil) {
                defer { close(socket) }
                let rc = Self.call(op, socket, address)
                return rc == 0 ? .value(0) : .fail(rc)
            }
        }
        defer { close(socket) }
        let rc = Self.call(op, socket, address)
        return rc == 0 ? .value(0) : .fail(rc)
    }
}

/// Decodes a sockaddr the caller passed. IPv4-mapped IPv6 becomes IPv4 (IPAddress does it).
/// AF_UNSPEC is what the kernel makes of it: IPv4 for a send or a bind (a UDP sendto and
/// an INADDR_ANY bind accept it as AF_INET), no destination for a connect (`dissolves`).
enum SocketAddressDecoder {
    static func decode(_ b: [UInt8], dissolves: Bool) -> SocketAddress? {
        guard b.count >= 2 else { return nil }
        let family = Int32(UInt16(b[0]) | UInt16(b[1]) << 8)
        switch family {
        case AF_INET where b.count >= 8, AF_UNSPEC where b.count >= 8 && !dissolves:
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
