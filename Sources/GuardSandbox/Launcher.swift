import CGuardSys
import Glibc
import GuardPolicy

/// A started child: its pid, a pidfd, the seccomp listener (when the filter notifies) and
/// the read end of the status pipe (EOF once execve succeeded).
public struct LaunchedChild {
    public let pid: pid_t
    public let pidfd: Int32
    public let listener: Int32?
    public let statusFD: Int32
}

/// Starts the command with the filter installed. Everything is prepared here in Swift;
/// the child runs only `guard_spawn`'s async-signal-safe C.
public enum Launcher {
    public static func launch(
        command: [String], environment: [String], plan: FilterPlan, process: ProcessRules
    ) throws(LaunchError) -> LaunchedChild {
        let pathVariable = environment.first(where: { $0.hasPrefix("PATH=") }).map { String($0.dropFirst(5)) }
        let executable = try CommandPath.resolve(command[0], path: pathVariable)

        var statusPipe: [Int32] = [-1, -1]
        var syncPipe: [Int32] = [-1, -1]
        guard guard_pipe_cloexec(&statusPipe) == 0, guard_pipe_cloexec(&syncPipe) == 0 else {
            throw .setup("guard: pipe: \(String(cString: strerror(errno)))")
        }

        let argv = CStringArray(command)
        let envp = CStringArray(environment)
        var program = plan.program
        var pid: pid_t = 0
        let spawnError: Int32 = program.withUnsafeMutableBufferPointer { filter in
            var fprog = sock_fprog(len: UInt16(filter.count), filter: filter.baseAddress)
            return withUnsafePointer(to: &fprog) { fprogPointer in
                executable.withCString { path in
                    var args = guard_spawn_args()
                    args.path = path
                    args.argv = UnsafePointer(argv.pointer)
                    args.envp = UnsafePointer(envp.pointer)
                    args.filter = fprogPointer
                    // WAIT_KILLABLE_RECV: once the supervisor has a call, a signal cannot make the
                    // kernel restart it, which would make an emulated call happen twice.
                    args.seccomp_flags = plan.usesNotify ? UInt32(SECCOMP_FILTER_FLAG_NEW_LISTENER) | UInt32(GUARD_SECCOMP_WAIT_KILLABLE_RECV) : 0
                    args.status_fd = statusPipe[1]
                    args.sync_fd = syncPipe[0]
                    if let user = process.user {
                        args.set_user = 1
                        args.uid = user.uid
                        args.gid = user.gid
                    }
                    args.drop_caps = process.dropCapabilities ? 1 : 0
                    args.drop_caps_mask = plan.dropsDangerousCapabilities ? Launcher.dangerousCapabilities : 0
                    args.no_new_privs = process.noNewPrivs ? 1 : 0
                    // Without no_new_privs, only CAP_SYS_ADMIN may install a filter: it goes in
                    // before any capability is dropped.
                    args.filter_first = process.noNewPrivs ? 0 : 1
                    args.parent = getpid()
                    return guard_spawn(&args, &pid)
                }
            }
        }
        close(statusPipe[1])
        close(syncPipe[0])
        guard spawnError == 0 else {
            close(statusPipe[0])
            close(syncPipe[1])
            throw .setup("guard: fork: \(String(cString: strerror(spawnError)))")
        }
        let pidfd = guard_pidfd_open(pid)
        guard pidfd >= 0 else {
            kill(pid, SIGKILL)
            throw .setup("guard: pidfd_open: \(String(cString: strerror(-pidfd)))")
        }

        var listener: Int32? = nil
        if plan.usesNotify {
            do {
                listener = try takeListener(pidfd: pidfd, statusFD: statusPipe[0])
            } catch {
                kill(pid, SIGKILL)
                close(syncPipe[1])
                throw error
            }
            // SYNC_WAKE_UP (Linux 6.6) keeps supervisor and child on one CPU per round
            // trip; older kernels refuse it and work as before.
            _ = guard_notif_set_sync_wakeup(listener!)
            var go: UInt8 = 1
            _ = write(syncPipe[1], &go, 1)
        }
        close(syncPipe[1])
        return LaunchedChild(pid: pid, pidfd: pidfd, listener: listener, statusFD: statusPipe[0])
    }

