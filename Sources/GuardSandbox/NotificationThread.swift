import CGuardSys
import Glibc

/// A thread that answers seccomp notifications (the supervisor runs two). It blocks in SECCOMP_IOCTL_NOTIF_RECV
/// and is stopped with SIGURG, which only this thread takes (a no-op handler without
/// SA_RESTART turns the blocked RECV into EINTR).
final class NotificationThread: @unchecked Sendable {
    private let supervisor: Supervisor
    private var thread = pthread_t()
    private var stopping = false
    private var started = false
    private var lock = pthread_mutex_t()

    static let wakeSignal = SIGURG

    init(_ supervisor: Supervisor) {
        self.supervisor = supervisor
        pthread_mutex_init(&lock, nil)
        NotificationThread.installWakeHandler()
        let box = Unmanaged.passRetained(self)
        started = pthread_create(&thread, nil, { arg in
            let me = Unmanaged<NotificationThread>.fromOpaque(arg!).takeRetainedValue()
            me.loop()
            return nil
        }, box.toOpaque()) == 0
        if !started { box.release() }
    }

    private static let installOnce: Void = {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        action.sa_flags = 0  // no SA_RESTART: interrupt the blocked ioctl
        sigaction(NotificationThread.wakeSignal, &action, nil)
    }()

    static func installWakeHandler() { _ = installOnce }

    private var isStopping: Bool {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return stopping
    }

    private func loop() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, NotificationThread.wakeSignal)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        // A cwd and umask of its own: emulated binds fchdir, creating opens take the caller's umask.
        _ = guard_unshare_fs()
        while !isStopping, supervisor.listener != nil, !supervisor.listenerOrphaned.load(ordering: .relaxed) {
            supervisor.handleNotification()
        }
        pthread_mutex_lock(&lock)
        finished = true
        pthread_mutex_unlock(&lock)
    }

    private var finished = false
    private var isFinished: Bool {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return finished
    }

    /// Stops and joins the thread; safe to call more than once.
    func stop() {
        guard started else { return }
        pthread_mutex_lock(&lock)
        let already = stopping
        stopping = true
        pthread_mutex_unlock(&lock)
        if already { return }
        // Repeat the wake-up until the thread has left RECV (a signal may land just before
        // it blocks).
        var tries = 0
        while !isFinished {
            if tries % 64 == 0 { pthread_kill(thread, NotificationThread.wakeSignal) }
            if tries > 4096 { usleep(100) } else { sched_yield() }
            tries += 1
        }
        pthread_join(thread, nil)
    }
}
