import GuardJSON
import GuardPolicy
import GuardSandbox

/// Recording → OCI runtime-spec seccomp profile (`linux.seccomp` in config.json; Docker's
/// and podman's `--security-opt seccomp=FILE`; a Kubernetes `Localhost` profile). Unlisted
/// syscalls fail with ENOSYS (`defaultErrnoRet`, runc ≥ 1.0.0), which runtimes and libcs
/// fall back from. Argument rules follow Docker's default profile where an argument
/// decides safety.
public enum SeccompProfileEmitter {
    public static let errnoENOSYS: Int64 = 38

    /// CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
    /// CLONE_NEWPID | CLONE_NEWNET: clone may not create namespaces (Docker's own rule).
    public static let cloneNamespaceFlags: Int64 = 0x7E02_0000

    /// The personality values Docker's default profile allows: PER_LINUX, UNAME26,
    /// ADDR_NO_RANDOMIZE (and with UNAME26), and the query 0xffffffff.
    public static let personalityValues: [Int64] = [0x0, 0x8, 0x20000, 0x20008, 0xffff_ffff]

    /// The actions this emitter writes (all in the runtime spec).
    public static let actions: Set<String> = ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO"]

    /// Syscalls whose arguments get rules of their own instead of a plain allow.
    static let argumentChecked: Set<String> = ["socket", "personality", "clone", "clone3"]

    /// The names the profile allows (with or without argument rules).
    public static func allowedSyscalls(_ recording: Recording) -> [String] {
        var dropped: [String] = []
        let extra = RuntimeSyscalls.ociRuntime + RuntimeSyscalls.processBaseline
        return PolicyEmitter.allowedSyscalls(recording.observation, extra: extra, dropped: &dropped).filter { $0 != "clone3" }
    }

    public static func profile(for recording: Recording) -> JSONValue {
        let names = allowedSyscalls(recording)
        let plain = names.filter { !argumentChecked.contains($0) }
        var rules: [JSONValue] = [
            .object([("names", .array(plain.map(JSONValue.string))), ("action", "SCMP_ACT_ALLOW")])
        ]
        func rule(_ name: String, _ args: [JSONValue]) -> JSONValue {
            .object([("names", [.string(name)]), ("action", "SCMP_ACT_ALLOW"), ("args", .array(args))])
        }
        func arg(_ index: Int64, _ value: Int64, _ valueTwo: Int64 = 0, _ op: String) -> JSONValue {
            .object([("index", .int(index)), ("value", .int(value)), ("valueTwo", .int(valueTwo)), ("op", .string(op))])
        }
        if names.contains("socket") {
            let families = recording.observation.socketFamilies.sorted()
            if families.isEmpty {
                // Seen, but no family was recorded (an older recording): the name alone.
                rules.append(.object([("names", ["socket"]), ("action", "SCMP_ACT_ALLOW")]))
            }
            for family in families { rules.append(rule("socket", [arg(0, Int64(family), 0, "SCMP_CMP_EQ")])) }
        }
        if names.contains("personality") {
            for value in personalityValues { rules.append(rule("personality", [arg(0, value, 0, "SCMP_CMP_EQ")])) }
        }
        if names.contains("clone") {
            rules.append(rule("clone", [arg(0, cloneNamespaceFlags, 0, "SCMP_CMP_MASKED_EQ")]))
        }
        // clone3 passes its flags in memory, which seccomp cannot read: fail it with ENOSYS
        // so glibc falls back to clone, whose flags the rule above checks.
        rules.append(.object([("names", ["clone3"]), ("action", "SCMP_ACT_ERRNO"), ("errnoRet", .int(errnoENOSYS))]))
        return .object([
            ("defaultAction", "SCMP_ACT_ERRNO"),
            ("defaultErrnoRet", .int(errnoENOSYS)),
            ("architectures", ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]),
            ("syscalls", .array(rules)),
        ])
    }
}
