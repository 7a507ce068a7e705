import CGuardSys
import Glibc

/// The file-system identity of a supervised thread, so the supervisor opens files with the
/// caller's rights and not its own: a root supervisor must not hand a uid-65534 child a
/// file only root may read, nor create files the child would not own.
struct Credentials: Equatable {
    var fsuid: UInt32
    var fsgid: UInt32
    var groups: [UInt32]
    var effectiveCaps: UInt64
    var umask: UInt32
    /// The effective ids: what a unix-socket peer sees (SO_PEERCRED), not file access.
    var euid: UInt32 = 0
    var egid: UInt32 = 0
    /// The real ids: a file owner's signals go out with the real uid as well as the
    /// effective one, and a unix datagram's implicit credentials (SO_PASSCRED) are the real ids.
    var ruid: UInt32 = 0
    var rgid: UInt32 = 0
    /// The sets capset must be given back; known for the supervisor's own identity only.
    var permittedCaps: UInt64 = 0
    var inheritableCaps: UInt64 = 0

    /// The same identity: the fields that decide file access.
    static func == (a: Credentials, b: Credentials) -> Bool {
        a.fsuid == b.fsuid && a.fsgid == b.fsgid && a.groups == b.groups && a.effectiveCaps == b.effectiveCaps
            && a.umask == b.umask
    }

    /// Reads /proc/TID/status (one read, parsed as bytes).
    static func of(_ tid: Int32) -> Credentials? {
        guard let status = ProcInfo.readStatus(tid) else { return nil }
        let uids = status.numbers("Uid:")
        let gids = status.numbers("Gid:")
        guard uids.count == 4, gids.count == 4, let caps = status.numbers("CapEff:", radix: 16).first else { return nil }
        let umask = status.numbers("Umask:", radix: 8).first ?? 0o022
        return Credentials(
            fsuid: UInt32(truncatingIfNeeded: uids[3]), fsgid: UInt32(truncatingIfNeeded: gids[3]),
            groups: status.numbers("Groups:").map { UInt32(truncatingIfNeeded: $0) }, effectiveCaps: caps,
            umask: UInt32(truncatingIfNeeded: umask), euid: UInt32(truncatingIfNeeded: uids[1]),
            egid: UInt32(truncatingIfNeeded: gids[1]), ruid: UInt32(truncatingIfNeeded: uids[0]),
            rgid: UInt32(truncatingIfNeeded: gids[0]))
    }

    /// The supervisor thread's own identity, to return to after each call.
    static func current() -> Credentials {
        var caps: UInt64 = 0, permitted: UInt64 = 0, inheritable: UInt64 = 0
        _ = guard_capget(&caps, &permitted, &inheritable)
        var groups = [gid_t](repeating: 0, count: 256)
        let n = getgroups(Int32(groups.count), &groups)
        let mask = Glibc.umask(0o022)
        Glibc.umask(mask)
        return Credentials(
            fsuid: geteuid(), fsgid: getegid(), groups: Array(groups.prefix(Int(max(n, 0)))), effectiveCaps: caps,
            umask: UInt32(mask), euid: geteuid(), egid: getegid(), ruid: getuid(), rgid: getgid(), permittedCaps: permitted,
            inheritableCaps: inheritable)
    }

    /// Takes on this identity for the calling thread only (raw per-thread syscalls). The
    /// supervisor thread has its own fs struct (unshare(CLONE_FS)), so umask is its own.
    func apply(over current: Credentials) {
        if groups != current.groups { groups.withUnsafeBufferPointer { _ = guard_setgroups_thread($0.count, $0.baseAddress) } }
        if fsgid != current.fsgid { _ = guard_setfsgid(fsgid) }
        if fsuid != current.fsuid { _ = guard_setfsuid(fsuid) }
        // setfsuid away from 0 already clears the fs capabilities; this narrows the rest.
        if effectiveCaps != current.effectiveCaps {
            _ = guard_capset_effective(effectiveCaps & current.effectiveCaps, current.permittedCaps, current.inheritableCaps)
        }
        if umask != current.umask { Glibc.umask(mode_t(umask)) }
    }

    /// Takes on this identity's real and effective uid and gid too (fsuid and fsgid follow),
    /// its groups and umask, from the supervisor's own root identity, for this thread only:
    /// what a unix-socket peer sees (SO_PEERCRED, SO_PASSCRED). The saved ids stay root, so
    /// the thread can go back (returnFromPeer); a non-zero euid leaves it no capabilities
    /// meanwhile.
    func applyAsPeer() {
        groups.withUnsafeBufferPointer { _ = guard_setgroups_thread($0.count, $0.baseAddress) }
        _ = guard_setregid_thread(rgid, egid)
        _ = guard_setreuid_thread(ruid, euid)
        Glibc.umask(mode_t(umask))
    }

    /// Returns to this (the supervisor's own) identity after `applyAsPeer`: a return to
    /// euid 0 refills the effective capabilities, so they are set back exactly.
    func returnFromPeer() {
        Glibc.umask(mode_t(umask))
        _ = guard_setreuid_thread(ruid, euid)
        _ = guard_setregid_thread(rgid, egid)
        groups.withUnsafeBufferPointer { _ = guard_setgroups_thread($0.count, $0.baseAddress) }
        _ = guard_capset_effective(effectiveCaps, permittedCaps, inheritableCaps)
    }

    /// Returns to `original` after `apply`.
    func restore(_ original: Credentials) {
        if umask != original.umask { Glibc.umask(mode_t(original.umask)) }
        if fsuid != original.fsuid { _ = guard_setfsuid(original.fsuid) }
        if fsgid != original.fsgid { _ = guard_setfsgid(original.fsgid) }
        if groups != original.groups {
            original.groups.withUnsafeBufferPointer { _ = guard_setgroups_thread($0.count, $0.baseAddress) }
        }
        if effectiveCaps != original.effectiveCaps {
            _ = guard_capset_effective(original.effectiveCaps, original.permittedCaps, original.inheritableCaps)
        }
    }
}
