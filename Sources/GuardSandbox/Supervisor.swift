import CGuardSys
import Glibc
import GuardPolicy
import GuardReport
import Synchronization

/// The supervisor loop: one thread, one epoll over the seccomp listener, a signalfd and
/// the child's status pipe. It answers notifications, forwards signals, reaps every
/// process that ends up as its child (PID 1 / subreaper), and never waits on a sink.
public final class Supervisor {
    let plan: FilterPlan
    let policy: EffectivePolicy
    let reporter: Reporter
    let child: LaunchedChild
    let requestID: @Sendable () -> String?
    let signalFD: Int32
    let epollFD: Int32
    let listener: Int32?
    /// No process uses the filter any more (set by a notification thread).
    let listenerOrphaned = Atomic<Bool>(false)
    var statusFD: Int32?
    var mainStatus: Int32?
    var execFailure: LaunchError?
    /// Per-notification helpers for files and network (issue 3).
    lazy var pathResolver = PathResolver(
        supervisorPID: getpid(), openProcEntry: { [unowned self] in self.openProcEntry($0, $1) },
        processOf: { [unowned self] in self.callerTGID($0) })
    /// The caller's process id for the decision being made (see callerTGID).
    var tgidMemo: (tid: Int32, tgid: Int32)?
    /// The supervisor thread's own identity.
    let supervisorCredentials: Credentials
    /// The identity each notification thread holds now (see asCaller), by thread.
    var heldByThread: [pthread_t: Credentials] = [:]
    var heldCredentials: Credentials {
        get { heldByThread[pthread_self()] ?? supervisorCredentials }
        set { heldByThread[pthread_self()] = newValue }
    }
    /// Held while a notification is decided (the state above is the deciding thread's).
    let decisionLock: UnsafeMutablePointer<pthread_mutex_t> = {
        let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
        return lock
    }()
    /// Callers' identities by thread, dropped when a thread changes its identity (those
    /// syscalls notify) and after a second (a thread id may be reused).
    var credentialCache: [Int32: (credentials: Credentials, expires: Int64)] = [:]
    /// The main child's status when it died during an exec a notification thread traced
    /// (that thread collects it); the lock is also held while the main thread reaps.
    let tracedMainStatus = Mutex<Int32?>(nil)
    /// Execs allowed but not yet confirmed, by process.
    var pendingExecs: [Int32: PendingExec] = [:]
    /// `guard profile`: record instead of enforce.
    let recording: Bool
    /// The guard owns its process (the CLI, PID 1): it reaps every child and kills every
    /// descendant at the end. Embedded in another program, it touches only its own child.
    let ownsProcess: Bool
    public internal(set) var observation = Observation()
    var recordedNames: [SyscallKey: String] = [:]

    public init(
        plan: FilterPlan, policy: EffectivePolicy, reporter: Reporter, child: LaunchedChild, signalFD: Int32,
        requestID: @escaping @Sendable () -> String? = { nil }, recording: Bool = false, ownsProcess: Bool = true
    ) {
        self.recording = recording
        self.ownsProcess = ownsProcess
        self.plan = plan
        self.policy = policy
        self.reporter = reporter
        self.child = child
        self.requestID = requestID
        self.signalFD = signalFD
        self.listener = child.listener
        self.statusFD = child.statusFD
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        supervisorCredentials = Credentials.current()
        watch(signalFD)
        watch(child.statusFD)
        // The pidfd turns readable when the child exits, whether or not SIGCHLD reaches us.
        watch(child.pidfd)
    }

    deinit {
        pthread_mutex_destroy(decisionLock)
        decisionLock.deallocate()
        close(epollFD)
        if let listener { close(listener) }
        if let statusFD { close(statusFD) }
        close(child.pidfd)
    }

    /// The end of the run: the child's wait status, or why it never ran.
    public enum Outcome {
        case exited(status: Int32)
        case signaled(signal: Int32)
        case failedToStart(LaunchError)

        /// `guard run`'s exit status: the child's, 128+N for signal N, 125/126/127 for
        /// failures to start.
        public var exitStatus: Int32 {
            switch self {
            case .exited(let s): return s
            case .signaled(let n): return 128 + n
            case .failedToStart(let e): return e.exitStatus
            }
        }
    }

