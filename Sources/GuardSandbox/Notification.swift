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
    /// The answer was already given (an fd installed with ADDFD+SEND).
    case answered
}
