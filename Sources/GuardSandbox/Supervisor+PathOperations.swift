import CGuardSys
import Glibc
import GuardPolicy
import GuardReport

/// unlink, rmdir, mkdir, mknod, rename, link, symlink, truncate, chmod and chown, emulated:
/// each path is pinned (its parent directory opened O_PATH by the kernel as the caller
/// resolves it, or the file itself when the call follows symlinks), the pinned path is
/// checked, and the supervisor performs the call on the pinned objects with the caller's
/// identity. A racing thread can change the caller's memory, not what was checked.
extension Supervisor {
    /// A path pinned for an operation.
    enum Pinned {
        /// An existing file (symlinks followed): an O_PATH fd.
        case target(fd: Int32, path: String)
        /// A name in a directory: the directory's O_PATH fd and the name as the call takes it.
        case entry(parent: Int32, leaf: String, path: String)

        var path: String {
            switch self {
            case .target(_, let p), .entry(_, _, let p): return p
            }
        }

        func close() {
            switch self {
            case .target(let fd, _), .entry(let fd, _, _): Glibc.close(fd)
            }
        }
    }

    func pin(_ request: PathResolver.Request, follow: Bool) -> Result<Pinned, Errno> {
        if follow {
            let fd = guard_openat2(request.base, request.path, UInt64(O_PATH | O_CLOEXEC), 0, request.resolve)
            if fd >= 0 {
                guard let path = pathResolver.path(of: fd) else {
                    close(fd)
                    return .failure(Errno(rawValue: EACCES))
                }
                return .success(.target(fd: fd, path: path))
            }
            if -fd != ENOENT { return .failure(Errno(rawValue: -fd)) }
        }
        let trailingSlash = request.path.count > 1 && request.path.hasSuffix("/")
        let (parentPath, leaf) = PathResolver.split(request.path)
        let parent = guard_openat2(request.base, parentPath, UInt64(O_PATH | O_DIRECTORY | O_CLOEXEC), 0, request.resolve)
        if parent < 0 { return .failure(Errno(rawValue: -parent)) }
        guard let dir = pathResolver.path(of: parent) else {
            close(parent)
            return .failure(Errno(rawValue: EACCES))
        }
        let full: String
        switch leaf {
        case "", ".": full = dir
        case "..": full = PathResolver.split(dir).parent == "." ? "/" : PathResolver.split(dir).parent
        default: full = dir == "/" ? "/" + leaf : dir + "/" + leaf
        }
        return .success(.entry(parent: parent, leaf: trailingSlash ? leaf + "/" : leaf, path: full))
    }

    static let atEmptyPath: Int32 = 0x1000

    /// fchmod and fchown, and fchmodat2/fchownat on "" with AT_EMPTY_PATH: the file is the
    /// caller's open file, taken with pidfd_getfd (a thread that puts another file at that
    /// fd number meanwhile changes nothing that was checked); its path needs `write`, like
    /// chmod's and chown's, and the call is made on it as the caller.
    func emulateDescriptorOperation(
        _ n: Notification, name: String, op: FileOperation, fd callerFD: Int32, emptyPath: Bool = false
    ) -> Verdict {
        let change: AttributeChange?
        switch readAttributeChange(op, n) {
        case .success(let c): change = c
        case .failure(let e): return .fail(e.rawValue)
        }
        let fd = callerFD == PathResolver.atFDCWD
            ? openProcEntry("/proc/\(n.tid)/cwd", O_PATH | O_CLOEXEC) : takeDescriptor(n, callerFD)
        guard fd >= 0 else { return .fail(EBADF) }
        defer { close(fd) }
        guard let path = pathResolver.path(of: fd) else { return .fail(EACCES) }
        return asCaller(n) { () -> Verdict in
            // Pipes, sockets and anonymous inodes have no path to check.
            if path.hasPrefix("/") {
                if pathResolver.isSupervisorOwn(path) { return .fail(EACCES) }
                let rule = checkFile(pathResolver.normalizedForRules(path, tid: n.tid), .write)
                if !rule.allowed, let refused = fileViolation(n, name: name, path: path, rule: rule.rule) { return refused }
            }
            if let change { return apply(change, descriptor: fd, emptyPath: emptyPath) }
            let rc: Int32
            switch op {
            case .fchmod: rc = fchmod(fd, mode_t(truncatingIfNeeded: n.args[1]))
            case .fchown: rc = fchown(fd, uid_t(truncatingIfNeeded: n.args[1]), gid_t(truncatingIfNeeded: n.args[2]))
            case .fchmodat2: rc = fchmodat(AT_FDCWD, "/proc/self/fd/\(fd)", mode_t(truncatingIfNeeded: n.args[2]), 0)
            case .fchownat:
                rc = fchownat(fd, "", uid_t(truncatingIfNeeded: n.args[2]), gid_t(truncatingIfNeeded: n.args[3]), Self.atEmptyPath)
            default: return .fail(ENOSYS)
            }
            return rc == 0 ? .value(0) : .fail(errno)
        }
    }

