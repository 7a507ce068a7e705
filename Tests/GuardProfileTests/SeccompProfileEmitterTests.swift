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
        for rule in rules {
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
        #expect(clone.count == 1)
        let arg = clone.first?["args"]?.arrayValue?.first
        #expect(arg?["value"] == 2_114_060_288)  // 0x7E020000, Docker's own value
        #expect(arg?["valueTwo"] == 0)
        #expect(arg?["op"] == "SCMP_CMP_MASKED_EQ")
        let flags: Int64 = 0x0002_0000 | 0x0200_0000 | 0x0400_0000 | 0x0800_0000 | 0x1000_0000 | 0x2000_0000 | 0x4000_0000
        #expect(SeccompProfileEmitter.cloneNamespaceFlags == flags)
        let clone3 = rules(for: "clone3")
        #expect(clone3.count == 1 && clone3.first?["action"] == "SCMP_ACT_ERRNO" && clone3.first?["errnoRet"] == 38)
    }

    @Test func personalityIsLimitedToDockersValues() {
        let values = rules(for: "personality").compactMap { $0["args"]?.arrayValue?.first?["value"]?.intValue }
        #expect(values.sorted() == [0, 8, 0x20000, 0x20008, 0xffff_ffff])
        let shell = SeccompProfileEmitter.profile(for: Recording(Fixtures.shell))
        #expect(!(shell["syscalls"]?.arrayValue ?? []).contains { $0["names"]?.arrayValue?.contains("personality") == true })
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
