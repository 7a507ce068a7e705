import CGuardSys
import Glibc
import GuardPolicy

/// Unix sockets named by path or abstract name. A path is judged by the socket file the
/// caller reaches (its cwd, `..`, symlinks), pinned with O_PATH as the caller resolves it;
/// the supervisor then connects or sends to that very file through /proc/self/fd/N, or
/// binds the name in the pinned directory. An abstract name is used as the checked copy.
///
/// The peer of an emulated connect or datagram sees the caller's effective uid and gid
/// (SO_PEERCRED, SCM_CREDENTIALS) but the guard's pid: the kernel records the pid of the
/// task that makes the call.
extension Supervisor {
    func pinSocketPath(_ n: Notification, _ path: String, forBind: Bool) -> Result<Pinned, Errno> {
        guard let request = pathResolver.request(tid: n.tid, dirfd: PathResolver.atFDCWD, raw: Array(path.utf8)) else {
            return .failure(Errno(rawValue: ENOENT))
        }
        defer { request.close() }
        // connect and sendto follow symlinks to the socket; bind creates the name and
        // refuses one that exists, symlink or not.
        let pinned = pin(request, follow: !forBind)
        if case .success(let p) = pinned, case .entry = p, !forBind {
            p.close()
            return .failure(Errno(rawValue: ENOENT))
        }
        return pinned
    }

    /// connect or bind on the caller's unix socket, to the pinned file or directory or the
    /// checked abstract name.
    func emulateUnix(_ n: Notification, op: NetworkOperation, _ named: NamedAddress) -> Verdict {
        let socket = takeSocket(n)
        guard socket >= 0 else { return .fail(-socket == EBADF ? EBADF : ENOTSOCK) }
        if op == .connect, case .target(let fd, _)? = named.pinned, fcntl(socket, F_GETFL) & O_NONBLOCK == 0 {
            // A stream connect waits while the listener's backlog is full: on a thread of
            // its own, as the caller (Supervisor+Blocking).
            let pinned = fcntl(fd, F_DUPFD_CLOEXEC, 0)
            if pinned >= 0 {
                return offload(n, as: callerCredentials(n.tid), peer: true) {
                    defer {
                        close(pinned)
                        close(socket)
                    }
                    let rc = Self.call(op, socket, Self.unixAddress("/proc/self/fd/\(pinned)"))
                    return rc == 0 ? .value(0) : .fail(rc)
                }
            }
        }
        defer { close(socket) }
        let rc: Int32
        switch named.pinned {
        case .target(let fd, _)?:
            rc = withCallerEffectiveIDs(n, if: true) { Self.call(op, socket, Self.unixAddress("/proc/self/fd/\(fd)")) }
        case .entry(let parent, let leaf, _)?:
            // bind creates `leaf` in the pinned directory: this thread has its own cwd
            // (unshare(CLONE_FS)), so it binds relative to it and goes back.
            let here = open(".", O_PATH | O_CLOEXEC)
            defer {
                if here >= 0 {
                    _ = fchdir(here)
                    close(here)
                }
            }
            guard fchdir(parent) == 0 else { return .fail(errno) }
            rc = withCallerEffectiveIDs(n, if: true) { Self.call(op, socket, Self.unixAddress(leaf)) }
        case nil:
            // An abstract name or autobind: the checked copy, with the caller's ids (a stream
            // peer's SO_PEERCRED is taken from whoever connects).
            rc = withCallerEffectiveIDs(n, if: true) { Self.call(op, socket, named.bytes) }
        }
        return rc == 0 ? .value(0) : .fail(rc)
    }

    /// connect or bind: 0 or errno.
    static func call(_ op: NetworkOperation, _ socket: Int32, _ address: [UInt8]) -> Int32 {
        let rc = address.withUnsafeBytes { raw -> Int32 in
            let sa = raw.baseAddress!.assumingMemoryBound(to: sockaddr.self)
            return op == .connect ? connect(socket, sa, socklen_t(raw.count)) : bind(socket, sa, socklen_t(raw.count))
        }
        return rc == 0 ? 0 : errno
    }

    /// A sockaddr_un for `path` (at most 107 bytes, NUL-terminated).
    static func unixAddress(_ path: String) -> [UInt8] {
        let family = UInt16(AF_UNIX)
        return [UInt8(family & 0xff), UInt8(family >> 8)] + Array(path.utf8.prefix(107)) + [0]
    }

    /// Runs `body` as the caller (asCaller) and, when `condition` holds, with the caller's
    /// effective uid and gid on this thread too: a unix peer sees them (SO_PEERCRED), so a
    /// root guard must not make a nobody caller look like root. The ids are changed from
    /// the supervisor's own identity (that takes CAP_SETUID); the real and saved ids stay
    /// root, so the thread can go back, and a return to euid 0 refills the capabilities.
    func withCallerEffectiveIDs<T>(_ n: Notification, if condition: Bool, _ body: () -> T) -> T {
        let own = supervisorCredentials
        guard condition, own.euid == 0, let caller = callerCredentials(n.tid), caller.euid != 0 else {
            // Taking descriptors may have needed the supervisor's rights: the caller's again.
            return condition ? asCaller(n, body) : body()
        }
        return asSupervisor {
            caller.applyAsPeer()
            let result = body()
            own.returnFromPeer()
            return result
        }
    }
}