    public func run() -> Outcome {
        // Notifications are answered on threads of their own, blocked in
        // SECCOMP_IOCTL_NOTIF_RECV: only a RECV waiter gets seccomp's SYNC_WAKE_UP hand-off
        // (caller and supervisor meet on one CPU); a thread sleeping in epoll pays a
        // cross-CPU wake-up per call. Two of them: an emulated open is answered with ADDFD,
        // which waits for the caller to take the fd; meanwhile the other waits in RECV for
        // the caller's next call (one thread: 61 us per open here; two: 12 us).
        let notifications = listener.map { _ in [NotificationThread(self), NotificationThread(self)] } ?? []
        var events = [epoll_event](repeating: epoll_event(), count: 16)
        while mainStatus == nil {
            let n = epoll_wait(epollFD, &events, Int32(events.count), -1)
            if n < 0 {
                if errno == EINTR { continue }
                break
            }
            for i in 0..<Int(n) {
                let fd = events[i].data.fd
                if fd == signalFD {
                    handleSignals()
                } else if fd == statusFD {
                    handleStatus()
                } else if fd == child.pidfd {
                    reapChildren()
                }
            }
        }
        // The main process is gone: nothing it started may outlive the guard.
        if ownsProcess { killRemainingDescendants() }
        notifications.forEach { $0.stop() }
        if let execFailure { return .failedToStart(execFailure) }
        let status = mainStatus ?? 0
        if (status & 0x7F) == 0 { return .exited(status: (status >> 8) & 0xFF) }
        return .signaled(signal: status & 0x7F)
    }

    // MARK: - Event sources

    func watch(_ fd: Int32) {
        var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(fd: fd))
        epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event)
    }

    func unwatch(_ fd: Int32) { epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil) }

    func handleSignals() {
        var info = signalfd_siginfo()
        while withUnsafeMutableBytes(of: &info, { read(signalFD, $0.baseAddress, $0.count) }) == MemoryLayout<signalfd_siginfo>.size {
            let sig = Int32(info.ssi_signo)
            if sig == SIGCHLD {
                reapChildren()
            } else if mainStatus == nil {
                // Forwarded as tini does: the program decides what the signal means.
                _ = guard_pidfd_send_signal(child.pidfd, sig)
            }
        }
    }

    /// Reaps every exited child: the main one records its status, orphans that were
    /// re-parented to the guard (PID 1 or subreaper) are just collected.
    func reapChildren() {
        let known = mainStatus != nil
        let found = tracedMainStatus.withLock { tracedStatus -> Int32? in
            var status: Int32 = 0
            var found: Int32?
            if ownsProcess {
                while case .exited(let pid) = nextExited(P_ALL, 0) {
                    if waitpid(pid, &status, WNOHANG | __WALL) == pid && pid == child.pid { found = status }
                }
            }
            if found != nil || known { return found }
            switch nextExited(P_PID, id_t(child.pid)) {
            case .exited:
                return waitpid(child.pid, &status, WNOHANG | __WALL) == child.pid ? status : nil
            case .noChild:
                // Collected by the notification thread that traced its exec, or elsewhere (a
                // caller's own waitpid(-1): then the status is lost, the run is over).
                return tracedStatus ?? 0
            case .none: return nil
            }
        }
        if !known { mainStatus = found }
    }

    enum ChildState { case exited(Int32), none, noChild }

    /// The next exited child, looked at without collecting it. A process stopped under a
    /// notification thread's trace (an exec being confirmed) is that thread's to collect:
    /// waiting would take its stop, so it is waited out (microseconds; at most a second).
    func nextExited(_ which: idtype_t, _ id: id_t) -> ChildState {
        for _ in 0..<10_000 {
            var info = siginfo_t()
            if waitid(which, id, &info, WEXITED | WNOHANG | WNOWAIT | __WALL) != 0 {
                return errno == ECHILD ? .noChild : .none
            }
            let pid = info._sifields._sigchld.si_pid
            if pid == 0 { return .none }
            if info.si_code != CLD_TRAPPED && info.si_code != CLD_STOPPED { return .exited(pid) }
            usleep(100)
        }
        return .none
    }

    func handleStatus() {
        guard let fd = statusFD else { return }
        do {
            if let message = try Launcher.readMessage(fd) {
                execFailure = ChildMessage.error(message)
                return
            }
        } catch {}
        // EOF: execve succeeded (the pipe is close-on-exec) or the child died.
        unwatch(fd)
        close(fd)
        statusFD = nil
    }

    /// Kills whatever descendants are left (daemons, orphans) and reaps them.
    func killRemainingDescendants() {
        // As subreaper (or PID 1), every orphaned descendant is re-parented to us: with no
        // children left there is nothing below us, and /proc need not be read.
        var info = siginfo_t()
        if waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 && errno == ECHILD { return }
        for _ in 0..<50 {
            let descendants = ProcessTree.descendants(of: getpid())
            if descendants.isEmpty { break }
            for pid in descendants { kill(pid, SIGKILL) }
            var status: Int32 = 0
            while waitpid(-1, &status, __WALL) > 0 {}
        }
    }
}

/// The processes below a pid, from /proc (the guard is their subreaper or PID 1).
enum ProcessTree {
    static func descendants(of root: Int32) -> [Int32] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var parent: [Int32: Int32] = [:]
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            guard let pid = Int32(name), let stat = ProcInfo.readSmallFile("/proc/\(pid)/stat"),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let ppid = Int32(fields[1]) { parent[pid] = ppid }
        }
        return parent.keys.filter { pid in
            var p = parent[pid]
            var hops = 0
            while let current = p, hops < 64 {
                if current == root { return true }
                p = parent[current]
                hops += 1
            }
            return false
        }
    }
}
