// The child side of fork→exec. Between fork and exec in a multi-threaded Swift process
// only async-signal-safe code may run: no malloc, no locks, no Swift. Everything it needs
// (argv, envp, the BPF program) was prepared by the parent.
#define _GNU_SOURCE
#include "CGuardSys.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static void child_report(int fd, int32_t kind, int16_t step, int16_t value) {
    struct guard_child_msg m = {kind, step, value};
    ssize_t r;
    do { r = write(fd, &m, sizeof m); } while (r < 0 && errno == EINTR);
}

static _Noreturn void child_fail(const struct guard_spawn_args *a, int step, int err) {
    child_report(a->status_fd, GUARD_MSG_SETUP, (int16_t)step, (int16_t)err);
    _exit(125);
}

// The ambient, inheritable, permitted and effective sets (the caller emptied the bounding
// set first, while it still held CAP_SETPCAP).
static int drop_all_capabilities(void) {
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) return errno;
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    if (syscall(SYS_capset, &h, d) < 0) return errno;
    return 0;
}

// Removes the capabilities in `mask` from the bounding, ambient, inheritable, permitted
// and effective sets (those that would let the program step around the supervisor).
static int drop_capability_mask(uint64_t mask) {
    for (int cap = 0; cap <= 63; cap++) {
        if (!(mask & (1ULL << cap))) continue;
        if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0) break;
        prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, cap, 0, 0);
    }
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) < 0) return errno;
    for (int i = 0; i < 2; i++) {
        uint32_t keep = ~(uint32_t)(mask >> (32 * i));
        d[i].effective &= keep;
        d[i].permitted &= keep;
        d[i].inheritable &= keep;
    }
    if (syscall(SYS_capset, &h, d) < 0) return errno;
    return 0;
}

static void install_filter(const struct guard_spawn_args *a) {
    if (!a->filter) return;
    // The listener gets the lowest free fd: find it now and announce it *before* the
    // filter exists, so the announcement can never be a supervised syscall.
    int probe = fcntl(a->status_fd, F_DUPFD, 0);
    if (probe < 0) child_fail(a, GUARD_STEP_SECCOMP, errno);
    close(probe);
    int notify = (a->seccomp_flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) != 0;
    if (notify) child_report(a->status_fd, GUARD_MSG_LISTENER, 0, (int16_t)probe);
    long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, a->seccomp_flags, a->filter);
    if (fd < 0 && errno == EINVAL && (a->seccomp_flags & GUARD_SECCOMP_WAIT_KILLABLE_RECV)) {
        // Before Linux 5.19: without it (an interrupted emulated call may be repeated).
        fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, a->seccomp_flags & ~GUARD_SECCOMP_WAIT_KILLABLE_RECV, a->filter);
    }
    if (fd < 0) child_fail(a, GUARD_STEP_SECCOMP, errno);
    if (notify) {
        // Wait until the parent holds the listener (pidfd_getfd). This read may itself
        // be supervised: the parent answers it, since it has the listener by then.
        char go;
        ssize_t r;
        do { r = read(a->sync_fd, &go, 1); } while (r < 0 && errno == EINTR);
        if (r != 1) _exit(125);  // the parent gave up on us
        close((int)fd);
    }
}

static _Noreturn void child_main(const struct guard_spawn_args *a) {
    // Signals: the parent blocks the ones it forwards; the program starts with defaults.
    sigset_t none;
    sigemptyset(&none);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = SIG_DFL;
        sigaction(sig, &sa, NULL);
    }
    sigprocmask(SIG_SETMASK, &none, NULL);

    // A guarded process never outlives its guard.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) child_fail(a, GUARD_STEP_PDEATHSIG, errno);
    if (getppid() != a->parent) _exit(125);
    // Its own process group, so kill(0, …) in the program cannot reach the guard; it takes
    // the terminal's foreground if the guard had it (as tini does).
    pid_t group = getpgrp();
    if (setpgid(0, 0) == 0 && isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == group) {
        struct sigaction ignore, old;
        memset(&ignore, 0, sizeof ignore);
        ignore.sa_handler = SIG_IGN;
        sigaction(SIGTTOU, &ignore, &old);
        tcsetpgrp(STDIN_FILENO, getpid());
        sigaction(SIGTTOU, &old, NULL);
    }

    // Without no_new_privs only CAP_SYS_ADMIN may install a filter: first, then.
    if (a->filter_first) install_filter(a);
    if (a->drop_caps_mask && !a->drop_caps) {  // drop_caps takes them all below
        int err = drop_capability_mask(a->drop_caps_mask);
        if (err) child_fail(a, GUARD_STEP_CAPS, err);
    }
    if (a->drop_caps || a->set_user) {
        if (a->drop_caps) {
            // Bounding set before the uid changes, while CAP_SETPCAP is still held.
            for (int cap = 0; cap <= 63; cap++) {
                if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0) break;
                prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
            }
        }
        if (a->set_user) {
            gid_t g = a->gid;
            if (setgroups(1, &g) < 0 && errno != EPERM) child_fail(a, GUARD_STEP_GROUPS, errno);
            if (setresgid(a->gid, a->gid, a->gid) < 0) child_fail(a, GUARD_STEP_GID, errno);
            if (setresuid(a->uid, a->uid, a->uid) < 0) child_fail(a, GUARD_STEP_UID, errno);
        }
        if (a->drop_caps) {
            int err = drop_all_capabilities();
            if (err) child_fail(a, GUARD_STEP_CAPS, err);
        }
    }
    if (a->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) child_fail(a, GUARD_STEP_NNP, errno);
    if (!a->filter_first) install_filter(a);

    execve(a->path, a->argv, a->envp);
    child_report(a->status_fd, GUARD_MSG_EXEC, 0, (int16_t)errno);
    _exit(errno == ENOENT || errno == ENOTDIR ? 127 : 126);
}

int guard_spawn(const struct guard_spawn_args *args, pid_t *pid) {
    pid_t child = fork();
    if (child < 0) return errno;
    if (child == 0) child_main(args);
    *pid = child;
    return 0;
}
