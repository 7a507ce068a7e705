import CGuardSys
import CSeccomp
import Glibc
import GuardPolicy

/// How the guard enforces what BPF cannot decide alone.
public enum SupervisorMode: String, Sendable {
    /// seccomp user notification: report every violation, check paths and addresses.
    case notify
    /// BPF only: deny/kill/log in the kernel, no reports, no path or address checks.
    case none
}

/// A compiled filter: the BPF program for the child and the table the supervisor uses to
/// understand each notification.
public struct FilterPlan: @unchecked Sendable {
    /// The BPF program, as `struct sock_filter` records.
    public let program: [sock_filter]
    public let usesNotify: Bool
    /// Notified syscalls by (arch, nr).
    let table: [SyscallKey: (name: String, kind: SyscallKind)]
    /// The answer for a notified syscall not in the table (the policy's default action).
    let unlisted: RuleAction
    let errno: Errno
    /// Supervising paths or addresses is meaningless for a child holding CAP_SYS_ADMIN,
    /// CAP_SYS_PTRACE and the like: the launcher takes those from it.
    var dropsDangerousCapabilities = false
    /// False when only x86-64 is in the filter and every other entry point is refused.
    var coversForeignEntries = true

    func lookup(arch: UInt32, nr: Int32) -> (name: String, kind: SyscallKind) {
        var key = SyscallKey(arch: arch, nr: nr)
        if arch == Arch.x86_64 && nr & Arch.x32SyscallBit != 0 { key.arch = Arch.x32 }
        if let hit = table[key] { return hit }
        // A notification nothing asked for (a foreign entry point, a multiplexer such as
        // i386 socketcall): refuse it rather than let it through unchecked.
        return (SyscallNames.name(arch: key.arch, nr: nr), .rule(unlisted == .allow ? .deny : unlisted))
    }
}

/// AUDIT_ARCH values as seccomp reports them (libseccomp's SCMP_ARCH_* are macros Swift
/// cannot import). x32 arrives as x86-64 with bit 30 set in the number; libseccomp names it
/// with its own token.
enum Arch {
    static let x86_64: UInt32 = 0xC000_003E
    static let i386: UInt32 = 0x4000_0003
    static let x32: UInt32 = 0x4000_003E
    static let x32SyscallBit: Int32 = 0x4000_0000
}

/// SCMP_ACT_ERRNO(x), a function-like macro.
func actErrno(_ errno: UInt32) -> UInt32 { 0x0005_0000 | (errno & 0xFFFF) }

struct SyscallKey: Hashable {
    var arch: UInt32
    var nr: Int32
}

public struct FilterError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Compiles an effective policy into BPF with libseccomp, in the parent: the child only
/// loads the finished program (libseccomp allocates, which the child must not).
public enum FilterCompiler {
    /// The architectures a process on this CPU can enter the kernel with. An x86-64 CPU
    /// also takes i386 (`int 0x80`) and x32 system calls; each gets the same rules.
    static let architectures: [UInt32] = [Arch.x86_64, Arch.i386, Arch.x32]

