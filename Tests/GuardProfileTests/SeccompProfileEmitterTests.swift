import GuardJSON
import GuardPolicy
import GuardProfile
import GuardSandbox
import Testing

@Suite struct SeccompProfileEmitterTests {
    /// Every action the runtime spec defines.
    static let specActions: Set<String> = [
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
        "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
    ]
    static let specOps: Set<String> = [
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
    ]

    let profile = SeccompProfileEmitter.profile(for: Recording(Fixtures.python))
    let sandbox = SeccompProfileEmitter.profile(for: Recording(Fixtures.sandbox))

    var rules: [JSONValue] { profile["syscalls"]?.arrayValue ?? [] }

    func rules(for name: String) -> [JSONValue] {
        rules.filter { $0["names"]?.arrayValue?.contains(.string(name)) == true }
    }

    @Test func hasTheRequiredKeysAndOnlySpecNames() throws {
        #expect(profile["defaultAction"] == "SCMP_ACT_ERRNO")
        #expect(profile["defaultErrnoRet"] == 38)
        #expect(profile["architectures"] == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"])
        let keys = try #require(profile.objectValue).map(\.key)
        #expect(keys == ["defaultAction", "defaultErrnoRet", "architectures", "syscalls"])
        for rule in rules + (sandbox["syscalls"]?.arrayValue ?? []) {
            let action = try #require(rule["action"]?.stringValue)
            #expect(Self.specActions.contains(action))
            let names = try #require(rule["names"]?.arrayValue)
            #expect(!names.isEmpty)
            for name in names { #expect(SyscallNames.isKnown(try #require(name.stringValue))) }
            for key in try #require(rule.objectValue).map(\.key) {
                #expect(["names", "action", "args", "errnoRet"].contains(key))
            }
            for arg in rule["args"]?.arrayValue ?? [] {
                #expect(Self.specOps.contains(try #require(arg["op"]?.stringValue)))
                #expect(arg["index"]?.intValue != nil && arg["value"]?.intValue != nil)
                // uint64 in the runtime spec: nothing negative.
                #expect((arg["value"]?.intValue ?? -1) >= 0 && (arg["valueTwo"]?.intValue ?? -1) >= 0)
            }
        }
    }

    @Test func socketIsAllowedPerFamilySeen() {
        let socket = rules(for: "socket")
        #expect(socket.count == 3)
        let families = socket.compactMap { $0["args"]?.arrayValue?.first?["value"]?.intValue }.sorted()
        #expect(families == [1, 2, 10])
        #expect(socket.allSatisfy { $0["args"]?.arrayValue?.first?["op"] == "SCMP_CMP_EQ" })
    }

    @Test func cloneMayNotCreateNamespacesAndClone3FallsBack() {
        let clone = rules(for: "clone")
        #expect(clone.count == 1)  // python's fork and thread flags carry no namespace bit
        let arg = clone.first?["args"]?.arrayValue?.first
        #expect(arg?["value"] == 2_114_060_288)  // 0x7E020000, Docker's own value
        #expect(arg?["valueTwo"] == 0)
        #expect(arg?["op"] == "SCMP_CMP_MASKED_EQ")
        let flags: Int64 = 0x0002_0000 | 0x0200_0000 | 0x0400_0000 | 0x0800_0000 | 0x1000_0000 | 0x2000_0000 | 0x4000_0000
        #expect(SeccompProfileEmitter.cloneNamespaceFlags == flags)
        let clone3 = rules(for: "clone3")
        #expect(clone3.count == 1 && clone3.first?["action"] == "SCMP_ACT_ERRNO" && clone3.first?["errnoRet"] == 38)
        let seccomp = ProfileEvaluator(profile)
        #expect(seccomp.errno("clone", [0x0120_0011]) == nil)
        #expect(seccomp.errno("clone", [0x003D_0F00]) == nil)
        for namespace: UInt64 in [0x2_0000, 0x200_0000, 0x400_0000, 0x800_0000, 0x1000_0000, 0x2000_0000, 0x4000_0000] {
            #expect(seccomp.errno("clone", [namespace | 0x11]) == 38)
        }
        #expect(seccomp.errno("clone3", [0]) == 38)
    }

    @Test func cloneAllowsExactlyTheNamespaceCombinationsSeen() {
        let clone = (sandbox["syscalls"]?.arrayValue ?? []).filter { $0["names"] == ["clone"] }
        let wanted = clone.compactMap { $0["args"]?.arrayValue?.first?["valueTwo"]?.intValue }
        #expect(wanted == [0, 0x2000_0000, 0x5000_0000])
        #expect(clone.allSatisfy { $0["args"]?.arrayValue?.first?["value"] == 0x7E02_0000 })
        let seccomp = ProfileEvaluator(sandbox)
        // Seen by clone (user+net), by clone3 (pid: glibc's ENOSYS fallback makes it a clone).
        #expect(seccomp.errno("clone", [0x5000_0011]) == nil)
        #expect(seccomp.errno("clone", [0x2000_0011]) == nil)
        #expect(seccomp.errno("clone", [0x0120_0011]) == nil)
        // Other bits (exit signal, CLONE_VM …) do not matter; other namespace sets do.
        #expect(seccomp.errno("clone", [0x5000_4111]) == nil)
        for other: UInt64 in [0x1000_0011, 0x4000_0011, 0x7000_0011, 0x3000_0011, 0x5002_0011, 0x7E02_0011] {
            #expect(seccomp.errno("clone", [other]) == 38, "0x\(String(other, radix: 16)) allowed")
        }
        // clone3 stays ENOSYS even though it was seen.
        #expect(seccomp.errno("clone3", [0]) == 38)
        #expect(SeccompProfileEmitter.allowedSyscalls(Recording(Fixtures.sandbox)).contains("clone3") == false)
    }

