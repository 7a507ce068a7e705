import CGuardSys
import Glibc
import GuardPolicy
import GuardReport

/// The `files` rules. Opens are emulated: the supervisor opens the file as the caller
/// would (its cwd and dirfd, its credentials), checks what it actually opened, and installs
/// that very file in the caller (ADDFD), so a racing thread cannot swap the path between
/// the check and the open. Other path operations are emulated the same way
/// (Supervisor+PathOperations.swift).
extension Supervisor {
    enum Access: String {
        case read, write, exec
    }

    /// Deny wins; an absent list does not restrict.
    func checkFile(_ path: String, _ access: Access) -> (allowed: Bool, rule: String) {
        guard let files = policy.files else { return (true, "") }
        if files.deny.contains(where: { $0.matches(path) }) { return (false, "files.deny") }
        let list: [Glob]?
        switch access {
        case .read: list = files.read
        case .write: list = files.write
        case .exec: list = files.exec
        }
        if let list, !list.contains(where: { $0.matches(path) }) { return (false, "files.\(access.rawValue)") }
        return (true, "")
    }

    /// Applies the `files` action to a violation and reports it. Returns nil when the
    /// operation may go on (audit), or the verdict that refuses it.
    func fileViolation(_ n: Notification, name: String, path: String, rule: String, category: ReportCategory = .file)
        -> Verdict?
    {
        let action = policy.effective(policy.files?.action ?? .deny)
        let severity: Severity = rule == "files.deny" || category == .exec ? .high : .medium
        switch action {
        case .audit, .allow:
            report(n, category: category, action: .audited, rule: rule, severity: severity, syscall: name, path: path)
            return nil
        case .kill:
            report(n, category: category, action: .killed, rule: rule, severity: .critical, syscall: name, path: path)
            return .kill
        case .deny:
            report(n, category: category, action: .denied, rule: rule, severity: severity, syscall: name, path: path)
            return .fail(EACCES)
        }
    }

    /// The caller's memory. A read the held identity may not make (a caller of another uid)
    /// is made again with the supervisor's own rights.
    func memory(_ n: Notification) -> ProcessMemory {
        ProcessMemory(pid: n.tid, privileged: { [unowned self] in self.asSupervisor($0) })
    }

    /// Is the notification still pending? Checked after every read of the caller's memory:
    /// a recycled tid must not make us act on another process's memory.
    func stillValid(_ n: Notification) -> Bool {
        guard let listener else { return false }
        return guard_notif_id_valid(listener, n.id) == 0
    }

    /// Runs `body` with the caller's file-system identity (only when the supervisor is
    /// privileged: an unprivileged supervisor cannot grant more than the caller has).
    /// The notification thread keeps that identity afterwards: callers seldom change, and a
    /// switch costs two capset calls (3 µs here). It holds the caller's rights or fewer, so
    /// whatever runs under it can do no more than the caller; what needs the supervisor's
    /// own rights (reading another uid's memory, killing) asks for them with asSupervisor.
    func asCaller<T>(_ n: Notification, _ body: () -> T) -> T {
        guard supervisorCredentials.effectiveCaps != 0 || supervisorCredentials.fsuid == 0 else { return body() }
        hold(callerCredentials(n.tid) ?? supervisorCredentials)
        return body()
    }

    /// Runs `body` with the supervisor's own rights, then goes back to the identity held
    /// before: what follows in an `asCaller` body must not run as root.
    func asSupervisor<T>(_ body: () -> T) -> T {
        let previous = heldCredentials
        hold(supervisorCredentials)
        defer { hold(previous) }
        return body()
    }

    /// Switches the notification thread to `wanted` (per-thread credentials) if it holds
    /// another identity.
    func hold(_ wanted: Credentials) {
        guard heldCredentials != wanted else { return }
        if heldCredentials != supervisorCredentials { heldCredentials.restore(supervisorCredentials) }
        if wanted != supervisorCredentials { wanted.apply(over: supervisorCredentials) }
        heldCredentials = wanted
    }

    /// Opens one of the caller's /proc entries (cwd, fd/N): as the held identity, or failing
    /// that with the supervisor's rights.
    func openProcEntry(_ path: String, _ flags: Int32) -> Int32 {
        let fd = open(path, flags)
        if fd >= 0 || (errno != EACCES && errno != EPERM) || heldCredentials == supervisorCredentials { return fd }
        return asSupervisor { open(path, flags) }
    }

