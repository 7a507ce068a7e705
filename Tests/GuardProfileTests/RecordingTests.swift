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
