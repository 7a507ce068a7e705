import GuardPolicy

/// What the supervisor must do with a notified syscall.
public enum SyscallKind: Sendable, Equatable {
    /// A `syscalls` rule said deny, kill or audit: report, then answer.
    case rule(RuleAction)
    /// Opens and other path operations: check against `files`.
    case file(FileOperation)
    /// execve / execveat: check against `files.exec`.
    case exec(atVariant: Bool)
    /// connect / bind / sendto / sendmsg: check against `network`.
    case network(NetworkOperation)
    /// setuid, capset, umask …: the caller's identity changes; forget what was cached.
    case credentials
    /// kill and its relatives: refused when they would reach the guard itself.
    case signal
    /// fcntl / ioctl with a watched command (file owners, inode flags).
    case command
}

public enum FileOperation: Sendable, Equatable {
    case open, openat, openat2, creat
    case unlink, unlinkat, rmdir
    case rename, renameat, renameat2
    case link, linkat, symlink, symlinkat
    case mkdir, mkdirat, mknod, mknodat
    case truncate, chmod, fchmodat, fchmodat2, chown, lchown, fchownat
    case setxattr, lsetxattr, removexattr, lremovexattr, utimensat, utimes, utime, futimesat
    /// On an open file: the caller's fd.
    case fchmod, fchown, fsetxattr, fremovexattr
    /// ioctl FS_IOC_SETFLAGS or FS_IOC_FSSETXATTR (chattr): inode flags of the caller's fd.
    case setFileFlags
    case chroot
}

public enum NetworkOperation: Sendable, Equatable {
    case connect, bind, sendto, sendmsg
}

/// Syscall names by what guard does with them; the lists define what `files` and
/// `network` supervise.
enum SupervisedSyscalls {
    static let files: [(String, FileOperation)] = [
        ("open", .open), ("openat", .openat), ("openat2", .openat2), ("creat", .creat),
        ("unlink", .unlink), ("unlinkat", .unlinkat), ("rmdir", .rmdir),
        ("rename", .rename), ("renameat", .renameat), ("renameat2", .renameat2),
        ("link", .link), ("linkat", .linkat), ("symlink", .symlink), ("symlinkat", .symlinkat),
        ("mkdir", .mkdir), ("mkdirat", .mkdirat), ("mknod", .mknod), ("mknodat", .mknodat),
        ("truncate", .truncate), ("chmod", .chmod), ("fchmodat", .fchmodat), ("fchmodat2", .fchmodat2),
        ("chown", .chown), ("lchown", .lchown), ("fchownat", .fchownat), ("fchmod", .fchmod), ("fchown", .fchown),
        ("setxattr", .setxattr), ("lsetxattr", .lsetxattr), ("fsetxattr", .fsetxattr),
        ("removexattr", .removexattr), ("lremovexattr", .lremovexattr), ("fremovexattr", .fremovexattr),
        ("utimensat", .utimensat), ("utimes", .utimes), ("utime", .utime), ("futimesat", .futimesat),
        // A process that changes its root would make every path mean something else.
        ("chroot", .chroot),
    ]
    /// x86-64 numbers of path calls libseccomp 2.5 cannot name: setxattrat (463),
    /// removexattrat (466), open_tree_attr (467), file_setattr (469).
    static let unnamedPathCalls: [Int32] = [463, 466, 467, 469]
    /// Commands that make a process a file's owner, which gets its SIGIO, or the signal
    /// F_SETSIG names (SIGKILL included), sent with the rights of whoever set the owner:
    /// F_SETOWN and F_SETOWN_EX; FIOSETOWN and SIOCSPGRP.
    static let ownerCommands: [(String, [UInt64])] = [("fcntl", [8, 15]), ("fcntl64", [8, 15]), ("ioctl", [0x8901, 0x8902])]
    /// The ioctl commands that change an inode's flags (chattr): FS_IOC_SETFLAGS and
    /// FS_IOC_FSSETXATTR, with the size of what they read.
    static let fileFlagIoctls: [(command: UInt64, size: Int)] = [(0x4008_6602, 4), (0x401C_5820, 28)]
    /// Denied whenever files or network are supervised (unless allowed by name).
    static let supervisionEscapes = [
        "io_uring_setup", "ptrace", "pidfd_getfd", "process_vm_readv", "process_vm_writev", "name_to_handle_at",
        "open_by_handle_at", "mount", "umount2", "move_mount", "open_tree", "fsopen", "fsmount", "fsconfig",
        "pivot_root", "unshare", "setns", "userfaultfd", "kcmp", "bpf",
    ]

    /// Syscalls after which a thread's file-system identity may differ.
    static let credentials = [
        "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid", "setfsgid", "setgroups",
        "capset", "umask",
    ]
    /// Ways to send a signal to a process or thread the caller names.
    static let signals = ["kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_open", "pidfd_send_signal"]
    static let exec: [(String, Bool)] = [("execve", false), ("execveat", true)]
    static let network: [(String, NetworkOperation)] = [
        ("connect", .connect), ("bind", .bind), ("sendto", .sendto), ("sendmsg", .sendmsg), ("sendmmsg", .sendmsg),
    ]
}