    /// Cached per thread; the cache is dropped by the identity-changing syscalls, which
    /// notify, so a thread that gave up rights never borrows its old ones.
    func callerCredentials(_ tid: Int32) -> Credentials? {
        let ms = monotonicMilliseconds()
        if let hit = credentialCache[tid], hit.expires > ms { return hit.credentials }
        guard let fresh = Credentials.of(tid) else { return nil }
        if credentialCache.count > 4096 { credentialCache.removeAll(keepingCapacity: true) }
        credentialCache[tid] = (fresh, ms + 1000)
        return fresh
    }

    func decideFile(_ n: Notification, name: String, op: FileOperation) -> Verdict {
        switch op {
        case .open: return emulateOpen(n, name: name, dirfd: PathResolver.atFDCWD, pathArg: 0, flags: n.args[1], mode: n.args[2])
        case .creat:
            return emulateOpen(n, name: name, dirfd: PathResolver.atFDCWD, pathArg: 0,
                               flags: UInt64(O_CREAT | O_WRONLY | O_TRUNC), mode: n.args[1])
        case .openat: return emulateOpen(n, name: name, dirfd: n.int(0), pathArg: 1, flags: n.args[2], mode: n.args[3])
        case .openat2:
            guard n.args[3] >= 24, let how = memory(n).read(n.args[2], count: 24) else { return .fail(EFAULT) }
            return emulateOpen(n, name: name, dirfd: n.int(0), pathArg: 1, flags: how.littleEndian(at: 0), mode: how.littleEndian(at: 8), resolve: how.littleEndian(at: 16))
        case .fchmod, .fchown, .fsetxattr, .fremovexattr, .setFileFlags:
            return emulateDescriptorOperation(n, name: name, op: op, fd: n.int(0))
        case .utimensat where n.args[1] == 0:  // futimens
            return emulateDescriptorOperation(n, name: name, op: op, fd: n.int(0))
        case .utimensat where n.int(3) & Self.atEmptyPath != 0:
            guard let raw = memory(n).readCString(n.args[1]) else { return .fail(EFAULT) }
            if raw.isEmpty { return emulateDescriptorOperation(n, name: name, op: op, fd: n.int(0), emptyPath: true) }
            return emulatePathOperation(n, name: name, op: op)
        case .fchmodat2 where n.int(3) & Self.atEmptyPath != 0, .fchownat where n.int(4) & Self.atEmptyPath != 0:
            guard let raw = memory(n).readCString(n.args[1]) else { return .fail(EFAULT) }
            if raw.isEmpty { return emulateDescriptorOperation(n, name: name, op: op, fd: n.int(0)) }
            return emulatePathOperation(n, name: name, op: op)
        case .chroot:
            // Changing the root would change what every later path means.
            report(n, category: .file, action: .denied, rule: "files.chroot", severity: .high, syscall: name)
            return .fail(EPERM)
        default:
            return emulatePathOperation(n, name: name, op: op)
        }
    }

    // MARK: - Opens

