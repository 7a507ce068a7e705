import GuardJSON
import GuardPolicy
import GuardProfile
import GuardSandbox
import Testing

@Suite struct RecordingTests {
    let emitter = PolicyEmitter(date: "2026-11-26T15:04:05Z", guardVersion: "0.1.0")

    func roundTrip(_ recording: Recording) throws -> Recording {
        try Recording.parse(Array(emitter.policy(for: recording).prettyPrinted().utf8), source: "<emitted>")
    }

    @Test func aWrittenPolicyReadsBackAsTheRecording() throws {
        let back = try roundTrip(Recording(Fixtures.python))
        #expect(back.runs == 1)
        #expect(back.commands == [Fixtures.python.command])
        #expect(back.observation.socketFamilies == [1, 2, 10])
        #expect(back.observation.syscalls.isSuperset(of: Fixtures.python.syscalls))
        #expect(back.observation.connects == Fixtures.python.connects)
        #expect(back.observation.foreignSyscalls["i386"] == ["getpid"])
        #expect(back.observation.filesRead.contains("/usr/lib/python3.11/**"))
    }

    @Test func mergingTwoRecordingsAllowsBoth() throws {
        var merged = try roundTrip(Recording(Fixtures.python))
        merged.merge(try roundTrip(Recording(Fixtures.shell)))
        #expect(merged.runs == 2)
        #expect(merged.commands == [Fixtures.python.command, Fixtures.shell.command])
        let policy = emitter.policy(for: merged)
        #expect(policy["profile"]?["runs"] == 2)
        #expect(policy["profile"]?["commands"]?.arrayValue?.count == 2)
        let effective = try Policy.parse(Array(policy.prettyPrinted().utf8), source: "<merged>").effective(for: "default")
        let allow = try #require(effective.syscalls?.allow)
        for name in Fixtures.python.syscalls.union(Fixtures.shell.syscalls) { #expect(allow.contains(name)) }
        let read = try #require(effective.files?.read)
        for path in Fixtures.python.filesRead.union(Fixtures.shell.filesRead) {
            #expect(read.contains { $0.matches(path) }, "\(path) not allowed after merge")
        }
        let exec = try #require(effective.files?.exec)
        for path in Fixtures.python.filesExecuted.union(Fixtures.shell.filesExecuted) { #expect(exec.contains { $0.matches(path) }) }
        // Merging again changes nothing but the count.
        var twice = merged
        twice.merge(try Recording.parse(Array(policy.prettyPrinted().utf8), source: "<again>"))
        #expect(emitter.policy(for: twice)["defaults"] == policy["defaults"])
    }

    @Test func argumentValuesTravelThroughThePolicyAndMergeAsAUnion() throws {
        let back = try roundTrip(Recording(Fixtures.sandbox))
        #expect(back.observation.cloneFlags == Fixtures.sandbox.cloneFlags)
        #expect(back.observation.clone3Flags == Fixtures.sandbox.clone3Flags)
        #expect(back.observation.unshareFlags == Fixtures.sandbox.unshareFlags)
        #expect(back.observation.personalities == Fixtures.sandbox.personalities)

        var merged = try roundTrip(Recording(Fixtures.python))
        merged.merge(back)
        let o = merged.observation
        #expect(o.cloneFlags == [0x0120_0011, 0x5000_0011])
        #expect(o.clone3Flags == [0x003D_0F00, 0x2000_0000])
        #expect(o.personalities == [0x8, 0x40000, 0xFFFF_FFFF])
        #expect(o.unshareFlags == [0x5000_0000])
        // The merged OCI profile allows what either run did, and still nothing else.
        let seccomp = ProfileEvaluator(SeccompProfileEmitter.profile(for: try roundTrip(merged)))
        #expect(seccomp.errno("personality", [0x40000]) == nil && seccomp.errno("personality", [0x8]) == nil)
        #expect(seccomp.errno("personality", [0x20000]) == 38)
        #expect(seccomp.errno("clone", [0x5000_0011]) == nil && seccomp.errno("clone", [0x2000_0011]) == nil)
        #expect(seccomp.errno("clone", [0x1000_0011]) == 38)
        #expect(seccomp.errno("unshare", [0x5000_0000]) == nil && seccomp.errno("unshare", [0x1000_0000]) == 38)
    }

    @Test func flagWordsAreWrittenAsHexAndReadInEitherForm() throws {
        let policy = emitter.policy(for: Recording(Fixtures.sandbox))
        #expect(policy["profile"]?["clone_flags"] == ["0x1200011", "0x50000011"])
        #expect(policy["profile"]?["personality"] == ["0x8", "0xffffffff"])
        var edited = policy
        if case .object(var top) = edited, let i = top.firstIndex(where: { $0.key == "profile" }),
            case .object(var profile) = top[i].value, let j = profile.firstIndex(where: { $0.key == "unshare_flags" })
        {
            profile[j].value = [1_342_177_280, "0x20000000"]
            top[i].value = .object(profile)
            edited = .object(top)
        }
        let back = try Recording.parse(Array(edited.prettyPrinted().utf8), source: "<edited>")
        #expect(back.observation.unshareFlags == [0x5000_0000, 0x2000_0000])
    }

    @Test func aPolicyThatAllowsEverythingIsNotARecording() {
        #expect(throws: ProfileError.self) {
            try Recording.parse(Array(Policy.builtinDefaultText.utf8), source: "<built-in>")
        }
        #expect(throws: ProfileError.self) { try Recording.parse(Array("{\"version\": 2}".utf8), source: "bad.json") }
    }

    @Test func dateIsISO8601UTC() {
        let date = ProfileDate.now()
        #expect(date.count == 20 && date.hasSuffix("Z") && date.dropFirst(10).first == "T")
    }
}
