import CGuardSys
import Glibc
import GuardPolicy

/// Extended attributes and timestamps (setxattr, removexattr and their l- and f- forms;
/// utimensat, utimes, utime, futimesat) change a file as chmod does, so its path needs
/// `write`. The name, value and times are read from the caller before the notification is
/// checked still pending; the supervisor then makes the call on the pinned file (or the
/// caller's descriptor, taken with pidfd_getfd) as the caller.
enum AttributeChange {
    case setXattr(name: [UInt8], value: [UInt8], flags: Int32)
    case removeXattr(name: [UInt8])
    /// nil: both to the current time.
    case times([timespec]?)
    /// An inode-flags ioctl and the bytes it passes (an int, or a struct fsxattr).
    case fileFlags(command: UInt, argument: [UInt8])
}

extension Supervisor {
    static let xattrSizeMax: UInt64 = 65536  // XATTR_SIZE_MAX

    /// What the call would change, from the caller's memory; nil for other operations.
    func readAttributeChange(_ op: FileOperation, _ n: Notification) -> Result<AttributeChange?, Errno> {
        let memory = memory(n)
        switch op {
        case .setxattr, .lsetxattr, .fsetxattr:
            guard let name = memory.readCString(n.args[1]) else { return .failure(Errno(rawValue: EFAULT)) }
            let size = n.args[3]
            if size > Self.xattrSizeMax { return .failure(Errno(rawValue: E2BIG)) }
            var value: [UInt8] = []
            if size > 0 {
                guard let bytes = memory.read(n.args[2], count: Int(size)) else { return .failure(Errno(rawValue: EFAULT)) }
                value = bytes
            }
            return .success(.setXattr(name: name, value: value, flags: n.int(4)))
        case .removexattr, .lremovexattr, .fremovexattr:
            guard let name = memory.readCString(n.args[1]) else { return .failure(Errno(rawValue: EFAULT)) }
            return .success(.removeXattr(name: name))
        case .utimensat, .futimesat, .utimes, .utime:
            let pointer = op == .utimensat || op == .futimesat ? n.args[2] : n.args[1]
            if pointer == 0 { return .success(.times(nil)) }
            let size = op == .utime ? 16 : 32
            guard let bytes = memory.read(pointer, count: size) else { return .failure(Errno(rawValue: EFAULT)) }
            let words: [Int] = (0..<(size / 8)).map { Int(Int64(bitPattern: bytes.littleEndian(at: $0 * 8))) }
            switch op {
            case .utimensat:
                return .success(.times([timespec(tv_sec: words[0], tv_nsec: words[1]), timespec(tv_sec: words[2], tv_nsec: words[3])]))
            case .utime:  // struct utimbuf: whole seconds
                return .success(.times([timespec(tv_sec: words[0], tv_nsec: 0), timespec(tv_sec: words[1], tv_nsec: 0)]))
            default:  // struct timeval[2]: microseconds, checked as the kernel does
                guard (0..<1_000_000).contains(words[1]), (0..<1_000_000).contains(words[3]) else { return .failure(Errno(rawValue: EINVAL)) }
                return .success(.times([timespec(tv_sec: words[0], tv_nsec: words[1] * 1000), timespec(tv_sec: words[2], tv_nsec: words[3] * 1000)]))
            }
        case .setFileFlags:
            let command = n.args[1] & 0xFFFF_FFFF
            guard let size = SupervisedSyscalls.fileFlagIoctls.first(where: { $0.command == command })?.size else {
                return .failure(Errno(rawValue: ENOTTY))
            }
            guard let bytes = memory.read(n.args[2], count: size) else { return .failure(Errno(rawValue: EFAULT)) }
            return .success(.fileFlags(command: UInt(command), argument: bytes))
        default:
            return .success(nil)
        }
    }

    /// The change made on a pinned path: through the file's /proc/self/fd link when the call
    /// follows symlinks, on the name in its pinned directory when it does not.
    func apply(_ change: AttributeChange, to pin: Pinned) -> Verdict {
        switch pin {
        case .target(let fd, _):
            return apply(change, path: "/proc/self/fd/\(fd)", flags: 0)
        case .entry(let parent, let leaf, _):
            if case .times = change { return apply(change, directory: parent, leaf: leaf) }
            // An xattr call that does not follow: the entry itself, unless it is a symlink
            // (user xattrs are not allowed there; the kernel says EPERM).
            let fd = openat(parent, leaf, O_PATH | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0 { return .fail(errno) }
            defer { close(fd) }
            var st = stat()
            if fstat(fd, &st) != 0 { return .fail(errno) }
            if st.st_mode & S_IFMT == S_IFLNK { return .fail(EPERM) }
            return apply(change, path: "/proc/self/fd/\(fd)", flags: 0)
        }
    }

    private func apply(_ change: AttributeChange, directory: Int32, leaf: String) -> Verdict {
        guard case .times(let times) = change else { return .fail(EINVAL) }
        let rc = times.map { t in t.withUnsafeBufferPointer { utimensat(directory, leaf, $0.baseAddress, AT_SYMLINK_NOFOLLOW) } }
            ?? utimensat(directory, leaf, nil, AT_SYMLINK_NOFOLLOW)
        return rc == 0 ? .value(0) : .fail(errno)
    }

    private func apply(_ change: AttributeChange, path: String, flags: Int32) -> Verdict {
        let rc: Int32
        switch change {
        case .setXattr(let name, let value, let xflags):
            rc = withCString(name) { n in value.withUnsafeBytes { setxattr(path, n, $0.baseAddress, value.count, xflags) } }
        case .removeXattr(let name):
            rc = withCString(name) { removexattr(path, $0) }
        case .times(let times):
            rc = times.map { t in t.withUnsafeBufferPointer { utimensat(AT_FDCWD, path, $0.baseAddress, flags) } }
                ?? utimensat(AT_FDCWD, path, nil, flags)
        case .fileFlags: return .fail(EINVAL)  // only ever on a descriptor
        }
        return rc == 0 ? .value(0) : .fail(errno)
    }

    /// The change made on the caller's open file (fsetxattr, fremovexattr, futimens;
    /// utimensat on "" with AT_EMPTY_PATH, which takes an O_PATH descriptor too).
    func apply(_ change: AttributeChange, descriptor fd: Int32, emptyPath: Bool = false) -> Verdict {
        let rc: Int32
        switch change {
        case .setXattr(let name, let value, let xflags):
            rc = withCString(name) { n in value.withUnsafeBytes { fsetxattr(fd, n, $0.baseAddress, value.count, xflags) } }
        case .removeXattr(let name):
            rc = withCString(name) { fremovexattr(fd, $0) }
        case .times(let times):
            rc = times.map { t in
                t.withUnsafeBufferPointer { emptyPath ? utimensat(fd, "", $0.baseAddress, Self.atEmptyPath) : futimens(fd, $0.baseAddress) }
            } ?? (emptyPath ? utimensat(fd, "", nil, Self.atEmptyPath) : futimens(fd, nil))
        case .fileFlags(let command, var argument):
            let e = argument.withUnsafeMutableBytes { guard_ioctl(fd, command, $0.baseAddress) }
            return e == 0 ? .value(0) : .fail(e)
        }
        return rc == 0 ? .value(0) : .fail(errno)
    }

    private func withCString<T>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> T) -> T {
        (bytes + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) } }
    }
}
