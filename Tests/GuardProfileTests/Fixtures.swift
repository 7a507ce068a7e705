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
        o.foreignSyscalls = ["i386": ["getpid"]]
        return o
    }

    static var shell: Observation {
        var o = Observation()
        o.command = ["/bin/sh", "-c", "ls /usr/bin | sort | head -5 | wc -l"]
        o.syscalls = ["read", "write", "openat", "close", "pipe2", "clone", "wait4", "dup2", "execve", "getdents64", "fadvise64"]
        o.filesRead = ["/usr/bin", "/etc/ld.so.cache", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/locale/locale-archive"]
        o.filesExecuted = ["/usr/bin/dash", "/usr/bin/ls", "/usr/bin/sort", "/usr/bin/head", "/usr/bin/wc"]
        o.socketFamilies = []
        return o
    }
}
