#ifndef CGUARDSYS_H
#define CGUARDSYS_H
// The few things Swift must not or cannot do: the child side of fork→exec (only
// async-signal-safe C may run there), raw syscalls glibc 2.36 does not wrap, and the
// seccomp ioctls (function-like macros Swift cannot import). Every function returns 0 or
// a positive errno (or a result >= 0 / -errno where noted) and never prints.
#include <stdint.h>
#include <sys/types.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/openat2.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/uio.h>
#include <sys/xattr.h>  // setxattr and relatives: not in Swift's Glibc module

// ---------------------------------------------------------------- spawn.c

/// Messages the child writes to the status pipe (8 bytes each, atomic on a pipe).
enum {
    GUARD_MSG_LISTENER = 1,  ///< value: the fd number the seccomp listener will get
    GUARD_MSG_SETUP = 2,     ///< value: errno of a failed setup step; `step` names it
    GUARD_MSG_EXEC = 3,      ///< value: errno of the failed execve
};

/// SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (Linux 5.19; older headers lack it).
#define GUARD_SECCOMP_WAIT_KILLABLE_RECV (1U << 5)

/// Which setup step failed (GUARD_MSG_SETUP), so the parent can say what went wrong.
enum {
    GUARD_STEP_PDEATHSIG = 1, GUARD_STEP_GROUPS, GUARD_STEP_GID, GUARD_STEP_UID, GUARD_STEP_CAPS,
    GUARD_STEP_NNP, GUARD_STEP_SECCOMP,
};

struct guard_child_msg {
    int32_t kind;   // GUARD_MSG_*
    int16_t step;   // GUARD_STEP_* for GUARD_MSG_SETUP
    int16_t value;  // errno or fd number
};

struct guard_spawn_args {
    const char *path;          ///< absolute path to execute (the parent searched PATH)
    char *const *argv;
    char *const *envp;
    const struct sock_fprog *filter;  ///< NULL: no filter
    unsigned int seccomp_flags;       ///< SECCOMP_FILTER_FLAG_* (NEW_LISTENER, WAIT_KILLABLE_RECV for notify)
    int status_fd;             ///< write end of the CLOEXEC status pipe
    int sync_fd;               ///< read end of the CLOEXEC go pipe (-1: do not wait)
    int set_user;              ///< 1: switch to uid/gid
    uid_t uid;
    gid_t gid;
    int drop_caps;             ///< 1: empty bounding, ambient, permitted and effective sets
    uint64_t drop_caps_mask;   ///< capabilities removed from every set even when drop_caps is 0
    int no_new_privs;          ///< 1: PR_SET_NO_NEW_PRIVS
    int filter_first;          ///< 1: install the filter before dropping privileges
    pid_t parent;              ///< the parent's pid, to detect that it died before PDEATHSIG
};

/// fork()s and runs the child's steps: signals reset, PDEATHSIG=SIGKILL, privileges,
/// no_new_privs, seccomp (listener fd announced before, then wait for the parent to take
/// it with pidfd_getfd), execve. Returns 0 and the pid in *pid, or an errno of fork.
/// Parent side is ordinary; child side is async-signal-safe only.
int guard_spawn(const struct guard_spawn_args *args, pid_t *pid);

// ---------------------------------------------------------------- sys.c (raw syscalls)

int guard_pidfd_open(pid_t pid);                       ///< fd or -errno
int guard_pidfd_open_thread(pid_t tid);                ///< fd or -errno (EINVAL before Linux 6.9)
int guard_pidfd_getfd(int pidfd, int targetfd);        ///< fd or -errno
int guard_pidfd_send_signal(int pidfd, int sig);       ///< 0 or errno
int guard_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);  ///< fd or -errno
int guard_setfsuid(uid_t uid);                         ///< previous fsuid (per-thread, raw)
int guard_setfsgid(gid_t gid);
int guard_seteuid_thread(uid_t euid);                  ///< 0 or errno; this thread only (fsuid follows)
int guard_setegid_thread(gid_t egid);                  ///< 0 or errno; this thread only (fsgid follows)
int guard_setreuid_thread(uid_t ruid, uid_t euid);     ///< 0 or errno; this thread only, saved uid kept
int guard_setregid_thread(gid_t rgid, gid_t egid);     ///< 0 or errno; this thread only, saved gid kept
int guard_setgroups_thread(size_t n, const gid_t *groups);  ///< 0 or errno; this thread only
int guard_capget(uint64_t *effective, uint64_t *permitted, uint64_t *inheritable);  ///< 0 or errno; this thread
int guard_capset_effective(uint64_t effective, uint64_t permitted, uint64_t inheritable);  ///< 0 or errno; this thread
int guard_unshare_fs(void);                            ///< 0 or errno: this thread gets its own cwd/umask
int guard_set_child_subreaper(void);                   ///< 0 or errno
int guard_memfd_cloexec(const char *name);                 ///< fd or -1 (errno set)
int guard_pipe_cloexec(int fds[2]);                          ///< 0 or -1 (errno set)
ssize_t guard_read_memory(pid_t pid, void *local, size_t count, uint64_t remote);  ///< process_vm_readv of one range
ssize_t guard_write_memory(pid_t pid, const void *local, size_t count, uint64_t remote);  ///< process_vm_writev of one range
int guard_ioctl(int fd, unsigned long command, void *argument);  ///< 0 or errno (ioctl is variadic)
int guard_fcntl(int fd, int command, void *argument);            ///< 0 or errno (fcntl is variadic)
int guard_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);  ///< 0 or errno

// Exec confirmation at the exec stop (Supervisor+Exec.swift); each returns 0 or errno.
int guard_trace_exec(pid_t tid);                        ///< PTRACE_SEIZE with TRACEEXEC | EXITKILL
int guard_trace_interrupt(pid_t tid);                   ///< PTRACE_INTERRUPT
int guard_trace_release(pid_t tid, int sig);            ///< PTRACE_DETACH, delivering sig (0: none)

// ---------------------------------------------------------------- notify.c (ioctls)

int guard_notif_recv(int fd, struct seccomp_notif *req);   ///< 0 or errno (ENOENT: target gone)
int guard_notif_respond(int fd, uint64_t id, int64_t val, int32_t error, uint32_t flags);  ///< 0 or errno
int guard_notif_id_valid(int fd, uint64_t id);             ///< 0 valid, else errno
int guard_notif_addfd_send(int fd, uint64_t id, int srcfd, uint32_t newfd_flags);  ///< installed fd number or -errno
int guard_notif_set_sync_wakeup(int fd);                   ///< 0 or errno (EINVAL before 6.6)

#endif
