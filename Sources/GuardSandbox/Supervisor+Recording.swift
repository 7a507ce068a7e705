import CGuardSys
import Glibc
import GuardPolicy

/// `guard profile`: every syscall notifies and is continued unchanged; the supervisor
/// notes what it was, for opens, execs, connects and binds what they touched, and for
/// socket, clone, clone3, unshare and personality the argument that decides safety. Paths
/// are resolved before the call runs, so a file the call creates is recorded by its
/// parent's resolved path plus its name.
extension Supervisor {
    func record(_ n: Notification) -> Verdict {
        let key = SyscallKey(arch: n.arch == Arch.x86_64 && n.nr & Arch.x32SyscallBit != 0 ? Arch.x32 : n.arch, nr: n.nr)
        let name: String
        if let cached = recordedNames[key] {
            name = cached
        } else {
            name = SyscallNames.name(arch: key.arch, nr: key.nr)
            recordedNames[key] = name
            if key.arch == Arch.x86_64 {
                observation.syscalls.insert(name)
            } else {
                observation.foreignSyscalls[key.arch == Arch.i386 ? "i386" : "x32", default: []].insert(name)
            }
        }
        // Argument values that decide whether the call is safe, on every entry point (the
        // flags are the first argument of each, and clone_args is laid out alike everywhere).
        switch name {
        case "clone": observation.cloneFlags.insert(n.args[0] & 0xFFFF_FFFF)
        case "clone3":
            // The flags are the first u64 of `struct clone_args` (args[1] is its size). Read
            // while the call waits for us, and kept only if the notification is still
            // pending: a recycled tid would otherwise hand us another process's memory.
            if n.args[1] >= 8, let bytes = memory(n).read(n.args[0], count: 8), stillValid(n) {
                observation.clone3Flags.insert(bytes.littleEndian(at: 0))
            }
        case "unshare": observation.unshareFlags.insert(n.args[0])
        case "personality": observation.personalities.insert(n.args[0] & 0xFFFF_FFFF)
        default: break
        }
        guard key.arch == Arch.x86_64 else { return .continue }
        switch name {
        case "open": recordPath(n, dirfd: PathResolver.atFDCWD, pointer: n.args[0], flags: n.int(1))
        case "creat": recordPath(n, dirfd: PathResolver.atFDCWD, pointer: n.args[0], flags: O_CREAT | O_WRONLY)
        case "openat": recordPath(n, dirfd: n.int(0), pointer: n.args[1], flags: n.int(2))
        case "openat2":
            if let how = memory(n).read(n.args[2], count: 8) {
                let flags = how.littleEndian(at: 0)
                recordPath(n, dirfd: n.int(0), pointer: n.args[1], flags: Int32(truncatingIfNeeded: flags))
            }
        case "execve": recordExec(n, dirfd: PathResolver.atFDCWD, pointer: n.args[0])
        case "execveat": recordExec(n, dirfd: n.int(0), pointer: n.args[1])
        case "socket": observation.socketFamilies.insert(Int(n.int(0)))
        case "connect", "bind":
            let length = min(Int(clamping: n.args[2]), 128)
            if let bytes = memory(n).read(n.args[1], count: length), let address = SocketAddressDecoder.decode(bytes, dissolves: name == "connect") {
                if name == "connect" { observation.connects.insert(address.description) } else { observation.binds.insert(address.description) }
            }
        case "sendto" where n.args[4] != 0:
            if let bytes = memory(n).read(n.args[4], count: min(Int(clamping: n.args[5]), 128)),
                let address = SocketAddressDecoder.decode(bytes, dissolves: false)
            {
                observation.connects.insert(address.description)
            }
        case "unlink", "rmdir", "mkdir", "mknod", "truncate", "chmod", "chown", "lchown":
            recordWrite(n, dirfd: PathResolver.atFDCWD, pointer: n.args[0])
        case "unlinkat", "mkdirat", "mknodat", "fchmodat", "fchownat":
            recordWrite(n, dirfd: n.int(0), pointer: n.args[1])
        case "rename", "link":
            recordWrite(n, dirfd: PathResolver.atFDCWD, pointer: n.args[0])
            recordWrite(n, dirfd: PathResolver.atFDCWD, pointer: n.args[1])
        case "renameat", "renameat2", "linkat":
            recordWrite(n, dirfd: n.int(0), pointer: n.args[1])
            recordWrite(n, dirfd: n.int(2), pointer: n.args[3])
        case "symlink": recordWrite(n, dirfd: PathResolver.atFDCWD, pointer: n.args[1])
        case "symlinkat": recordWrite(n, dirfd: n.int(1), pointer: n.args[2])
        case "setxattr", "removexattr", "utimes", "utime":
            recordWrite(n, dirfd: PathResolver.atFDCWD, pointer: n.args[0], follow: true)
        case "lsetxattr", "lremovexattr": recordWrite(n, dirfd: PathResolver.atFDCWD, pointer: n.args[0])
        case "futimesat": recordWrite(n, dirfd: n.int(0), pointer: n.args[1], follow: true)
        case "utimensat" where n.args[1] != 0:
            recordWrite(n, dirfd: n.int(0), pointer: n.args[1], follow: n.args[3] & UInt64(AT_SYMLINK_NOFOLLOW) == 0)
        case "fchmod", "fchown", "fsetxattr", "fremovexattr", "utimensat": recordDescriptorWrite(n, fd: n.int(0))
        case "ioctl" where SupervisedSyscalls.fileFlagIoctls.contains { $0.command == n.args[1] & 0xFFFF_FFFF }:
            recordDescriptorWrite(n, fd: n.int(0))
        default: break
        }
        return .continue
    }

