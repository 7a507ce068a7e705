// Raw syscalls that glibc 2.36 does not wrap, or wraps process-wide where guard needs
// one thread only (the supervisor impersonates the child's credentials per thread).
#define _GNU_SOURCE
#include "CGuardSys.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

int guard_pidfd_open(pid_t pid) {
    long r = syscall(SYS_pidfd_open, pid, 0);
    return r < 0 ? -errno : (int)r;
}

int guard_pidfd_open_thread(pid_t tid) {
    long r = syscall(SYS_pidfd_open, tid, O_EXCL /* PIDFD_THREAD, Linux 6.9 */);
    return r < 0 ? -errno : (int)r;
}

int guard_pidfd_getfd(int pidfd, int targetfd) {
    long r = syscall(SYS_pidfd_getfd, pidfd, targetfd, 0);
    return r < 0 ? -errno : (int)r;
}

int guard_pidfd_send_signal(int pidfd, int sig) {
    return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? errno : 0;
}

int guard_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
    struct open_how how = {.flags = flags, .mode = mode, .resolve = resolve};
    long r = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    return r < 0 ? -errno : (int)r;
}

// glibc's setfsuid is a plain syscall, but call it raw to be sure it stays per-thread.
int guard_setfsuid(uid_t uid) { return (int)syscall(SYS_setfsuid, uid); }
int guard_setfsgid(gid_t gid) { return (int)syscall(SYS_setfsgid, gid); }

// glibc's seteuid() changes every thread; the raw syscalls change this one. The real and
// saved ids stay, so the thread can go back.
int guard_seteuid_thread(uid_t euid) { return syscall(SYS_setresuid, -1, euid, -1) < 0 ? errno : 0; }
int guard_setegid_thread(gid_t egid) { return syscall(SYS_setresgid, -1, egid, -1) < 0 ? errno : 0; }
int guard_setreuid_thread(uid_t ruid, uid_t euid) { return syscall(SYS_setresuid, ruid, euid, -1) < 0 ? errno : 0; }
int guard_setregid_thread(gid_t rgid, gid_t egid) { return syscall(SYS_setresgid, rgid, egid, -1) < 0 ? errno : 0; }

// glibc's setgroups() changes every thread (setxid broadcast); the raw syscall does not.
int guard_setgroups_thread(size_t n, const gid_t *groups) {
    return syscall(SYS_setgroups, n, groups) < 0 ? errno : 0;
}

int guard_capget(uint64_t *effective, uint64_t *permitted, uint64_t *inheritable) {
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) < 0) return errno;
    *effective = (uint64_t)d[0].effective | ((uint64_t)d[1].effective << 32);
    *permitted = (uint64_t)d[0].permitted | ((uint64_t)d[1].permitted << 32);
    *inheritable = (uint64_t)d[0].inheritable | ((uint64_t)d[1].inheritable << 32);
    return 0;
}

int guard_capset_effective(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
    // One syscall: the caller passes the sets it keeps (no capget on the hot path).
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2] = {
        {(uint32_t)(effective & permitted), (uint32_t)permitted, (uint32_t)inheritable},
        {(uint32_t)((effective & permitted) >> 32), (uint32_t)(permitted >> 32), (uint32_t)(inheritable >> 32)}};
    return syscall(SYS_capset, &h, d) < 0 ? errno : 0;
}

int guard_unshare_fs(void) { return unshare(CLONE_FS) < 0 ? errno : 0; }

int guard_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0 ? errno : 0; }


#include <sys/mman.h>
int guard_memfd_cloexec(const char *name) { return memfd_create(name, MFD_CLOEXEC); }

#include <fcntl.h>
int guard_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

#include <sys/uio.h>
// process_vm_readv is _GNU_SOURCE-only in glibc's header.
ssize_t guard_read_memory(pid_t pid, void *local, size_t count, uint64_t remote) {
    struct iovec l = {local, count};
    struct iovec r = {(void *)(uintptr_t)remote, count};
    return process_vm_readv(pid, &l, 1, &r, 1, 0);
}

ssize_t guard_write_memory(pid_t pid, const void *local, size_t count, uint64_t remote) {
    struct iovec l = {(void *)local, count};
    struct iovec r = {(void *)(uintptr_t)remote, count};
    return process_vm_writev(pid, &l, 1, &r, 1, 0);
}

// renameat2 is _GNU_SOURCE-only in glibc's header.
int guard_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags) {
    return syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags) < 0 ? errno : 0;
}

int guard_trace_exec(pid_t tid) {
    return ptrace(PTRACE_SEIZE, tid, 0, (void *)(long)(PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL)) < 0 ? errno : 0;
}

int guard_trace_interrupt(pid_t tid) { return ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0 ? errno : 0; }

int guard_trace_release(pid_t tid, int sig) { return ptrace(PTRACE_DETACH, tid, 0, (void *)(long)sig) < 0 ? errno : 0; }

int guard_ioctl(int fd, unsigned long command, void *argument) { return ioctl(fd, command, argument) < 0 ? errno : 0; }

int guard_fcntl(int fd, int command, void *argument) { return fcntl(fd, command, argument) < 0 ? errno : 0; }
