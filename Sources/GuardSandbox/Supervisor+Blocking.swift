import CGuardSys
import Glibc

/// Calls that wait on someone else: a FIFO open waits for its other end, a connect on a
/// blocking socket for the handshake. The notification thread must not wait with them:
/// every other supervised call would queue behind, and the FIFO's other end may be the
/// program's own next call (a deadlock). Such a call finishes on a thread of its own,
/// which answers the notification itself.
extension Supervisor {
    /// Runs `work` on a new thread with `identity` (nil: the supervisor's), which sends the
    /// verdict `work` returns on a listener fd of its own. Runs inline (the verdict is
    /// returned) if no thread can be had.
    /// With `peer`, the thread takes the caller's effective uid and gid too (what a unix
    /// peer sees; see withCallerEffectiveIDs). The thread ends with the call, so it never
    /// goes back.
    func offload(_ n: Notification, as identity: Credentials?, peer: Bool = false, _ work: @escaping () -> Verdict)
        -> Verdict
    {
        guard let listener else { return .answered }
        let answerFD = fcntl(listener, F_DUPFD_CLOEXEC, 0)
        guard answerFD >= 0 else { return work() }
        let own = supervisorCredentials, id = n.id
        let privileged = own.effectiveCaps != 0 || own.fsuid == 0
        // A new thread starts with its creator's identity: the supervisor's, so that it can
        // take on another (not whatever caller this thread happens to hold).
        let started = asSupervisor { DetachedThread.start {
            if let identity, identity != own || identity.euid != own.euid, privileged {
                _ = guard_unshare_fs()  // its umask is its own
                if peer && own.euid == 0 && identity.euid != 0 {
                    identity.applyAsPeer()
                } else {
                    identity.apply(over: own)
                }
            }
            work().send(id: id, on: answerFD)
            close(answerFD)
        } }
        if started { return .answered }
        close(answerFD)
        return work()
    }

    /// An open that could wait for a FIFO's other end: not already O_NONBLOCK, and not
    /// O_PATH or O_DIRECTORY (which never wait). The supervisor makes these O_NONBLOCK.
    static func openMayWait(_ flags: Int32) -> Bool { flags & (O_NONBLOCK | O_PATH | O_DIRECTORY) == 0 }

    /// The flags the supervisor opens with for the caller's `flags`.
    static func openFlags(_ flags: Int32) -> Int32 { flags | O_CLOEXEC | (openMayWait(flags) ? O_NONBLOCK : 0) }

    /// Hands over an fd opened with O_NONBLOCK added (so that a FIFO could not block the
    /// open) as the caller asked for it, without the O_NONBLOCK it did not ask for. A FIFO
    /// opened for reading is handed over once a writer has come (data or hang-up), by a
    /// thread of its own: the open that would have waited for one. Takes `fd` over.
    func finishOpen(_ n: Notification, fd: Int32, flags: Int32) -> Verdict {
        let cloexec = flags & O_CLOEXEC != 0
        guard Self.openMayWait(flags) else { return .handOver(fd, cloexec: cloexec) }
        _ = fcntl(fd, F_SETFL, flags)  // F_SETFL takes only its own bits: O_NONBLOCK goes
        var st = stat()
        guard flags & O_ACCMODE == O_RDONLY, fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFIFO else {
            return .handOver(fd, cloexec: cloexec)
        }
        var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        if poll(&ready, 1, 0) > 0 { return .handOver(fd, cloexec: cloexec) }
        // Kept open meanwhile, this read end is the reader a writer's open waits for, as
        // the caller's own blocked open would be.
        return offload(n, as: nil) {
            var wait = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            while poll(&wait, 1, -1) < 0 && errno == EINTR {}
            return .handOver(fd, cloexec: cloexec)
        }
    }

    /// Opens the FIFO `fd` pins again with the caller's flags (for writing, before any
    /// reader came: the kernel refused the non-blocking open with ENXIO, having opened
    /// nothing), waiting for a reader on a thread of its own, and installs it in the caller.
    func reopenBlocking(_ n: Notification, _ fd: Int32, flags: Int32) -> Verdict {
        let pinned = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard pinned >= 0 else { return .fail(errno) }
        return offload(n, as: callerCredentials(n.tid)) {
            defer { close(pinned) }
            let f = self.reopen(pinned, flags: flags)
            return f >= 0 ? .handOver(f, cloexec: flags & O_CLOEXEC != 0) : .fail(-f)
        }
    }
}

/// A detached pthread running one closure.
enum DetachedThread {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    static func start(_ run: @escaping () -> Void) -> Bool {
        let body = Unmanaged.passRetained(Body(run))
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attributes, { arg in
            Unmanaged<Body>.fromOpaque(arg!).takeRetainedValue().run()
            return nil
        }, body.toOpaque())
        if rc != 0 { body.release() }
        return rc == 0
    }
}