    func emulateOpen(
        _ n: Notification, name: String, dirfd: Int32, pathArg: Int, flags: UInt64, mode: UInt64, resolve: UInt64 = 0
    ) -> Verdict {
        guard let raw = memory(n).readCString(n.args[pathArg]) else { return .fail(n.args[pathArg] == 0 ? EFAULT : ENAMETOOLONG) }
        guard stillValid(n) else { return .answered }
        guard let request = pathResolver.request(tid: n.tid, dirfd: dirfd, raw: raw) else { return .fail(EBADF) }
        defer { request.close() }
        let flags = Int32(truncatingIfNeeded: flags)
        let isPathOnly = flags & O_PATH != 0
        let writes = !isPathOnly && (flags & O_ACCMODE != O_RDONLY || flags & (O_CREAT | O_TRUNC) != 0)
        let resolveFlags = request.resolve | resolve
        let openFlags = UInt64(Self.openFlags(flags))
        let waits = Self.openMayWait(flags)

        return asCaller(n) { () -> Verdict in
            var target: Int32
            if flags & O_CREAT != 0 || flags & O_TRUNC != 0 {
                // Decide before anything is created or truncated.
                switch prepareWrite(request, flags: flags, mode: mode, resolve: resolveFlags) {
                case .failed(let e): return .fail(e)
                case .opened(let fd, let path):
                    defer { close(fd) }
                    if let refused = judgeOpen(n, name: name, path: path, writes: true, fd: fd) { return refused }
                    target = reopen(fd, flags: Int32(openFlags))
                    if target == -ENXIO && waits { return reopenBlocking(n, fd, flags: flags) }  // FIFO, no reader yet
                    if target < 0 { return .fail(-target) }
                case .create(let parent, let leaf, let path):
                    defer { close(parent) }
                    let rule = checkFile(pathResolver.normalizedForRules(path, tid: n.tid), .write)
                    if !rule.allowed, let refused = fileViolation(n, name: name, path: path, rule: rule.rule) { return refused }
                    target = guard_openat2(parent, leaf, openFlags, mode,
                                           PathResolver.resolveBeneath | PathResolver.resolveNoSymlinks | PathResolver.resolveNoMagicLinks)
                    if target < 0 { return .fail(-target) }
                }
            } else {
                // A plain absolute path opened without following any symlink names exactly
                // the file opened: no need to ask the kernel for its name (3 µs here).
                target = -ELOOP
                let plain = request.base == PathResolver.atFDCWD && resolveFlags & PathResolver.resolveNoMagicLinks != 0
                    && PathResolver.isPlainAbsolute(request.path)
                if plain {
                    target = guard_openat2(PathResolver.atFDCWD, request.path, openFlags, mode,
                                           resolveFlags | PathResolver.resolveNoSymlinks)
                }
                let opened: String?
                if target >= 0 {
                    opened = request.path
                } else {
                    if target == -ELOOP {  // not plain, or a symlink on the way
                        target = guard_openat2(request.base, request.path, openFlags, mode, resolveFlags)
                    }
                    if target == -ENXIO && waits {
                        // A FIFO opened for writing before it has a reader: judged on the
                        // pinned FIFO, then opened blocking on a thread of its own.
                        let pinned = guard_openat2(request.base, request.path, UInt64(O_PATH | O_CLOEXEC), 0, resolveFlags)
                        if pinned >= 0 {
                            defer { close(pinned) }
                            guard let path = pathResolver.path(of: pinned) else { return .fail(EACCES) }
                            if let refused = judgeOpen(n, name: name, path: path, writes: writes, fd: pinned) { return refused }
                            return reopenBlocking(n, pinned, flags: flags)
                        }
                    }
                    if target < 0 {
                        return refusedByKernel(n, name: name, request: request, flags: flags, resolve: resolveFlags,
                                               writes: writes, errno: -target)
                    }
                    opened = pathResolver.path(of: target)
                }
                guard let path = opened else {
                    close(target)
                    return .fail(EACCES)
                }
                if let refused = judgeOpen(n, name: name, path: path, writes: writes, fd: target) {
                    close(target)
                    return refused
                }
            }
            return finishOpen(n, fd: target, flags: flags)
        }
    }

    /// Checks an opened file; nil when it may be handed over.
    func judgeOpen(_ n: Notification, name: String, path: String, writes: Bool, fd: Int32) -> Verdict? {
        if pathResolver.isSupervisorOwn(path) { return .fail(EACCES) }
        // Pipes, sockets and anonymous inodes are reached only through the caller's own fds.
        guard path.hasPrefix("/") else { return nil }
        let normalized = pathResolver.normalizedForRules(path, tid: n.tid)
        let rule = checkFile(normalized, writes ? .write : .read)
        if rule.allowed { return nil }
        return fileViolation(n, name: name, path: path, rule: rule.rule)
    }

    /// The kernel refused the caller's open (its own permissions). If the policy refuses it
    /// too, that attempt is a violation and is reported as one.
    func refusedByKernel(
        _ n: Notification, name: String, request: PathResolver.Request, flags: Int32, resolve: UInt64, writes: Bool,
        errno e: Int32
    ) -> Verdict {
        guard e == EACCES || e == EPERM else { return .fail(e) }
        let pinned = guard_openat2(request.base, request.path, UInt64(O_PATH | O_CLOEXEC | (flags & O_NOFOLLOW)), 0, resolve)
        guard pinned >= 0 else { return .fail(e) }
        defer { close(pinned) }
        guard let path = pathResolver.path(of: pinned) else { return .fail(e) }
        return judgeOpen(n, name: name, path: path, writes: writes, fd: pinned) ?? .fail(e)
    }

    enum WritePlan {
        case failed(Int32)
        /// The file exists: an O_PATH fd pinning it, and its path.
        case opened(Int32, String)
        /// The file is to be created: the pinned parent directory, the leaf name, the path.
        case create(parent: Int32, leaf: String, path: String)
    }

