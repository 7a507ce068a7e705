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
            umask: UInt32(truncatingIfNeeded: umask))
    }

    /// The supervisor thread's own identity, to return to after each call.
    static func current() -> Credentials {
        var caps: UInt64 = 0
        _ = guard_capget_effective(&caps)
        var groups = [gid_t](repeating: 0, count: 256)
        let n = getgroups(Int32(groups.count), &groups)
        let mask = Glibc.umask(0o022)
        Glibc.umask(mask)
        return Credentials(
            fsuid: geteuid(), fsgid: getegid(), groups: Array(groups.prefix(Int(max(n, 0)))), effectiveCaps: caps,
            umask: UInt32(mask))
    }

    /// Takes on this identity for the calling thread only (raw per-thread syscalls). The
    /// supervisor thread has its own fs struct (unshare(CLONE_FS)), so umask is its own.
    func apply(over current: Credentials) {
        if groups != current.groups { groups.withUnsafeBufferPointer { _ = guard_setgroups_thread($0.count, $0.baseAddress) } }
        if fsgid != current.fsgid { _ = guard_setfsgid(fsgid) }
        if fsuid != current.fsuid { _ = guard_setfsuid(fsuid) }
        // setfsuid away from 0 already clears the fs capabilities; this narrows the rest.
        if effectiveCaps != current.effectiveCaps { _ = guard_capset_effective(effectiveCaps & current.effectiveCaps) }
        if umask != current.umask { Glibc.umask(mode_t(umask)) }
    }

    /// Returns to `original` after `apply`.
    func restore(_ original: Credentials) {
        if umask != original.umask { Glibc.umask(mode_t(original.umask)) }
        if fsuid != original.fsuid { _ = guard_setfsuid(original.fsuid) }
        if fsgid != original.fsgid { _ = guard_setfsgid(original.fsgid) }
        if groups != original.groups {
            original.groups.withUnsafeBufferPointer { _ = guard_setgroups_thread($0.count, $0.baseAddress) }
        }
        if effectiveCaps != original.effectiveCaps { _ = guard_capset_effective(original.effectiveCaps) }
    }
}