    func resolveForRecording(_ n: Notification, dirfd: Int32, pointer: UInt64, follow: Bool) -> String? {
        guard let raw = memory(n).readCString(pointer),
            let request = pathResolver.request(tid: n.tid, dirfd: dirfd, raw: raw)
        else { return nil }
        defer { request.close() }
        guard case .success(let pinned) = pin(request, follow: follow) else { return nil }
        pinned.close()
        guard pinned.path.hasPrefix("/"), !pathResolver.isSupervisorOwn(pinned.path) else { return nil }
        return pathResolver.normalizedForRules(pinned.path, tid: n.tid)
    }

    func recordPath(_ n: Notification, dirfd: Int32, pointer: UInt64, flags: Int32) {
        guard let path = resolveForRecording(n, dirfd: dirfd, pointer: pointer, follow: flags & O_NOFOLLOW == 0) else { return }
        let writes = flags & O_PATH == 0 && (flags & O_ACCMODE != O_RDONLY || flags & (O_CREAT | O_TRUNC) != 0)
        if writes { observation.filesWritten.insert(path) } else { observation.filesRead.insert(path) }
    }

    func recordWrite(_ n: Notification, dirfd: Int32, pointer: UInt64, follow: Bool = false) {
        if let path = resolveForRecording(n, dirfd: dirfd, pointer: pointer, follow: follow) { observation.filesWritten.insert(path) }
    }

    /// A change made through an open file (fchmod, fsetxattr, futimens…): its path needs
    /// `write` under enforcement. Pipes, sockets and anonymous files have none.
    func recordDescriptorWrite(_ n: Notification, fd: Int32) {
        guard let path = ProcInfo.readLink("/proc/\(n.tid)/fd/\(fd)"), path.hasPrefix("/"), !path.hasSuffix(" (deleted)"),
            !pathResolver.isSupervisorOwn(path)
        else { return }
        observation.filesWritten.insert(pathResolver.normalizedForRules(path, tid: n.tid))
    }

    func recordExec(_ n: Notification, dirfd: Int32, pointer: UInt64) {
        guard let path = resolveForRecording(n, dirfd: dirfd, pointer: pointer, follow: true) else { return }
        observation.filesExecuted.insert(path)
        // A script runs its interpreter, which is what /proc/PID/exe shows and what the
        // exec check confirms under enforcement.
        if let interpreter = Self.interpreter(of: path) { observation.filesExecuted.insert(interpreter) }
    }

    /// The resolved interpreter a `#!` script names, if it has one.
    static func interpreter(of path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 256)
        let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 2, head[0] == UInt8(ascii: "#"), head[1] == UInt8(ascii: "!") else { return nil }
        let line = head[2..<n].prefix { $0 != 10 }.drop { $0 == 32 || $0 == 9 }.prefix { $0 != 32 && $0 != 9 }
        guard !line.isEmpty, let resolved = realpath(String(decoding: line, as: UTF8.self), nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
