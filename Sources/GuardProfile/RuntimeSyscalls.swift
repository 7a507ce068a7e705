/// Syscalls a recorded policy allows although the recording may not show them: what runs
/// between the filter's installation and the workload's first instruction, and what any
/// process needs to survive events a recording rarely catches.
public enum RuntimeSyscalls {
    /// guard's own child after it installs the filter (Shims/CGuardSys/spawn.c): wait for
    /// the supervisor on the sync pipe, close the listener, exec; report a failed exec and
    /// exit.
    public static let guardLauncher: [String] = ["read", "close", "execve", "write", "exit_group"]

    /// The kernel's ELF loading and the dynamic loader and libc start-up, which differ
    /// slightly between a static and a dynamic binary; what signal delivery and
    /// stop/continue need (`rt_sigreturn`, `restart_syscall`), which a recording without a
    /// signal never shows and whose absence kills a process on its first signal; and what
    /// `raise` and `abort` do (block signals, gettid, tgkill): a handler that re-raises
    /// (coreutils `sort` on SIGPIPE when `head` closes the pipe first) does it only in the
    /// runs that lose the race.
    public static let processBaseline: [String] = [
        "execve", "brk", "arch_prctl", "mmap", "mprotect", "munmap", "openat", "read", "pread64", "close",
        "fstat", "newfstatat", "access", "set_tid_address", "set_robust_list", "rseq", "prlimit64",
        "getrandom", "exit", "exit_group", "rt_sigreturn", "restart_syscall",
        "rt_sigprocmask", "getpid", "gettid", "tgkill",
    ]

    /// An OCI runtime after it installs the container's filter, up to the workload's exec.
    /// Found by tracing Debian's runc 1.1.5 (`strace -f runc run`) with a profile in place:
    /// with `noNewPrivileges: true` the filter comes last (close, openat of the exec fifo,
    /// write, getpid, fstatfs/getdents64 of /proc/self/fd, epoll_ctl, futex, execve); with
    /// `noNewPrivileges: false` (Docker's default) it comes before the runtime drops
    /// privileges (capget, capset, prctl, setgroups, setgid, setuid, chdir, fchown, fcntl,
    /// getcwd, faccessat2, …). runc is Go: its runtime may sleep, yield, take signals
    /// (SIGURG preemption), allocate and start a thread on the filtered thread at any point;
    /// crun execs with execveat and sets ids with setres*id.
    public static let ociRuntime: [String] = [
        // runc, noNewPrivileges true
        "close", "openat", "write", "read", "getpid", "fstatfs", "getdents64", "epoll_ctl", "futex", "execve",
        // runc, noNewPrivileges false
        "capget", "capset", "prctl", "setgroups", "setgid", "setuid", "setresgid", "setresuid", "chdir", "fchown",
        "fcntl", "fstat", "newfstatat", "getcwd", "getppid", "faccessat2",
        // the Go runtime
        "nanosleep", "sched_yield", "mmap", "munmap", "madvise", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn",
        "sigaltstack", "gettid", "tgkill", "epoll_pwait", "clone", "exit", "exit_group",
        // crun
        "execveat", "close_range", "dup3",
    ]
}
