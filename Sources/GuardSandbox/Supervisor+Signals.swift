import Glibc
import GuardReport

/// A supervised program may signal anything the kernel lets it, except the guard: killing
/// the supervisor would end its reports (and, for a root program, its checks). The target
/// is in registers (pid, tid, group) or is an fd the caller holds; neither can be changed
/// behind the check.
extension Supervisor {
    func decideSignal(_ n: Notification, name: String) -> Verdict {
        let first = n.int(0)
        let hitsGuard: Bool
        switch name {
        case "kill", "rt_sigqueueinfo":
            switch first {
            case -1: hitsGuard = true  // every process the caller may signal
            case 0: hitsGuard = getpgid(n.tid) == getpgrp()  // the caller's own group
            case ..<0: hitsGuard = -first == getpgrp()
            default: hitsGuard = isGuardTask(first)
            }
        case "tkill", "pidfd_open": hitsGuard = isGuardTask(first)
        case "tgkill", "rt_tgsigqueueinfo": hitsGuard = isGuardTask(first) || isGuardTask(n.int(1))
        case "pidfd_send_signal": hitsGuard = fdNamesGuard(n.tid, fd: first)
        default: hitsGuard = false
        }
        guard hitsGuard else { return .continue }
        report(n, category: .process, action: .denied, rule: "process.signal-guard", severity: .high, syscall: name)
        return .fail(EPERM)
    }

    /// The guard's process or one of its threads (a kill(2) of any thread id reaches the
    /// whole process).
    func isGuardTask(_ id: Int32) -> Bool {
        guard id > 0 else { return false }
        let me = getpid()
        return id == me || access("/proc/\(me)/task/\(id)", F_OK) == 0
    }

    /// A pidfd, or a /proc/PID directory used as one, that refers to the guard.
    func fdNamesGuard(_ tid: Int32, fd: Int32) -> Bool {
        let own = "/proc/\(getpid())"
        let link = ProcInfo.readLink("/proc/\(tid)/fd/\(fd)") ?? asSupervisor { ProcInfo.readLink("/proc/\(tid)/fd/\(fd)") }
        if let link, link == own || link.hasPrefix(own + "/") { return true }
        guard let info = ProcInfo.readSmallFile("/proc/\(tid)/fdinfo/\(fd)") ?? asSupervisor({
            ProcInfo.readSmallFile("/proc/\(tid)/fdinfo/\(fd)")
        }) else { return false }
        for line in info.split(separator: "\n") where line.hasPrefix("Pid:") {
            if let pid = Int32(String(line.dropFirst(4).drop(while: { $0 == " " || $0 == "\t" }))), isGuardTask(pid) { return true }
        }
        return false
    }
}
