import GuardJSON
import GuardPolicy
import GuardProfile
import GuardSandbox
import Testing

@Suite struct PolicyEmitterTests {
    let emitter = PolicyEmitter(date: "2026-11-26T15:04:05Z", guardVersion: "0.1.0")

    func load(_ policy: JSONValue) throws -> EffectivePolicy {
        let parsed = try Policy.parse(Array(policy.prettyPrinted().utf8), source: "<emitted>")
        return parsed.effective(for: "default")
    }

    @Test func outputLoadsAsAPolicy() throws {
        let policy = emitter.policy(for: Recording(Fixtures.python))
        let effective = try load(policy)
        #expect(effective.mode == .enforce)
        #expect(policy["version"] == 1)
        let syscalls = try #require(effective.syscalls)
        #expect(syscalls.defaultAction == .deny)
        #expect(syscalls.errno == .ENOSYS)
        #expect(syscalls.allow == syscalls.allow.sorted())
        #expect(try #require(effective.files).read != nil)
        #expect(try #require(effective.network).connect?.count == 3)
    }

    @Test func coverageMetadataIsRecorded() {
        let policy = emitter.policy(for: Recording(Fixtures.python))
        let profile = policy["profile"]
        #expect(profile?["command"] == ["/usr/bin/python3", "-c", "import json, sqlite3, hashlib"])
        #expect(profile?["date"] == "2026-11-26T15:04:05Z")
        #expect(profile?["runs"] == 1)
        #expect(profile?["guard"] == "0.1.0")
        #expect(profile?["socket_families"] == [1, 2, 10])
        // What the policy's syscall lists cannot say (they name syscalls, not arguments).
        #expect(profile?["clone_flags"] == ["0x1200011"])
        #expect(profile?["clone3_flags"] == ["0x3d0f00"])
        #expect(profile?["unshare_flags"] == [])
        #expect(profile?["personality"] == ["0x40000"])
    }

    @Test func syscallsAreWhatWasSeenPlusWhatTheLauncherAndLoaderNeed() throws {
        let allow = try #require(try load(emitter.policy(for: Recording(Fixtures.shell))).syscalls?.allow)
        for name in Fixtures.shell.syscalls { #expect(allow.contains(name)) }
        for name in RuntimeSyscalls.guardLauncher + ["rt_sigreturn", "restart_syscall"] { #expect(allow.contains(name)) }
        // Never anything escape-shaped that was not seen.
        for name in ["mount", "unshare", "setns", "ptrace", "bpf", "socket", "connect"] { #expect(!allow.contains(name)) }
        // i386 names seen land in the (all-architecture) allow list.
        let python = try #require(try load(emitter.policy(for: Recording(Fixtures.python))).syscalls?.allow)
        #expect(python.contains("getpid"))
    }

    @Test func filesAreGeneralizedWithoutReachingSecrets() throws {
        let files = try #require(try load(emitter.policy(for: Recording(Fixtures.python))).files)
        let read = try #require(files.read).map(\.pattern)
        #expect(read.contains("/usr/lib/python3.11/**"))
        #expect(read.contains("/usr/lib/x86_64-linux-gnu/**"))
        #expect(read.contains("/etc/passwd") && read.contains("/etc/group"))
        #expect(!read.contains { $0.hasPrefix("/usr/lib/python3.11/pkg") })
        #expect(read.count < 15)
        for secret in ["/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/root/.ssh/id_rsa", "/home/ann/.ssh/id_ed25519",
                       "/proc/self/environ", "/var/run/secrets/kubernetes.io/serviceaccount/token", "/run/secrets/db"] {
            #expect(try #require(files.read).allSatisfy { !$0.matches(secret) }, "read list reaches \(secret)")
            #expect(files.deny.contains { $0.matches(secret) }, "deny list misses \(secret)")
        }
        #expect(try #require(files.write).map(\.pattern) == ["/dev/null", "/tmp/**"])
        #expect(try #require(files.exec).map(\.pattern) == ["/usr/bin/python3.11"])
        #expect(files.action == .deny)
    }

    @Test func aSecretThatWasReadIsAllowedAndNotDenied() throws {
        var o = Fixtures.shell
        o.filesRead.insert("/etc/shadow")
        let files = try #require(try load(emitter.policy(for: Recording(o))).files)
        #expect(try #require(files.read).contains { $0.pattern == "/etc/shadow" })
        #expect(!files.deny.contains { $0.matches("/etc/shadow") })
        #expect(files.deny.contains { $0.matches("/etc/gshadow") })
    }

    @Test func networkListsAreTheAddressesSeen() throws {
        let network = try #require(try load(emitter.policy(for: Recording(Fixtures.python))).network)
        #expect(network.connect?.map(\.description).sorted() == ["127.0.0.1:5432", "[::1]:53", "unix:/run/app.sock"].sorted())
        #expect(network.bind?.map(\.description) == ["0.0.0.0:0"])
        let none = try #require(try load(emitter.policy(for: Recording(Fixtures.shell))).network)
        #expect(none.connect == [] && none.bind == [])
    }

    @Test func unknownNamesAndAddressesAreLeftOutNotFatal() throws {
        var o = Fixtures.shell
        o.syscalls.insert("syscall_999")
        o.connects.insert("unix:")
        let (policy, notes) = emitter.emit(Recording(o))
        _ = try load(policy)
        #expect(notes.droppedSyscalls == ["syscall_999"])
        #expect(notes.droppedAddresses == ["unix:"])
    }
}
