import Foundation
import Testing

/// PID-1 duties, inside a real PID namespace (`unshare --pid --fork`), where the guard is
/// init: orphans are re-parented to it and signals from outside reach it only because it
/// takes them.
@Suite(.serialized) struct Pid1Tests {
    @Test func reapsOrphansAsPid1() throws {
        let script = """
            echo ppid=$PPID
            \(Harness.probe) orphans 5
            sleep 0.3
            echo zombies=$(grep -l '^State:.*Z' /proc/[0-9]*/status 2>/dev/null | wc -l)
            """
        let (status, out, err) = try Harness.exec(
            "/usr/bin/unshare", ["--pid", "--fork", "--mount-proc", Harness.guardPath, "run", "--report", "/dev/null", "--", "/bin/sh", "-c", script])
        #expect(status == 0, "\(err)")
        #expect(out.contains("ppid=1"), "the guard is not PID 1: \(out)")
        #expect(out.contains("zombies=0"), "\(out)")
    }

    @Test func forwardsSigtermAsPid1() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        p.arguments = ["--pid", "--fork", Harness.guardPath, "run", "--report", "/dev/null", "--", Harness.probe, "pause"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        // Wait for "ready", then signal the guard (unshare's child) from outside.
        let ready = out.fileHandleForReading.availableDataOrWait(timeout: 10)
        #expect(ready.contains("ready"))
        let children = try String(contentsOfFile: "/proc/\(p.processIdentifier)/task/\(p.processIdentifier)/children", encoding: .utf8)
        let guardPID = try #require(Int32(children.split(separator: " ").first ?? ""))
        kill(guardPID, SIGTERM)
        p.waitUntilExit()
        #expect(p.terminationStatus == 143)
    }

    @Test func noDescendantOutlivesTheGuard() throws {
        let (status, out, _) = try Harness.exec(
            Harness.guardPath, ["run", "--report", "/dev/null", "--", "/bin/sh", "-c", "sleep 100 & echo $!"])
        #expect(status == 0)
        let pid = try #require(Int32(out.trimmingCharacters(in: .whitespacesAndNewlines)))
        usleep(100_000)
        #expect(kill(pid, 0) != 0, "background process \(pid) outlived the guard")
    }
}

extension FileHandle {
    /// Reads what arrives within `timeout` seconds (at least one chunk).
    func availableDataOrWait(timeout: Double) -> String {
        nonisolated(unsafe) var result = Data()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            result = self.availableData
            done.signal()
        }
        _ = done.wait(timeout: .now() + timeout)
        return String(decoding: result, as: UTF8.self)
    }
}
