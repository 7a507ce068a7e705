import CGuardSys
import Glibc
import GuardPolicy
import GuardReport

/// An exec that was allowed: the file checked (device and inode) and what the process ran
/// before, so the next look at /proc/PID/exe can tell whether the exec happened and ran
/// the file that was checked.
struct PendingExec {
    var path: String
    var file: FileID
    var before: FileID?
    var isScript: Bool
    /// CLOCK_MONOTONIC_COARSE ms after which the entry is dropped unconfirmed (the process
    /// made no further supervised call; its pid may be reused).
    var expires: Int64
}

struct FileID: Equatable {
    var dev: UInt64
    var ino: UInt64

    init?(fd: Int32) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        dev = UInt64(st.st_dev)
        ino = UInt64(st.st_ino)
    }

    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        dev = UInt64(st.st_dev)
        ino = UInt64(st.st_ino)
    }
}

/// `files.exec`. An exec cannot be emulated, so it is decided on the resolved file, let run,
/// and confirmed: a process running anything but the checked file (or, for a script, an
/// allowed interpreter) is killed. Fileless execs (memfd, a deleted file) have no allowed path.
///
/// The deciding thread seizes the caller with ptrace (PTRACE_O_TRACEEXEC) before letting the
/// exec run, so the check happens at the exec stop, before the new program's first
/// instruction. Where it cannot trace (the caller is already traced, or ptrace is not
/// permitted) the exec is confirmed at the process's next supervised syscall instead.
extension Supervisor {
    func decideExec(_ n: Notification, name: String, atVariant: Bool) -> Verdict {
        let dirfd = atVariant ? n.int(0) : PathResolver.atFDCWD
        let pathPointer = atVariant ? n.args[1] : n.args[0]
        let flags = atVariant ? n.int(4) : 0
        guard let raw = memory(n).readCString(pathPointer) else { return .fail(EFAULT) }
        guard stillValid(n) else { return .answered }

        let pinned: Int32
        if raw.isEmpty && flags & Self.atEmptyPath != 0 {
            // fexecve: the file is the fd itself (a memfd is how fileless malware runs).
            pinned = openProcEntry("/proc/\(n.tid)/fd/\(dirfd)", O_PATH | O_CLOEXEC)
            if pinned < 0 { return .fail(EBADF) }
        } else {
            guard let request = pathResolver.request(tid: n.tid, dirfd: dirfd, raw: raw) else { return .fail(EBADF) }
            defer { request.close() }
            let noFollow = flags & AT_SYMLINK_NOFOLLOW != 0 ? O_NOFOLLOW : 0
            pinned = asCaller(n) {
                guard_openat2(request.base, request.path, UInt64(O_PATH | O_CLOEXEC | noFollow), 0, request.resolve)
            }
            if pinned < 0 { return .fail(-pinned) }
        }
        defer { close(pinned) }
        let path = pathResolver.path(of: pinned) ?? "?"
        let fileless = !path.hasPrefix("/") || path.hasSuffix(" (deleted)") || path.hasPrefix("/memfd:")
        let rule = fileless ? (false, policy.files?.exec == nil ? "files.deny" : "files.exec")
            : checkFile(pathResolver.normalizedForRules(path, tid: n.tid), .exec)
        if !rule.0, let refused = fileViolation(n, name: name, path: path, rule: rule.1, category: .exec) {
            return refused
        }
        guard let file = FileID(fd: pinned), !fileless else { return .continue }
        let now = monotonicMilliseconds()
        var pending = PendingExec(path: path, file: file, before: nil, isScript: startsWithShebang(pinned), expires: now + 1000)
        // Seized as the supervisor: the tracer's credentials at attach time decide whether a
        // set-id program keeps its privileges when exec'd under trace.
        if asSupervisor({ guard_trace_exec(n.tid) }) == 0 { return .continueTraced(tid: n.tid, exec: pending) }
        // Not traced: confirmed at the process's next supervised call, against what it ran before.
        let tgid = callerTGID(n.tid)
        pending.before = FileID(path: "/proc/\(tgid)/exe")
        pendingExecs = pendingExecs.filter { $0.value.expires > now }
        pendingExecs[tgid] = pending
        return .continue
    }