    public static func compile(_ policy: EffectivePolicy, mode: SupervisorMode) throws(FilterError) -> FilterPlan {
        let syscalls = policy.syscalls ?? SyscallRules()
        let notify = mode == .notify
        var wanted: [String: (action: UInt32, kind: SyscallKind?)] = [:]

        func bpfAction(_ rule: RuleAction) -> UInt32 {
            let effective = policy.effective(rule)
            switch effective {
            case .allow: return SCMP_ACT_ALLOW
            case .deny where notify, .kill where notify, .audit where notify: return SCMP_ACT_NOTIFY
            case .deny: return actErrno(UInt32(syscalls.errno.rawValue))
            case .kill: return SCMP_ACT_KILL_PROCESS
            case .audit: return SCMP_ACT_LOG
            }
        }

        let defaultAction = bpfAction(syscalls.unlistedAction)
        for (name, action) in syscalls.namedActions {
            wanted[name] = (bpfAction(action), action == .allow ? nil : .rule(action))
        }
        if notify {
            // Paths and addresses are checked only where the syscall itself is allowed.
            func supervise(_ name: String, _ kind: SyscallKind) {
                guard syscalls.action(for: name) == .allow, SyscallNames.isKnown(name) else { return }
                wanted[name] = (SCMP_ACT_NOTIFY, kind)
            }
            if let files = policy.files {
                let paths = files.read != nil || files.write != nil || !files.deny.isEmpty
                if paths {
                    for (name, op) in SupervisedSyscalls.files { supervise(name, .file(op)) }
                    for name in SupervisedSyscalls.credentials { supervise(name, .credentials) }
                }
                if files.exec != nil || !files.deny.isEmpty {
                    for (name, at) in SupervisedSyscalls.exec { supervise(name, .exec(atVariant: at)) }
                }
            }
            if policy.network != nil {
                for (name, op) in SupervisedSyscalls.network { supervise(name, .network(op)) }
            }
            // The program must not be able to stop the guard that reports on it.
            for name in SupervisedSyscalls.signals { supervise(name, .signal) }
        }
        // fcntl and ioctl notify for a few commands only (file owners, inode flags).
        var commands: [(name: String, values: [UInt64])] = []
        if notify {
            let flags = supervisesFilePaths(policy) ? SupervisedSyscalls.fileFlagIoctls.map(\.command) : []
            for (name, owners) in SupervisedSyscalls.ownerCommands
            where syscalls.action(for: name) == .allow && filterArchitectures(policy, notify: notify).contains(where: {
                seccomp_syscall_resolve_name_arch($0, name) >= 0
            }) {
                commands.append((name, owners + (name == "ioctl" ? flags : [])))
                // Under a notifying default, the rest of the syscall is allowed by rules of
                // its own (see addCommandRules), not by an unconditional one.
                if defaultAction == SCMP_ACT_NOTIFY { wanted[name] = nil }
            }
        }
        let supervisesPaths = policy.files != nil || policy.network != nil
        if supervisesPaths {
            // What would take the supervisor out of the picture: io_uring (opens and connects
            // without syscalls), reaching into other processes or the listener (ptrace,
            // pidfd_getfd, process_vm_*), file handles, mounts and namespaces (paths that mean
            // something else to the supervisor). Closed unless the policy names them in allow.
            for name in SupervisedSyscalls.supervisionEscapes
            where !syscalls.allow.contains(name) && SyscallNames.isKnown(name) {
                wanted[name] = notify ? (SCMP_ACT_NOTIFY, .rule(.deny)) : (actErrno(UInt32(EPERM)), nil)
            }
        }

        guard let ctx = seccomp_init(defaultAction) else { throw FilterError(message: "libseccomp: cannot initialise a filter") }
        defer { seccomp_release(ctx) }
        // With paths and addresses supervised, only x86-64 is in the filter: i386 and x32 calls
        // (other numbers, other struct layouts, socketcall) go to the supervisor as foreign
        // entries, which it refuses and reports. Otherwise all three carry the same rules.
        let filterArchitectures = filterArchitectures(policy, notify: notify)
        for arch in filterArchitectures.dropFirst() {
            let rc = seccomp_arch_add(ctx, arch)
            if rc != 0 && rc != -EEXIST { throw FilterError(message: "libseccomp: cannot add architecture \(arch): \(rc)") }
        }
        // A binary tree keeps long allow/deny lists cheap.
        _ = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)
        if filterArchitectures.count == 1 {
            if seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_NOTIFY) != 0 {
                _ = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)
            }
        } else {
            _ = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)
        }

        if supervisesPaths {
            // Path calls newer than libseccomp's syscall table, so never named above: refused
            // with ENOSYS (callers fall back to setxattr, removexattr and chattr's ioctl, which
            // are supervised). An error here means the default action refuses them already.
            for nr in SupervisedSyscalls.unnamedPathCalls { _ = seccomp_rule_add_array(ctx, actErrno(UInt32(ENOSYS)), nr, 0, nil) }
        }
        var table: [SyscallKey: (name: String, kind: SyscallKind)] = [:]
        for (name, values) in commands {
            try addCommandRules(ctx, name: name, values: values, defaultNotifies: defaultAction == SCMP_ACT_NOTIFY)
            for arch in filterArchitectures {
                let archNr = seccomp_syscall_resolve_name_arch(arch, name)
                if archNr >= 0 { table[SyscallKey(arch: arch, nr: archNr)] = (name, .command) }
            }
        }
        for (name, entry) in wanted.sorted(by: { $0.key < $1.key }) {
            let nr = seccomp_syscall_resolve_name(name)
            guard nr != __NR_SCMP_ERROR else { continue }
            if entry.action != defaultAction {
                let rc = seccomp_rule_add_array(ctx, entry.action, nr, 0, nil)
                if rc != 0 { throw FilterError(message: "libseccomp: cannot add a rule for \(name): \(String(cString: strerror(-rc)))") }
            }
            guard let kind = entry.kind, entry.action == SCMP_ACT_NOTIFY || defaultAction == SCMP_ACT_NOTIFY else { continue }
            for arch in filterArchitectures {
                let archNr = seccomp_syscall_resolve_name_arch(arch, name)
                if archNr >= 0 { table[SyscallKey(arch: arch, nr: archNr)] = (name, kind) }
            }
        }
        let usesNotify = defaultAction == SCMP_ACT_NOTIFY || wanted.values.contains { $0.action == SCMP_ACT_NOTIFY }
            || (filterArchitectures.count == 1 && notify)
        return FilterPlan(
            program: try export(ctx), usesNotify: usesNotify, table: table, unlisted: syscalls.unlistedAction,
            errno: syscalls.errno, dropsDangerousCapabilities: supervisesPaths,
            coversForeignEntries: filterArchitectures.count > 1)
    }

    /// With paths or addresses supervised only x86-64 is in the filter: i386 and x32 calls
    /// (other numbers, other struct layouts, socketcall) go to the supervisor as foreign
    /// entries, which it refuses and reports. Otherwise all three carry the same rules.
    static func filterArchitectures(_ policy: EffectivePolicy, notify: Bool) -> [UInt32] {
        (policy.files != nil || policy.network != nil) && notify ? [Arch.x86_64] : architectures
    }

    /// Whether `files` names paths to check (not only exec).
    static func supervisesFilePaths(_ policy: EffectivePolicy) -> Bool {
        policy.files.map { $0.read != nil || $0.write != nil || !$0.deny.isEmpty } ?? false
    }

    /// Makes `name` (fcntl, ioctl) notify when its command, argument 1, is one of `values`,
    /// and stay allowed otherwise. The kernel takes the command as an unsigned int, so only
    /// its low 32 bits count: a value with upper bits set must not slip past. libseccomp 2.5
    /// takes one comparison per argument and no rule with the default's action, so under a
    /// notifying default the allowed commands are spelled out as bit prefixes of the 32-bit
    /// space that hold none of `values` (at most 32 rules per value); anything else, upper
    /// bits included, notifies, and the supervisor continues what it does not watch.
    static func addCommandRules(_ ctx: scmp_filter_ctx, name: String, values: [UInt64], defaultNotifies: Bool) throws(FilterError) {
        let nr = seccomp_syscall_resolve_name(name)
        func add(_ action: UInt32, mask: UInt64, value: UInt64) throws(FilterError) {
            var compare = scmp_arg_cmp(arg: 1, op: SCMP_CMP_MASKED_EQ, datum_a: mask, datum_b: value)
            let rc = seccomp_rule_add_array(ctx, action, nr, 1, &compare)
            if rc != 0 { throw FilterError(message: "libseccomp: cannot add a rule for \(name): \(String(cString: strerror(-rc)))") }
        }
        if !defaultNotifies {
            for value in values { try add(SCMP_ACT_NOTIFY, mask: 0xFFFF_FFFF, value: value) }
            return
        }
        for (mask, value) in prefixesAvoiding(values) { try add(SCMP_ACT_ALLOW, mask: 0xFFFF_FFFF_0000_0000 | mask, value: value) }
    }

    /// Bit prefixes (mask, value) that together cover every 32-bit number except `values`.
    static func prefixesAvoiding(_ values: [UInt64]) -> [(mask: UInt64, value: UInt64)] {
        var out: [(UInt64, UInt64)] = []
        func cover(_ prefix: UInt64, bits: Int) {
            let free = 32 - bits
            let mask: UInt64 = bits == 0 ? 0 : (0xFFFF_FFFF << UInt64(free)) & 0xFFFF_FFFF
            let inside = values.filter { $0 & mask == prefix }
            if inside.isEmpty { out.append((mask, prefix)); return }
            if free == 0 { return }  // the value itself: left to notify
            cover(prefix, bits: bits + 1)
            cover(prefix | (1 << UInt64(free - 1)), bits: bits + 1)
        }
        cover(0, bits: 0)
        return out
    }

    /// `guard profile`: every syscall on every entry point notifies (and is continued).
    public static func compileRecording() throws(FilterError) -> FilterPlan {
        guard let ctx = seccomp_init(SCMP_ACT_NOTIFY) else { throw FilterError(message: "libseccomp: cannot initialise a filter") }
        defer { seccomp_release(ctx) }
        for arch in architectures.dropFirst() { _ = seccomp_arch_add(ctx, arch) }
        return FilterPlan(program: try export(ctx), usesNotify: true, table: [:], unlisted: .audit, errno: .EPERM)
    }

    /// libseccomp 2.5 exports only to a file descriptor: write to a memfd, read it back.
    static func export(_ ctx: scmp_filter_ctx) throws(FilterError) -> [sock_filter] {
        let fd = guard_memfd_cloexec("guard-bpf")
        guard fd >= 0 else { throw FilterError(message: "memfd_create: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let rc = seccomp_export_bpf(ctx, fd)
        guard rc == 0 else { throw FilterError(message: "libseccomp: cannot export the filter: \(String(cString: strerror(-rc)))") }
        let size = Int(lseek(fd, 0, SEEK_CUR))
        let count = size / MemoryLayout<sock_filter>.stride
        var program = [sock_filter](repeating: sock_filter(), count: count)
        let n = program.withUnsafeMutableBytes { pread(fd, $0.baseAddress, size, 0) }
        guard n == size, count > 0 else { throw FilterError(message: "cannot read back the exported filter") }
        return program
    }
}
