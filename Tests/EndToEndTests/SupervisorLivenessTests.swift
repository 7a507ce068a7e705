import Foundation
import GuardJSON
import Testing

/// Calls that wait on someone else (a FIFO's other end, a TCP handshake) wait on a thread
/// of their own: the program's other supervised calls go on, and a FIFO whose two ends are
/// opened by the program itself does not deadlock the supervisor.
@Suite struct SupervisorLivenessTests {
    static func policy(_ root: String) -> String {
        let path = root + "/policy.json"
        Harness.write("""
            {"version": 1, "defaults": {"files": {"read": ["/**"], "write": ["\(root)/**"]},
              "network": {"connect": ["127.0.0.1:*", "unix:\(root)/*"], "bind": ["127.0.0.1:*", "unix:\(root)/*"]}}}
            """, to: path)
        return path
    }

    /// Each way round, by absolute and relative path: before the fix the second and third
    /// hung for good.
    @Test(arguments: [
        "cat $D/p & echo hi > $D/p; wait", "echo hi > $D/p & cat $D/p; wait", "cat p & echo hi > p; wait",
        "echo hi > p & cat p; wait", "(sleep 0.3; echo hi > $D/p) & cat < $D/p; wait",
        "(sleep 0.3; cat $D/p) & echo hi > $D/p; wait", "exec 3<>$D/p; echo hi >&3; read x <&3; echo $x",
    ])
    func fifoOpenedByTheProgramOnBothEnds(script: String) throws {
        let root = Harness.tempDir()
        #expect(mkfifo(root + "/p", 0o644) == 0)
        let r = try Harness.run(["run", "-p", Self.policy(root), "--", "/bin/sh", "-c", "D=\(root); " + script],
                                cwd: root, timeout: 20)
        #expect(r.status == 0 && r.stdout == "hi\n", "\(script): \(r.status) \(r.stdout) \(r.stderr)")
    }

    @Test func fifoReaderSeesEndOfFileWhenTheWriterWritesNothing() throws {
        let root = Harness.tempDir()
        #expect(mkfifo(root + "/p", 0o644) == 0)
        let r = try Harness.run(["run", "-p", Self.policy(root), "--", "/bin/sh", "-c",
                                 "(sleep 0.2; : > \(root)/p) & cat \(root)/p; echo done"], timeout: 20)
        #expect(r.stdout == "done\n", "\(r.stdout) \(r.stderr)")
    }

    /// One thread waits 3 s in a connect (TCP or unix stream) to a listener whose queue is
    /// full; meanwhile the main thread's 200 opens are answered (they waited the whole 3 s
    /// before the fix).
    @Test(arguments: ["tcp", "unix"])
    func blockingConnectDoesNotStallOtherCalls(kind: String) throws {
        let root = Harness.tempDir()
        let target = kind == "tcp" ? "\(Harness.freePortPair())" : root + "/full.sock"
        let r = try Harness.run(["run", "-p", Self.policy(root), "--", Harness.probe, "stalled-connect", target])
        let counts = Harness.counts(r.stdout)
        let opens = try #require(counts["opens_ms"], "\(r.stdout) \(r.stderr)")
        let waited = try #require(counts["connect_waited_ms"])
        #expect(waited >= 2_500, "the connect did wait: \(r.stdout)")
        #expect(opens < 1_500, "the opens did not wait for it: \(r.stdout)")
    }

    /// Eight threads open, read, create and remove their own files 300 times each, all at
    /// once (two notification threads answer them): each open yields the thread's own file.
    @Test func concurrentCallsEachGetTheirOwnAnswer() throws {
        let root = Harness.tempDir()
        for t in 0..<8 { Harness.write("\(t)", to: root + "/r\(t)") }
        let policy = root + "/policy.json"
        Harness.write(#"{"version": 1, "defaults": {"files": {"read": ["/**"], "write": ["\#(root)/**"]}}}"#, to: policy)
        let r = try Harness.run(["run", "-p", policy, "--", Harness.probe, "parallel-opens", root, "8", "300"])
        #expect(r.stdout == "ok wrong=0 failed=0\n", "\(r.stdout) \(r.stderr)")
        #expect(r.violations().isEmpty)
    }
}