    func emulatePathOperation(_ n: Notification, name: String, op: FileOperation) -> Verdict {
        var arguments = pathArguments(op, n)
        let atSymlinkFollow: Int32 = 0x400
        if op == .linkat && n.int(4) & atSymlinkFollow != 0 { arguments[0].follow = true }
        var raws: [[UInt8]] = []
        for argument in arguments {
            guard let raw = memory(n).readCString(argument.path) else { return .fail(EFAULT) }
            raws.append(raw)
        }
        var linkTarget: [UInt8] = []
        if op == .symlink || op == .symlinkat {
            guard let t = memory(n).readCString(n.args[0]) else { return .fail(EFAULT) }
            linkTarget = t
        }
        let change: AttributeChange?
        switch readAttributeChange(op, n) {
        case .success(let c): change = c
        case .failure(let e): return .fail(e.rawValue)
        }
        guard stillValid(n) else { return .answered }

        return asCaller(n) { () -> Verdict in
            var pins: [Pinned] = []
            defer { pins.forEach { $0.close() } }
            for (i, argument) in arguments.enumerated() {
                // linkat(fd, "", …, AT_EMPTY_PATH): the old file is the fd itself (O_TMPFILE).
                if op == .linkat && i == 0 && raws[0].isEmpty && n.int(4) & Self.atEmptyPath != 0 {
                    let fd = openProcEntry("/proc/\(n.tid)/fd/\(n.int(0))", O_PATH | O_CLOEXEC)
                    if fd < 0 { return .fail(EBADF) }
                    pins.append(.target(fd: fd, path: pathResolver.path(of: fd) ?? "?"))
                    continue
                }
                guard let request = pathResolver.request(tid: n.tid, dirfd: argument.dirfd, raw: raws[i]) else {
                    return .fail(EBADF)
                }
                defer { request.close() }
                switch pin(request, follow: argument.follow) {
                case .success(let p): pins.append(p)
                case .failure(let e): return .fail(e.rawValue)
                }
            }
            for p in pins {
                if pathResolver.isSupervisorOwn(p.path) { return .fail(EACCES) }
                let rule = checkFile(pathResolver.normalizedForRules(p.path, tid: n.tid), .write)
                if !rule.allowed, let refused = fileViolation(n, name: name, path: p.path, rule: rule.rule) { return refused }
            }
            if let change, let pin = pins.first { return apply(change, to: pin) }
            return perform(op, n, pins, linkTarget: linkTarget)
        }
    }

