import Foundation
import GuardPolicy
import GuardReport
import GuardSandbox
import Testing

/// The recorder on real programs: what `guard profile` builds its policies from.
@Suite struct RecordingTests {
    func record(_ command: [String]) throws -> (Int32, Observation) {
        let dir = NSTemporaryDirectory() + "guard-rec-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let reporter = try Reporter(destination: .file(dir + "/r.jsonl"), format: .guardSchema, function: "default")
        defer { reporter.finish() }
        var session = Session(
            command: command, environment: ["PATH=/usr/bin:/bin", "TMPDIR=\(dir)"], policy: EffectivePolicy(function: "default"),
            policySource: "test", mode: .notify)
        session.ownsProcess = false
        let (status, observation) = session.record(reporter: reporter)
        return (status, observation)
    }

    @Test func recordsSyscallsFilesExecsAndWrites() throws {
        let out = NSTemporaryDirectory() + "guard-rec-out-\(UUID().uuidString)"
        let (status, o) = try record(["/bin/sh", "-c", "cat /etc/hostname > \(out); exit 3"])
        #expect(status == 3)
        #expect(o.exitStatus == 3)
        for name in ["execve", "openat", "read", "close", "exit_group"] { #expect(o.syscalls.contains(name), "\(name)") }
        #expect(o.filesRead.contains("/etc/hostname"))
        #expect(o.filesWritten.contains(out))
        #expect(o.filesExecuted.contains("/usr/bin/cat"))
        #expect(!o.syscalls.contains("mount"))
    }

    @Test func recordsConnectsAndSocketFamilies() throws {
        // A connect that fails (nothing listens on port 9) is still what the program did.
        let script = "import socket\ns=socket.socket()\ntry: s.connect(('127.0.0.1', 9))\nexcept OSError: pass\n"
        let (_, o) = try record(["/usr/bin/env", "python3", "-c", script])
        #expect(o.connects.contains("127.0.0.1:9"))
        #expect(o.socketFamilies.contains(2))
    }
}