    /// Taken from the child whenever paths or addresses are supervised: each would let it
    /// step around the supervisor (mounts, namespaces, file handles, ptrace of the guard,
    /// raw packets, device nodes, bypassing read permission on directories).
    static let dangerousCapabilities: UInt64 = [
        2 /* DAC_READ_SEARCH */, 12 /* NET_ADMIN */, 13 /* NET_RAW */, 16 /* SYS_MODULE */, 17 /* SYS_RAWIO */,
        18 /* SYS_CHROOT */, 19 /* SYS_PTRACE */, 21 /* SYS_ADMIN */, 22 /* SYS_BOOT */, 27 /* MKNOD */,
        32 /* MAC_OVERRIDE */, 33 /* MAC_ADMIN */, 38 /* PERFMON */, 39 /* BPF */, 40 /* CHECKPOINT_RESTORE */,
    ].reduce(UInt64(0)) { $0 | (1 << UInt64($1)) }

    /// Reads the listener's fd number the child announced, then copies the listener out of
    /// the child with pidfd_getfd once the filter is in place: the child needs no sendmsg
    /// (which the filter might supervise) to hand it over.
    static func takeListener(pidfd: Int32, statusFD: Int32) throws(LaunchError) -> Int32 {
        let first = try readMessage(statusFD)
        guard let first else { throw .setup("guard: the child exited during setup") }
        guard first.kind == Int32(GUARD_MSG_LISTENER) else { throw ChildMessage.error(first) }
        let target = Int32(first.value)
        var waited = 0
        while true {
            let fd = guard_pidfd_getfd(pidfd, target)
            if fd >= 0 {
                if ProcInfo.readLink("/proc/self/fd/\(fd)") == "anon_inode:seccomp notify" { return fd }
                close(fd)
            } else if fd != -EBADF {
                throw .setup("guard: pidfd_getfd: \(String(cString: strerror(-fd)))")
            }
            // Not installed yet, or failed: a setup error arrives on the status pipe.
            var p = pollfd(fd: statusFD, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 0) > 0 {
                if let message = try readMessage(statusFD) { throw ChildMessage.error(message) }
                throw .setup("guard: the child exited before installing the filter")
            }
            waited += 1
            if waited > 70_000 { throw .setup("guard: timed out waiting for the seccomp listener") }
            // The child installs the filter microseconds after fork: yield rather than sleep
            // (a VM's timer slack makes the shortest sleep cost 50 µs or more).
            if waited > 20_000 { usleep(100) } else { sched_yield() }
        }
    }

    static func readMessage(_ fd: Int32) throws(LaunchError) -> guard_child_msg? {
        var message = guard_child_msg()
        while true {
            let n = withUnsafeMutableBytes(of: &message) { read(fd, $0.baseAddress, $0.count) }
            if n == MemoryLayout<guard_child_msg>.size { return message }
            if n == 0 { return nil }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EAGAIN { return nil }
            throw .setup("guard: reading the child's status: \(String(cString: strerror(errno)))")
        }
    }
}

/// Turns the child's status messages into errors users can act on.
enum ChildMessage {
    static let stepNames: [Int32: String] = [
        Int32(GUARD_STEP_PDEATHSIG): "PR_SET_PDEATHSIG", Int32(GUARD_STEP_GROUPS): "setgroups",
        Int32(GUARD_STEP_GID): "setresgid", Int32(GUARD_STEP_UID): "setresuid",
        Int32(GUARD_STEP_CAPS): "dropping capabilities", Int32(GUARD_STEP_NNP): "PR_SET_NO_NEW_PRIVS",
        Int32(GUARD_STEP_SECCOMP): "installing the seccomp filter",
    ]

    static func error(_ m: guard_child_msg) -> LaunchError {
        let reason = String(cString: strerror(Int32(m.value)))
        switch m.kind {
        case Int32(GUARD_MSG_EXEC):
            let status: Int32 = (m.value == ENOENT || m.value == ENOTDIR) ? 127 : 126
            return LaunchError(exitStatus: status, message: "guard: exec: \(reason)")
        default:
            let step = stepNames[Int32(m.step)] ?? "setup"
            return .setup("guard: \(step) failed in the child: \(reason)")
        }
    }
}

/// A NULL-terminated `char *[]` that lives as long as this object.
final class CStringArray {
    let pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    private let count: Int

    init(_ strings: [String]) {
        count = strings.count
        pointer = .allocate(capacity: strings.count + 1)
        for (i, s) in strings.enumerated() { pointer[i] = strdup(s) }
        pointer[strings.count] = nil
    }

    deinit {
        for i in 0..<count { free(pointer[i]) }
        pointer.deallocate()
    }
}
