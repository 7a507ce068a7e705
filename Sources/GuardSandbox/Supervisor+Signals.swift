import CGuardSys
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

    /// fcntl and ioctl reach here for a watched command only (or, under a notifying
    /// default, with upper bits set in it, which the kernel ignores).
    func decideCommand(_ n: Notification, name: String) -> Verdict {
        let command = n.args[1] & 0xFFFF_FFFF
        if name == "ioctl" && SupervisedSyscalls.fileFlagIoctls.contains(where: { $0.command == command }) {
            return FilterCompiler.supervisesFilePaths(policy) ? decideFile(n, name: name, op: .setFileFlags) : .continue
        }
        guard SupervisedSyscalls.ownerCommands.contains(where: { $0.0 == name && $0.1.contains(command) }) else { return .continue }
        return decideOwner(n, name: name, command: command)
    }

    /// A file's owner gets its SIGIO, or the F_SETSIG signal (SIGKILL too), with the rights
    /// of whoever set the owner: a root program must not make the guard, or its process
    /// group, the owner. F_SETOWN carries the owner in a register; F_SETOWN_EX, FIOSETOWN
    /// and SIOCSPGRP point at it, so those are made by the supervisor with the bytes it
    /// checked, where the caller's ids could signal the guard at all.
    func decideOwner(_ n: Notification, name: String, command: UInt64) -> Verdict {
        let fSetOwn: UInt64 = 8, fSetOwnEx: UInt64 = 15, fOwnerPgrp: Int32 = 2
        var bytes: [UInt8] = []
        let owner: Int32, group: Bool
        if command == fSetOwn {
            let v = n.int(2)
            (owner, group) = (v < 0 ? -v : v, v < 0)
        } else {
            guard let read = memory(n).read(n.args[2], count: command == fSetOwnEx ? 8 : 4) else { return .fail(EFAULT) }
            bytes = read
            let first = Int32(bitPattern: UInt32(read.littleEndian(at: 0, size: 4)))
            if command == fSetOwnEx {
                owner = Int32(bitPattern: UInt32(read.littleEndian(at: 4, size: 4)))
                group = first == fOwnerPgrp
            } else {
                (owner, group) = (first < 0 ? -first : first, first < 0)
            }
            guard stillValid(n) else { return .answered }
        }
        if owner > 0 && (group ? owner == getpgrp() : isGuardTask(owner)) {
            report(n, category: .process, action: .denied, rule: "process.signal-guard", severity: .high, syscall: name)
            return .fail(EPERM)
        }
        guard command != fSetOwn else { return .continue }
        // Only a caller whose ids the kernel would let signal the guard (root, or the
        // guard's own uid) could gain by changing the owner after the check.
        let guardUID = supervisorCredentials.euid
        guard let caller = callerCredentials(n.tid), [0, guardUID].contains(caller.euid) || [0, guardUID].contains(caller.ruid) else {
            return .continue
        }
        let fd = takeDescriptor(n, n.int(0))
        guard fd >= 0 else { return .fail(EBADF) }
        defer { close(fd) }
        let e = withCallerEffectiveIDs(n, if: true) {
            bytes.withUnsafeMutableBytes {
                name == "ioctl" ? guard_ioctl(fd, UInt(command), $0.baseAddress) : guard_fcntl(fd, Int32(command), $0.baseAddress)
            }
        }
        return e == 0 ? .value(0) : .fail(e)
    }
}
