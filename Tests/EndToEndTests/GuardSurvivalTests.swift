import Foundation
import GuardJSON
import Testing

/// A supervised program running as the guard's own uid (root here) tries to stop the guard
/// in every way the kernel offers; each is refused and reported, and the guard goes on to
/// report the program's exit.
///
/// Each run is contained: the guard runs in its own PID namespace under an init shell, so
/// if a defence ever regresses, `kill -9 -1` takes down that namespace, not the machine.
@Suite struct GuardSurvivalTests {
    struct Contained {
        var stdout: String
        var reports: [JSONValue]
        var guardStatus: Int32? {
            stdout.split(separator: "\n").last { $0.hasPrefix("guard=") }.flatMap { Int32($0.dropFirst(6)) }
        }
        var programOutput: String { stdout.split(separator: "\n").filter { !$0.hasPrefix("guard=") }.joined(separator: "\n") }
    }

    func runContained(_ command: [String]) throws -> Contained {
        let dir = Harness.tempDir()
        let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        // setsid: the guard leads its own process group, whose id the program can see.
        Harness.write("setsid -w \(Harness.guardPath) run --report \(dir)/r.jsonl -- \(quoted)\necho guard=$?\n", to: dir + "/init.sh")
        let (_, out, _) = try Harness.exec(
            "/usr/bin/unshare", ["--pid", "--fork", "--mount-proc", "--kill-child", "/bin/sh", dir + "/init.sh"], timeout: 30)
        let text = (try? String(contentsOfFile: dir + "/r.jsonl", encoding: .utf8)) ?? ""
        let reports = try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        return Contained(stdout: out, reports: reports)
    }

    static let ways: [(String, String)] = [
        ("kill", #"kill -9 $PPID; echo "rc=$?""#),
        ("kill everyone", #"kill -9 -1; echo "rc=$?""#),
        ("kill the guard's group", #"kill -9 -$(cut -d' ' -f5 /proc/$PPID/stat); echo "rc=$?""#),
        ("pidfd_open", #"python3 -c 'import os, sys; os.pidfd_open(int(sys.argv[1]))' $PPID 2>/dev/null; echo "rc=$?""#),
        ("pidfd from /proc",
         #"python3 -c 'import os, signal, sys; signal.pidfd_send_signal(os.open("/proc/" + sys.argv[1], os.O_RDONLY), 9)' $PPID 2>/dev/null; echo "rc=$?""#),
        ("sigqueue",
         #"python3 -c 'import ctypes, sys; sys.exit(-ctypes.CDLL(None).sigqueue(int(sys.argv[1]), 9, 0))' $PPID; echo "rc=$?""#),
    ]

    @Test(arguments: 0..<ways.count)
    func programCannotKillTheGuard(way: Int) throws {
        let (name, script) = Self.ways[way]
        let r = try runContained(["/bin/sh", "-c", script])
        #expect(r.guardStatus == 0, "\(name): \(r.stdout)")
        #expect(r.programOutput.hasSuffix("rc=1"), "\(name): \(r.stdout)")
        let v = try #require(r.reports.first { $0["category"]?.stringValue == "process" }, "\(name) not reported")
        #expect(v["rule"]?.stringValue == "process.signal-guard")
        #expect(r.reports.contains { $0["event"]?.stringValue == "summary" })
    }

    @Test func noThreadOfTheGuardCanBeKilled() throws {
        let r = try runContained([Harness.probe, "kill-parent-threads"])
        #expect(r.guardStatus == 0, "\(r.stdout)")
        let fields = r.programOutput.split(separator: " ").map { $0.split(separator: "=") }
        let tried = fields.first { $0.first == "tried" }.flatMap { Int($0[1]) } ?? 0
        let refused = fields.first { $0.first == "refused" }.flatMap { Int($0[1]) } ?? -1
        #expect(tried >= 4 && refused == tried, "\(r.stdout)")
    }

    /// kill(0) signals the program's own group; the guard is not in it.
    @Test func signallingItsOwnGroupLeavesTheGuardStanding() throws {
        let r = try runContained(["/bin/sh", "-c", "kill -TERM 0; sleep 5"])
        #expect(r.guardStatus == 143, "\(r.stdout)")
        let exit = try #require(r.reports.first { $0["event"]?.stringValue == "exit" })
        #expect(exit["signal"]?.intValue == 15)
        #expect(r.reports.contains { $0["event"]?.stringValue == "summary" })
    }
}