    /// Finds what an O_CREAT/O_TRUNC open would touch, without touching it.
    func prepareWrite(_ request: PathResolver.Request, flags: Int32, mode: UInt64, resolve: UInt64) -> WritePlan {
        var base = request.base
        var path = request.path
        var ownedBase: Int32 = -1
        defer { if ownedBase >= 0 { close(ownedBase) } }
        let exclusive = flags & O_CREAT != 0 && flags & O_EXCL != 0
        for _ in 0..<8 {
            let noFollow = exclusive || flags & O_NOFOLLOW != 0
            let existing = guard_openat2(base, path, UInt64(O_PATH | O_CLOEXEC | (noFollow ? O_NOFOLLOW : 0)), 0, resolve)
            if existing >= 0 {
                if exclusive {
                    close(existing)
                    return .failed(EEXIST)
                }
                guard let resolved = pathResolver.path(of: existing) else {
                    close(existing)
                    return .failed(EACCES)
                }
                return .opened(existing, resolved)
            }
            guard -existing == ENOENT, flags & O_CREAT != 0 else { return .failed(-existing) }
            let (parentPath, leaf) = PathResolver.split(path)
            if leaf == "." || leaf == ".." || leaf.isEmpty { return .failed(EISDIR) }
            let parent = guard_openat2(base, parentPath, UInt64(O_PATH | O_DIRECTORY | O_CLOEXEC), 0, resolve)
            if parent < 0 { return .failed(-parent) }
            // A dangling symlink: O_CREAT creates its target, so follow it by hand.
            var link = [CChar](repeating: 0, count: 4097)
            let linkLength = readlinkat(parent, leaf, &link, 4096)
            if linkLength > 0 {
                if ownedBase >= 0 { close(ownedBase) }
                ownedBase = parent
                base = parent
                path = String(decoding: link[0..<linkLength].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if path.hasPrefix("/") { base = PathResolver.atFDCWD }
                continue
            }
            guard let parentResolved = pathResolver.path(of: parent) else {
                close(parent)
                return .failed(EACCES)
            }
            let full = parentResolved == "/" ? "/" + leaf : parentResolved + "/" + leaf
            return .create(parent: parent, leaf: leaf, path: full)
        }
        return .failed(ELOOP)
    }

    /// Opens the file an O_PATH fd pins, with the caller's flags: the same inode that was
    /// checked, whatever happened to its name since.
    func reopen(_ pinned: Int32, flags: Int32) -> Int32 {
        let f = (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC
        let fd = open("/proc/self/fd/\(pinned)", f)
        return fd >= 0 ? fd : -errno
    }

    // MARK: - Other path operations

    /// Paths an operation changes: (argument index of the dirfd or nil, of the path, follows
    /// the last symlink).
    func pathArguments(_ op: FileOperation, _ n: Notification) -> [(dirfd: Int32, path: UInt64, follow: Bool)] {
        // (fchmodat has no flags argument; fchmodat2 has.)
        let cwd = PathResolver.atFDCWD
        let atSymlinkNoFollow: UInt64 = 0x100
        switch op {
        case .unlink, .rmdir, .mkdir, .mknod: return [(cwd, n.args[0], false)]
        case .unlinkat, .mkdirat, .mknodat: return [(n.int(0), n.args[1], false)]
        case .rename, .link: return [(cwd, n.args[0], false), (cwd, n.args[1], false)]
        case .renameat, .renameat2, .linkat: return [(n.int(0), n.args[1], false), (n.int(2), n.args[3], false)]
        case .symlink: return [(cwd, n.args[1], false)]
        case .symlinkat: return [(n.int(1), n.args[2], false)]
        case .truncate, .chmod, .chown: return [(cwd, n.args[0], true)]
        case .lchown: return [(cwd, n.args[0], false)]
        case .fchmodat: return [(n.int(0), n.args[1], true)]
        case .fchmodat2: return [(n.int(0), n.args[1], n.args[3] & atSymlinkNoFollow == 0)]
        case .fchownat: return [(n.int(0), n.args[1], n.args[4] & atSymlinkNoFollow == 0)]
        case .setxattr, .removexattr, .utimes, .utime: return [(cwd, n.args[0], true)]
        case .lsetxattr, .lremovexattr: return [(cwd, n.args[0], false)]
        case .utimensat: return [(n.int(0), n.args[1], n.args[3] & atSymlinkNoFollow == 0)]
        case .futimesat: return [(n.int(0), n.args[1], true)]
        default: return []
        }
    }

}
