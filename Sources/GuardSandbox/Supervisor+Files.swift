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

    func memory(_ n: Notification) -> ProcessMemory { ProcessMemory(pid: n.tid) }

    /// Is the notification still pending? Checked after every read of the caller's memory:
    /// a recycled tid must not make us act on another process's memory.
    func stillValid(_ n: Notification) -> Bool {
        guard let listener else { return false }
        return guard_notif_id_valid(listener, n.id) == 0
    }

    /// Runs `body` with the caller's file-system identity (only when the supervisor is
    /// privileged: an unprivileged supervisor cannot grant more than the caller has).
    func asCaller<T>(_ n: Notification, _ body: () -> T) -> T {
        guard supervisorCredentials.effectiveCaps != 0 || supervisorCredentials.fsuid == 0,
            let caller = callerCredentials(n.tid), caller != supervisorCredentials
        else { return body() }
        caller.apply(over: supervisorCredentials)
        defer { caller.restore(supervisorCredentials) }
        return body()
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
            let word = { (i: Int) in how[(i * 8)..<(i * 8 + 8)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
            return emulateOpen(n, name: name, dirfd: n.int(0), pathArg: 1, flags: word(0), mode: word(1), resolve: word(2))
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

        return asCaller(n) { () -> Verdict in
            var target: Int32
            if flags & O_CREAT != 0 || flags & O_TRUNC != 0 {
                // Decide before anything is created or truncated.
                switch prepareWrite(request, flags: flags, mode: mode, resolve: resolveFlags) {
                case .failed(let e): return .fail(e)
                case .opened(let fd, let path):
                    if let refused = judgeOpen(n, name: name, path: path, writes: true, fd: fd) { return refused }
                    target = reopen(fd, flags: flags)
                    close(fd)
                    if target < 0 { return .fail(-target) }
                case .create(let parent, let leaf, let path):
                    defer { close(parent) }
                    let rule = checkFile(pathResolver.normalizedForRules(path, tid: n.tid), .write)
                    if !rule.allowed, let refused = fileViolation(n, name: name, path: path, rule: rule.rule) { return refused }
                    target = guard_openat2(parent, leaf, UInt64(flags | O_CLOEXEC), mode,
                                           PathResolver.resolveBeneath | PathResolver.resolveNoSymlinks | PathResolver.resolveNoMagicLinks)
                    if target < 0 { return .fail(-target) }
                }
            } else {
                target = guard_openat2(request.base, request.path, UInt64(flags | O_CLOEXEC), mode, resolveFlags)
                if target < 0 { return .fail(-target) }
                guard let path = pathResolver.path(of: target) else {
                    close(target)
                    return .fail(EACCES)
                }
                if let refused = judgeOpen(n, name: name, path: path, writes: writes, fd: target) {
                    close(target)
                    return refused
                }
            }
            defer { close(target) }
            return install(n, fd: target, cloexec: flags & O_CLOEXEC != 0)
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

    /// Installs `fd` in the caller as the syscall's result.
    func install(_ n: Notification, fd: Int32, cloexec: Bool) -> Verdict {
        guard let listener else { return .answered }
        // ADDFD, then an ordinary response carrying the fd: measured 20-30 % faster here than
        // ADDFD_FLAG_SEND, whose wake-up does not get SYNC_WAKE_UP's same-CPU hand-off. If the
        // caller is interrupted between the two, it keeps an fd it was allowed to open.
        let r = guard_notif_addfd(listener, n.id, fd, cloexec ? UInt32(O_CLOEXEC) : 0)
        return r >= 0 ? .value(Int64(r)) : .fail(-r == ENOENT ? EINTR : -r)
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
        // (fchmodat has no flags argument; fchmodat2 is not supervised by name yet.)
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
        case .fchownat: return [(n.int(0), n.args[1], n.args[4] & atSymlinkNoFollow == 0)]
        default: return []
        }
    }

}