    @Test func unshareAllowsTheFlagWordsSeen() {
        let seccomp = ProfileEvaluator(SeccompProfileEmitter.profile(for: Recording(Fixtures.sandbox)))
        #expect(seccomp.errno("unshare", [0x5000_0000]) == nil)
        for other: UInt64 in [0x1000_0000, 0x4000_0000, 0x5002_0000, 0, 0x2_0000] {
            #expect(seccomp.errno("unshare", [other]) == 38)
        }
        // Not seen: not allowed at all.
        let shell = ProfileEvaluator(SeccompProfileEmitter.profile(for: Recording(Fixtures.shell)))
        #expect(shell.errno("unshare", [0x5000_0000]) == 38)
        // Seen in a recording that carries no values (written before they were recorded):
        // the name alone, as before.
        var older = Fixtures.sandbox
        older.unshareFlags = []
        let olderProfile = ProfileEvaluator(SeccompProfileEmitter.profile(for: Recording(older)))
        #expect(olderProfile.errno("unshare", [0x1000_0000]) == nil)
        // A flag word JSON's int64 cannot carry (a call the kernel refused) is left out,
        // and nothing negative reaches the profile (runc reads values as uint64).
        var odd = Fixtures.sandbox
        odd.unshareFlags.insert(0xFFFF_FFFF_8000_0000)
        let oddProfile = SeccompProfileEmitter.profile(for: Recording(odd))
        let conditions: [JSONValue] = (oddProfile["syscalls"]?.arrayValue ?? [])
            .flatMap { $0["args"]?.arrayValue ?? [] }
        let values: [Int64] = conditions.flatMap { [$0["value"]?.intValue ?? -1, $0["valueTwo"]?.intValue ?? -1] }
        #expect(!values.isEmpty && values.allSatisfy { $0 >= 0 })
        #expect(ProfileEvaluator(oddProfile).errno("unshare", [0x5000_0000]) == nil)
    }

    @Test func personalityIsLimitedToTheValuesSeenAndTheQuery() {
        let seccomp = ProfileEvaluator(profile)
        let values = rules(for: "personality").compactMap { $0["args"]?.arrayValue?.first?["valueTwo"]?.intValue }
        #expect(values.sorted() == [0x40000, 0xffff_ffff])
        #expect(rules(for: "personality").allSatisfy { $0["args"]?.arrayValue?.first?["op"] == "SCMP_CMP_MASKED_EQ" })
        #expect(seccomp.errno("personality", [0x40000]) == nil)
        #expect(seccomp.errno("personality", [0xffff_ffff]) == nil)
        // The kernel reads an unsigned int: what the upper half holds does not change the call.
        #expect(seccomp.errno("personality", [0xdead_0000_0004_0000]) == nil)
        // Docker's other values, and anything else, were not seen.
        for other: UInt64 in [0x0, 0x8, 0x20000, 0x20008, 0x40008, 0x0040_0000] {
            #expect(seccomp.errno("personality", [other]) == 38)
        }
        let sandbox = ProfileEvaluator(SeccompProfileEmitter.profile(for: Recording(Fixtures.sandbox)))
        #expect(sandbox.errno("personality", [0x8]) == nil && sandbox.errno("personality", [0x40000]) == 38)
        let shell = SeccompProfileEmitter.profile(for: Recording(Fixtures.shell))
        #expect(!(shell["syscalls"]?.arrayValue ?? []).contains { $0["names"]?.arrayValue?.contains("personality") == true })
        // A recording without values (an older one): Docker's list.
        var older = Fixtures.python
        older.personalities = []
        #expect(SeccompProfileEmitter.personalityValues(older) == [0, 8, 0x20000, 0x20008, 0xffff_ffff])
    }

    @Test func includesWhatTheOCIRuntimeNeedsAndFarLessThanDocker() {
        let allowed = SeccompProfileEmitter.allowedSyscalls(Recording(Fixtures.shell))
        for name in ["execve", "futex", "write", "close", "capset", "prctl", "getdents64", "epoll_ctl", "fstatfs", "rt_sigreturn"] {
            #expect(allowed.contains(name))
        }
        #expect(!allowed.contains("clone3") && !allowed.contains("unshare") && !allowed.contains("mount"))
        #expect(allowed.count < 120)
        // Every name appears once across the ALLOW rules except the argument-checked ones.
        let shell = SeccompProfileEmitter.profile(for: Recording(Fixtures.shell))
        let plain = shell["syscalls"]?.arrayValue?.first?["names"]?.arrayValue ?? []
        #expect(Set(plain.compactMap(\.stringValue)).count == plain.count)
    }
}
