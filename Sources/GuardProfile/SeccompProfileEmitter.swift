import GuardJSON
import GuardPolicy
import GuardSandbox

/// Recording → OCI runtime-spec seccomp profile (`linux.seccomp` in config.json; Docker's
/// and podman's `--security-opt seccomp=FILE`; a Kubernetes `Localhost` profile). Unlisted
/// syscalls fail with ENOSYS (`defaultErrnoRet`, runc ≥ 1.0.0), which runtimes and libcs
/// fall back from. Where an argument decides safety (socket family, clone's namespace
/// flags, unshare's flags, the personality), the profile allows the values the recording
/// saw and no others.
public enum SeccompProfileEmitter {
    public static let errnoENOSYS: Int64 = 38

    /// CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
    /// CLONE_NEWPID | CLONE_NEWNET: the bits of clone's flags that create namespaces
    /// (Docker's mask). CLONE_NEWTIME (0x80) is not among them: in clone's first argument
    /// that bit belongs to the exit signal; only clone3 and unshare can ask for it.
    public static let cloneNamespaceFlags: Int64 = 0x7E02_0000

    /// Docker's personality values, for a recording made before values were recorded:
    /// PER_LINUX, PER_LINUX32, UNAME26, PER_LINUX32 | UNAME26, and the query 0xffffffff.
    public static let dockerPersonalityValues: [Int64] = [0x0, 0x8, 0x20000, 0x20008, 0xffff_ffff]

    /// personality(0xffffffff) only reads the current persona; allowed wherever
    /// personality is, as Docker does, since tools query before they set.
    public static let personalityQuery: Int64 = 0xffff_ffff

    /// Syscalls whose arguments get rules of their own instead of a plain allow.
    static let argumentChecked: Set<String> = ["socket", "personality", "clone", "clone3", "unshare"]

    /// The names the profile allows (with or without argument rules).
    public static func allowedSyscalls(_ recording: Recording) -> [String] {
        var dropped: [String] = []
        let extra = RuntimeSyscalls.ociRuntime + RuntimeSyscalls.processBaseline
        return PolicyEmitter.allowedSyscalls(recording.observation, extra: extra, dropped: &dropped).filter { $0 != "clone3" }
    }

    /// The namespace-flag combinations clone must allow besides "none": each one seen in
    /// clone's flags or in clone3's (glibc retries a clone3 that fails with ENOSYS as a
    /// clone with the same flags), sorted, without 0.
    public static func cloneNamespaceCombinations(_ o: Observation) -> [Int64] {
        let mask = UInt64(cloneNamespaceFlags)
        return Set(o.cloneFlags.union(o.clone3Flags).map { Int64($0 & mask) }).subtracting([0]).sorted()
    }

    /// The personality values allowed: those seen plus the query (Docker's list for a
    /// recording that carries no values).
    public static func personalityValues(_ o: Observation) -> [Int64] {
        if o.personalities.isEmpty { return dockerPersonalityValues }
        return Set(o.personalities.map { Int64($0 & 0xFFFF_FFFF) }).union([personalityQuery]).sorted()
    }

    public static func profile(for recording: Recording) -> JSONValue {
        let o = recording.observation
        let names = allowedSyscalls(recording)
        let plain = names.filter { !argumentChecked.contains($0) }
        var rules: [JSONValue] = [
            .object([("names", .array(plain.map(JSONValue.string))), ("action", "SCMP_ACT_ALLOW")])
        ]
        func rule(_ name: String, _ args: [JSONValue]) -> JSONValue {
            .object([("names", [.string(name)]), ("action", "SCMP_ACT_ALLOW"), ("args", .array(args))])
        }
        func nameOnly(_ name: String) -> JSONValue {
            .object([("names", [.string(name)]), ("action", "SCMP_ACT_ALLOW")])
        }
        // For SCMP_CMP_MASKED_EQ, `value` is the mask and `valueTwo` what the masked argument
        // must equal (libseccomp's order, which runc and crun pass through).
        func arg(_ index: Int64, _ value: Int64, _ valueTwo: Int64 = 0, _ op: String) -> JSONValue {
            .object([("index", .int(index)), ("value", .int(value)), ("valueTwo", .int(valueTwo)), ("op", .string(op))])
        }
        if names.contains("socket") {
            let families = o.socketFamilies.sorted()
            // Seen, but no family was recorded (an older recording): the name alone.
            if families.isEmpty { rules.append(nameOnly("socket")) }
            for family in families { rules.append(rule("socket", [arg(0, Int64(family), 0, "SCMP_CMP_EQ")])) }
        }
        if names.contains("personality") {
            // The kernel reads an `unsigned int`, seccomp the whole register: compare the low
            // 32 bits, so a caller whose upper half is not zeroed is judged by what the
            // kernel will do with the call, no more and no less.
            for value in personalityValues(o) {
                rules.append(rule("personality", [arg(0, 0xFFFF_FFFF, value, "SCMP_CMP_MASKED_EQ")]))
            }
        }
        if names.contains("clone") {
            // Always: no namespace bit set (threads, fork, posix_spawn; the OCI runtime's own
            // Go threads between the filter and exec). Then each namespace combination the
            // workload made, exactly: a recording that made a network namespace inside a
            // user namespace allows CLONE_NEWUSER|CLONE_NEWNET, not CLONE_NEWUSER alone.
            rules.append(rule("clone", [arg(0, cloneNamespaceFlags, 0, "SCMP_CMP_MASKED_EQ")]))
            for combination in cloneNamespaceCombinations(o) {
                rules.append(rule("clone", [arg(0, cloneNamespaceFlags, combination, "SCMP_CMP_MASKED_EQ")]))
            }
        }
        if names.contains("unshare") {
            // unshare's flags are all it does, and every valid one fits below bit 31 (the
            // kernel refuses the rest with EINVAL, so a value JSON's int64 cannot carry was a
            // failed call): exactly the values seen; the name alone for an older recording.
            let values = o.unshareFlags.filter { $0 <= UInt64(Int64.max) }.map { Int64($0) }.sorted()
            if o.unshareFlags.isEmpty { rules.append(nameOnly("unshare")) }
            for value in values { rules.append(rule("unshare", [arg(0, value, 0, "SCMP_CMP_EQ")])) }
        }
        // clone3 passes its flags in `struct clone_args` in memory, which a seccomp filter
        // cannot read, so no rule could tell a thread from a new user namespace: allowing it
        // would allow every namespace. ENOSYS (not EPERM) because glibc (2.34+) and other
        // libcs retry a clone3 that fails with ENOSYS as clone, whose flags are in a register
        // and checked by the rules above; this is what Docker's and podman's profiles do.
        rules.append(.object([("names", ["clone3"]), ("action", "SCMP_ACT_ERRNO"), ("errnoRet", .int(errnoENOSYS))]))
        return .object([
            ("defaultAction", "SCMP_ACT_ERRNO"),
            ("defaultErrnoRet", .int(errnoENOSYS)),
            ("architectures", ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]),
            ("syscalls", .array(rules)),
        ])
    }
}
