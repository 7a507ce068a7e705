#if canImport(Glibc)
import Glibc
#endif

/// The descriptor report lines are written to. Only the writer thread writes; a write may
/// block for stream sinks (that is the writer thread's job) but never for datagrams.
struct ReportSink: @unchecked Sendable {
    enum Kind {
        /// stderr, a file or an inherited fd: write(2) loops over EINTR and partial writes.
        case stream
        /// A unix datagram socket: one sendto(2) per line, never waiting for the receiver.
        case datagram(sockaddr_un, socklen_t)
    }

    let fd: Int32
    let kind: Kind
    /// Whether guard opened the descriptor (and so closes it).
    let owned: Bool

    /// Opens `destination`. Everything opened here is close-on-exec, so the supervised
    /// program never inherits it.
    static func open(_ destination: ReportDestination) throws(ReportError) -> ReportSink {
        let name = destination.description
        switch destination {
        case .stderr:
            return ReportSink(fd: STDERR_FILENO, kind: .stream, owned: false)
        case .fd(let n):
            let flags = fcntl(n, F_GETFL)
            if flags == -1 { throw ReportError(code: .badDescriptor, destination: name, errno: errno) }
            if flags & O_ACCMODE == O_RDONLY {
                throw ReportError(code: .badDescriptor, destination: name, detail: "open read-only")
            }
            // An inherited report fd is guard's from now on, not the program's.
            if n > STDERR_FILENO { _ = fcntl(n, F_SETFD, FD_CLOEXEC) }
            return ReportSink(fd: n, kind: .stream, owned: false)
        case .file(let path):
            let fd = Self.retryingEINTR { Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644) }
            if fd == -1 { throw ReportError(code: .open, destination: name, errno: errno) }
            return ReportSink(fd: fd, kind: .stream, owned: true)
        case .unix(let path):
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            let capacity = MemoryLayout.size(ofValue: address.sun_path)
            guard bytes.count < capacity else {
                throw ReportError(code: .invalidDestination, destination: name, detail: "socket path too long")
            }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: bytes)
                raw[bytes.count] = 0
            }
            let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
            let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            if fd == -1 { throw ReportError(code: .socket, destination: name, errno: errno) }
            return ReportSink(fd: fd, kind: .datagram(address, length), owned: true)
        }
    }

    /// Writes one whole line. Returns 0, or the errno that lost it.
    func write(_ line: UnsafeRawBufferPointer) -> Int32 {
        guard let base = line.baseAddress, line.count > 0 else { return 0 }
        switch kind {
        case .stream:
            var offset = 0
            while offset < line.count {
                let n = Glibc.write(fd, base + offset, line.count - offset)
                if n > 0 {
                    offset += n
                } else if n == 0 {
                    return EIO
                } else if errno != EINTR {
                    return errno
                }
            }
            return 0
        case .datagram(var address, let length):
            let flags = Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL)
            while true {
                let n = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, base, line.count, flags, $0, length)
                    }
                }
                if n >= 0 { return n == line.count ? 0 : EMSGSIZE }
                if errno != EINTR { return errno }
            }
        }
    }

    /// Closes the descriptor if guard opened it.
    func close() {
        if owned { _ = Glibc.close(fd) }
    }

    private static func retryingEINTR(_ call: () -> Int32) -> Int32 {
        while true {
            let result = call()
            if result != -1 || errno != EINTR { return result }
        }
    }
}
