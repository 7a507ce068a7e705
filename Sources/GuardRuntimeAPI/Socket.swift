import Glibc

/// Why a socket operation failed. Internal: the proxy turns these into `ProxyEvent`s and
/// HTTP errors.
enum SocketFailure: Error, Equatable {
    /// The peer closed the connection (EOF where more was expected).
    case closed
    /// A system call failed with this errno (ECONNRESET, ECONNREFUSED, EPIPE, ...).
    case system(String, Int32)
    /// Nothing arrived within the allotted time.
    case timedOut

    var text: String {
        switch self {
        case .closed: return "connection closed by peer"
        case .system(let call, let code): return "\(call): \(String(cString: strerror(code)))"
        case .timedOut: return "timed out"
        }
    }
}

/// A connected or listening TCP socket, blocking, owned by whoever holds it. Every system
/// call goes through here with EINTR retried and errno captured.
struct Socket {
    let fd: Int32

    /// A host and port parsed from `host:port` or `[v6]:port`.
    static func splitHostPort(_ text: String) -> (host: String, port: String)? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), let port = UInt16(rest.dropFirst()), !host.isEmpty else { return nil }
            return (host, String(port))
        }
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let host = String(text[..<colon])
        guard let port = UInt16(text[text.index(after: colon)...]), !host.isEmpty, !host.contains(":") else {
            return nil
        }
        return (host, String(port))
    }

    /// Connects to `host:port` (numeric or a name), TCP_NODELAY set.
    static func connect(host: String, port: String) throws(SocketFailure) -> Socket {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>? = nil
        let rc = getaddrinfo(host, port, &hints, &list)
        guard rc == 0, let first = list else {
            throw .system("getaddrinfo(\(host))", rc == EAI_SYSTEM ? errno : EHOSTUNREACH)
        }
        defer { freeaddrinfo(list) }
        var lastError: SocketFailure = .system("connect", ECONNREFUSED)
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let ai = entry {
            entry = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            if fd < 0 {
                lastError = .system("socket", errno)
                continue
            }
            var r: Int32
            repeat { r = Glibc.connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) } while r < 0 && errno == EINTR
            if r == 0 {
                let s = Socket(fd: fd)
                s.setNoDelay()
                return s
            }
            lastError = .system("connect", errno)
            Glibc.close(fd)
        }
        throw lastError
    }

    /// A listening socket on a numeric address; port 0 picks one.
    static func listen(host: String, port: UInt16) throws(ProxyError) -> (Socket, UInt16) {
        var storage = sockaddr_storage()
        var length: socklen_t
        var family: Int32
        if host.contains(":") {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, host, &a.sin6_addr) == 1 else {
                throw ProxyError(.invalidListenAddress, "guard bootstrap: '\(host)' is not an IP address")
            }
            withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: a) { dst.copyMemory(from: $0) } }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            family = AF_INET6
        } else {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &a.sin_addr) == 1 else {
                throw ProxyError(.invalidListenAddress, "guard bootstrap: '\(host)' is not an IP address")
            }
            withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: a) { dst.copyMemory(from: $0) } }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            family = AF_INET
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ProxyError(.listenFailed, errno: errno, "guard bootstrap: socket: \(errnoText())") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let e = errno
            Glibc.close(fd)
            throw ProxyError(
                .listenFailed, errno: e, "guard bootstrap: bind \(host):\(port): \(String(cString: strerror(e)))")
        }
        guard Glibc.listen(fd, 64) == 0 else {
            let e = errno
            Glibc.close(fd)
            throw ProxyError(.listenFailed, errno: e, "guard bootstrap: listen: \(String(cString: strerror(e)))")
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) }
        }
        let boundPort: UInt16 = withUnsafeBytes(of: actual) { raw in
            // sin_port and sin6_port sit at the same offset, right after the family.
            UInt16(bigEndian: raw.load(fromByteOffset: 2, as: UInt16.self))
        }
        return (Socket(fd: fd), boundPort)
    }

    /// The next connection, nil when the listening socket was shut down.
    func accept() -> Socket? {
        while true {
            let c = Glibc.accept(fd, nil, nil)
            if c >= 0 {
                _ = fcntl(c, F_SETFD, FD_CLOEXEC)
                let s = Socket(fd: c)
                s.setNoDelay()
                return s
            }
            switch errno {
            case EINTR, ECONNABORTED, EPROTO: continue
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                usleep(10_000)
                continue
            default: return nil
            }
        }
    }

    func setNoDelay() {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Reads what is available, waiting at most `timeout` ms (-1: forever). Returns 0 at EOF.
    func receive(into buffer: UnsafeMutableRawBufferPointer, timeout: Int32) throws(SocketFailure) -> Int {
        if timeout >= 0 {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            while true {
                let r = poll(&p, 1, timeout)
                if r > 0 { break }
                if r == 0 { throw .timedOut }
                if errno != EINTR { throw .system("poll", errno) }
            }
        }
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw .system("recv", errno)
        }
    }

    /// Writes all of `bytes`.
    func send(_ bytes: UnsafeRawBufferPointer) throws(SocketFailure) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n > 0 {
                offset += n
                continue
            }
            if n < 0 && errno == EINTR { continue }
            throw .system("send", n < 0 ? errno : EPIPE)
        }
    }

    func send(_ bytes: [UInt8]) throws(SocketFailure) {
        let failure: SocketFailure? = bytes.withUnsafeBytes { raw in
            do throws(SocketFailure) {
                try send(raw)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// True when the peer has closed or reset the connection (or sent something unasked),
    /// checked without blocking: a keep-alive connection that is not reusable.
    func isStale() -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
        if n < 0 { return errno != EAGAIN && errno != EWOULDBLOCK }
        return true
    }

    /// Wakes any thread blocked on this socket (used by `stop()`).
    func shutdownBoth() { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    /// Closes the descriptor; the owner must not use it afterwards.
    func close() { Glibc.close(fd) }
}

func errnoText() -> String { String(cString: strerror(errno)) }