    /// The call itself, on pinned objects. Returns what the kernel returned.
    func perform(_ op: FileOperation, _ n: Notification, _ pins: [Pinned], linkTarget: [UInt8]) -> Verdict {
        func result(_ rc: Int32) -> Verdict { rc == 0 ? .value(0) : .fail(errno) }
        func entry(_ i: Int) -> (Int32, String)? {
            if case .entry(let parent, let leaf, _) = pins[i] { return (parent, leaf) }
            return nil
        }
        func target(_ i: Int) -> Int32? {
            if case .target(let fd, _) = pins[i] { return fd }
            return nil
        }
        let removeDir: Int32 = 0x200
        switch op {
        case .unlink, .unlinkat, .rmdir:
            guard let (parent, leaf) = entry(0) else { return .fail(EINVAL) }
            let flags = op == .rmdir ? removeDir : op == .unlinkat ? n.int(2) : 0
            return result(unlinkat(parent, leaf, flags))
        case .mkdir, .mkdirat:
            guard let (parent, leaf) = entry(0) else { return .fail(EEXIST) }
            return result(mkdirat(parent, leaf, mode_t(truncatingIfNeeded: op == .mkdir ? n.args[1] : n.args[2])))
        case .mknod, .mknodat:
            guard let (parent, leaf) = entry(0) else { return .fail(EEXIST) }
            let (mode, dev) = op == .mknod ? (n.args[1], n.args[2]) : (n.args[2], n.args[3])
            return result(mknodat(parent, leaf, mode_t(truncatingIfNeeded: mode), dev_t(dev)))
        case .rename, .renameat, .renameat2:
            guard let (oldParent, oldLeaf) = entry(0), let (newParent, newLeaf) = entry(1) else { return .fail(EINVAL) }
            let flags = op == .renameat2 ? UInt32(truncatingIfNeeded: n.args[4]) : 0
            let rc = guard_renameat2(oldParent, oldLeaf, newParent, newLeaf, flags)
            return rc == 0 ? .value(0) : .fail(rc)
        case .link, .linkat:
            guard let (newParent, newLeaf) = entry(1) else { return .fail(EEXIST) }
            if let (oldParent, oldLeaf) = entry(0) { return result(linkat(oldParent, oldLeaf, newParent, newLeaf, 0)) }
            guard let fd = target(0) else { return .fail(EINVAL) }
            // Linking an O_PATH fd: through its /proc/self/fd magic link.
            return result(linkat(AT_FDCWD, "/proc/self/fd/\(fd)", newParent, newLeaf, 0x400))
        case .symlink, .symlinkat:
            guard let (parent, leaf) = entry(0) else { return .fail(EEXIST) }
            let text = String(decoding: linkTarget, as: UTF8.self)
            return result(symlinkat(text, parent, leaf))
        case .truncate:
            guard let fd = target(0) else { return .fail(ENOENT) }
            let file = open("/proc/self/fd/\(fd)", O_WRONLY | O_CLOEXEC)
            if file < 0 { return .fail(errno) }
            defer { close(file) }
            return result(ftruncate(file, off_t(Int64(bitPattern: n.args[1]))))
        case .chmod, .fchmodat, .fchmodat2:
            let mode = mode_t(truncatingIfNeeded: op == .chmod ? n.args[1] : n.args[2])
            if let fd = target(0) { return result(fchmodat(AT_FDCWD, "/proc/self/fd/\(fd)", mode, 0)) }
            // AT_SYMLINK_NOFOLLOW on a symlink: what the kernel says (EOPNOTSUPP).
            if op == .fchmodat2, let (parent, leaf) = entry(0) { return result(fchmodat(parent, leaf, mode, 0x100)) }
            return .fail(ENOENT)
        case .chown, .lchown, .fchownat:
            let (uid, gid) = op == .fchownat ? (n.args[2], n.args[3]) : (n.args[1], n.args[2])
            let u = uid_t(truncatingIfNeeded: uid)
            let g = gid_t(truncatingIfNeeded: gid)
            if let fd = target(0) { return result(fchownat(fd, "", u, g, 0x1000)) }
            if let (parent, leaf) = entry(0) { return result(fchownat(parent, leaf, u, g, 0x100)) }
            return .fail(ENOENT)
        default:
            return .fail(ENOSYS)
        }
    }
}