    /// Follows an exec let run under this thread's trace, outside the decision lock (the
    /// other notification thread goes on answering). The interrupt stops the caller as the
    /// call returns: an exec that happened stops first at its exec stop, where the new
    /// program is checked before it runs; one that failed stops at the interrupt.
    func followExec(tid: Int32, _ exec: PendingExec) {
        _ = guard_trace_interrupt(tid)  // fails only if it is already dying: its exit comes below
        var killed = false
        while true {
            var info = siginfo_t()
            if waitid(P_ALL, 0, &info, WEXITED | WSTOPPED | __WALL | __WNOTHREAD | WNOWAIT) != 0 {
                if errno == EINTR { continue }
                return  // ECHILD: nothing traced any more
            }
            let pid = info._sifields._sigchld.si_pid
            guard info.si_code == CLD_TRAPPED || info.si_code == CLD_STOPPED else {
                // It died under trace: a zombie ptracee waits for its tracer (collecting it
                // hands it on to its real parent), and the main child's status is kept.
                collectTraced(pid)
                return
            }
            var status: Int32 = 0
            guard waitpid(pid, &status, __WALL | __WNOTHREAD) == pid else { continue }
            let event = (status >> 16) & 0xFF
            if event == Self.ptraceEventExec && !killed {
                killed = !withDecisionLock { asSupervisor { ranWhatWasChecked(pid, exec) } }
                if killed { continue }  // the SIGKILL ends it; collect the exit
                _ = guard_trace_release(pid, 0)
                return
            }
            // The exec failed (the interrupt's stop, or a signal's before it): let it go,
            // with the signal it was about to take.
            _ = guard_trace_release(pid, event == 0 ? (status >> 8) & 0xFF : 0)
            return
        }
    }

    /// Collects a process that died traced by this thread. If it is the guard's main child
    /// its status is kept for the main thread (under the lock its reaping holds, so the main
    /// thread never sees the child gone without its status).
    func collectTraced(_ pid: Int32) {
        tracedMainStatus.withLock { kept in
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG | __WALL | __WNOTHREAD) == pid && pid == child.pid { kept = status }
        }
    }

    static let ptraceEventExec: Int32 = 4  // PTRACE_EVENT_EXEC

    /// At the exec stop: whether the process runs the checked file (or, for a script, an
    /// allowed interpreter); if not it is killed and reported.
    func ranWhatWasChecked(_ pid: Int32, _ exec: PendingExec) -> Bool {
        let now = FileID(path: "/proc/\(pid)/exe")
        if now != nil && now == exec.file { return true }
        if exec.isScript, let interpreter = ProcInfo.exe(pid), checkFile(interpreter, .exec).allowed { return true }
        killSwappedExec(pid, exec)
        return false
    }

    /// Something else ran than what was checked: the path was swapped under us.
    func killSwappedExec(_ tgid: Int32, _ pending: PendingExec) {
        let exe = ProcInfo.exe(tgid) ?? "?"
        kill(tgid, SIGKILL)
        reporter.submit(
            Report(
                event: .violation, function: policy.function, category: .exec, action: .killed,
                rule: "files.exec", severity: .critical, pid: tgid, exe: exe, syscall: "execve", path: exe,
                requestID: requestID(), extra: [("checked", .string(pending.path))]))
    }

    func startsWithShebang(_ pinned: Int32) -> Bool {
        let fd = open("/proc/self/fd/\(pinned)", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var head: (UInt8, UInt8) = (0, 0)
        let n = withUnsafeMutableBytes(of: &head) { read(fd, $0.baseAddress, 2) }
        return n == 2 && head.0 == UInt8(ascii: "#") && head.1 == UInt8(ascii: "!")
    }

    /// Confirms pending execs of the process that just made a supervised call (the
    /// fallback where the exec could not be traced).
    func confirmExec(of tgid: Int32) {
        guard let pending = pendingExecs[tgid] else { return }
        if pending.expires <= monotonicMilliseconds() {
            pendingExecs[tgid] = nil
            return
        }
        guard let now = FileID(path: "/proc/\(tgid)/exe") else { return }
        if now == pending.before && now != pending.file { return }  // not executed yet, or it failed
        pendingExecs[tgid] = nil
        _ = ranWhatWasChecked(tgid, pending)
    }
}
