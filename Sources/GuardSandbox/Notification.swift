import CGuardSys
import Glibc

/// One seccomp notification, copied out of the kernel's struct.
struct Notification {
    let id: UInt64
    /// The thread that made the call (a tid in guard's pid namespace).
    let tid: Int32
    let arch: UInt32
    let nr: Int32
    let args: [UInt64]

    init(_ raw: seccomp_notif) {
        id = raw.id
        tid = Int32(bitPattern: raw.pid)
        arch = raw.data.arch
        nr = raw.data.nr
        let a = raw.data.args
        args = [a.0, a.1, a.2, a.3, a.4, a.5]
    }

    /// An argument as the C int the syscall takes (dirfds, flags).
    func int(_ i: Int) -> Int32 { Int32(truncatingIfNeeded: args[i]) }
}

/// The supervisor's answer to a notification.
enum Verdict {
    /// Let the kernel run the syscall as asked (safe only where no decision depends on
    /// memory the caller can still change).
    case `continue`
    /// Fail with this errno.
    case fail(Int32)
    /// Return this value without running the syscall (the supervisor did the work).
    case value(Int64)
    /// Kill the calling process, then fail the call.
    case kill
    /// Install this fd (owned by the verdict, closed once sent) in the caller as the
    /// syscall's result.
    case handOver(Int32, cloexec: Bool)
    /// The answer was already given, or is given by a thread of its own.
    case answered
    /// Let an exec run under the deciding thread's trace: it is confirmed at the exec stop
    /// (see Supervisor.followExec).
    case continueTraced(tid: Int32, exec: PendingExec)

    /// Sends this answer for notification `id` on `listener` (.kill is the supervisor's
    /// to carry out first; it is sent as EPERM).
    func send(id: UInt64, on listener: Int32) {
        switch self {
        case .continue, .continueTraced: _ = guard_notif_respond(listener, id, 0, 0, UInt32(SECCOMP_USER_NOTIF_FLAG_CONTINUE))
        case .fail(let e): _ = guard_notif_respond(listener, id, 0, -e, 0)
        case .value(let v): _ = guard_notif_respond(listener, id, v, 0, 0)
        case .kill: _ = guard_notif_respond(listener, id, 0, -EPERM, 0)
        case .handOver(let fd, let cloexec):
            Verdict.install(fd, id: id, cloexec: cloexec, on: listener).send(id: id, on: listener)
            close(fd)
        case .answered: break
        }
    }

    /// Installs `fd` in the caller as the result of notification `id` (ADDFD with SEND:
    /// install and answer in one call, two context switches a round instead of four).
    static func install(_ fd: Int32, id: UInt64, cloexec: Bool, on listener: Int32) -> Verdict {
        let r = guard_notif_addfd_send(listener, id, fd, cloexec ? UInt32(O_CLOEXEC) : 0)
        return r >= 0 || -r == ENOENT ? .answered : .fail(-r)  // ENOENT: the caller is gone or interrupted
    }
}
