import CGuardSys
import Glibc

/// PID-1 duties for signals: the signals a container runtime sends are blocked in every
/// guard thread and read from a signalfd by the supervisor loop, which forwards them.
public enum SignalRelay {
    /// Forwarded to the child, as tini does.
    static let forwarded: [Int32] = [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH]

    /// Blocks the forwarded signals and SIGCHLD. Call first, before any thread exists, so
    /// every later thread inherits the mask. SIGPIPE is ignored (the child gets defaults).
    public static func blockSignals() {
        // SIGURG too: only the notification thread unblocks it (its stop signal).
        var set = signalSet(forwarded + [SIGCHLD, SIGURG])
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    /// A signalfd for the forwarded signals and SIGCHLD.
    static func makeSignalFD() -> Int32 {
        var set = signalSet(forwarded + [SIGCHLD])
        return signalfd(-1, &set, Int32(SFD_CLOEXEC | SFD_NONBLOCK))
    }

    static func signalSet(_ signals: [Int32]) -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for sig in signals { sigaddset(&set, sig) }
        return set
    }
}
