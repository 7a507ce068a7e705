import GuardSandbox

/// Observations shaped like what the recorder returns for real workloads.
enum Fixtures {
    static var python: Observation {
        var o = Observation()
        o.command = ["/usr/bin/python3", "-c", "import json, sqlite3, hashlib"]
        o.syscalls = [
            "read", "write", "openat", "close", "fstat", "newfstatat", "lseek", "mmap", "mprotect", "munmap", "brk",
            "rt_sigaction", "rt_sigprocmask", "ioctl", "pread64", "getdents64", "getcwd", "readlink", "futex",
            "getrandom", "sysinfo", "execve", "exit_group", "socket", "connect", "clone", "personality", "clone3",
        ]
        o.filesRead = Set((0..<120).map { "/usr/lib/python3.11/pkg\($0 % 7)/m\($0).py" })
            .union(["/etc/passwd", "/etc/group", "/etc/ld.so.cache", "/usr/lib/x86_64-linux-gnu/libc.so.6",
                    "/usr/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libsqlite3.so.0", "/dev/urandom",
                    "/proc/self/maps", "/usr/bin/python3.11"])
        o.filesWritten = ["/dev/null", "/tmp/tmpq1w2e3/db.sqlite"]
        o.filesExecuted = ["/usr/bin/python3.11"]
        o.connects = ["127.0.0.1:5432", "[::1]:53", "unix:/run/app.sock"]
        o.binds = ["0.0.0.0:0"]
        o.socketFamilies = [1, 2, 10]
        o.cloneFlags = [0x0120_0011]  // fork: CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD
        o.clone3Flags = [0x003D_0F00]  // pthread_create
        o.personalities = [0x40000]  // ADDR_NO_RANDOMIZE
        o.foreignSyscalls = ["i386": ["getpid"]]
        return o
    }

    /// A sandboxing launcher: a user+network namespace by clone, a PID namespace by
    /// clone3, unshare of user+network, PER_LINUX32 and the personality query.
    static var sandbox: Observation {
        var o = Observation()
        o.command = ["/usr/local/bin/sandbox", "--", "/bin/true"]
        o.syscalls = ["read", "write", "clone", "clone3", "unshare", "personality", "wait4", "execve", "exit_group"]
        o.cloneFlags = [0x0120_0011, 0x5000_0011]
        o.clone3Flags = [0x003D_0F00, 0x2000_0000]
        o.unshareFlags = [0x5000_0000]
        o.personalities = [0x8, 0xFFFF_FFFF]
        return o
    }

    static var shell: Observation {
        var o = Observation()
        o.command = ["/bin/sh", "-c", "ls /usr/bin | sort | head -5 | wc -l"]
        o.syscalls = ["read", "write", "openat", "close", "pipe2", "clone", "wait4", "dup2", "execve", "getdents64", "fadvise64"]
        o.filesRead = ["/usr/bin", "/etc/ld.so.cache", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/locale/locale-archive"]
        o.filesExecuted = ["/usr/bin/dash", "/usr/bin/ls", "/usr/bin/sort", "/usr/bin/head", "/usr/bin/wc"]
        o.socketFamilies = []
        o.cloneFlags = [0x0120_0011]
        return o
    }
}
