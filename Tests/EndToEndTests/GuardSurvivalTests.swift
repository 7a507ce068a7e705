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

    func runContained(_ command: [String], policy: String? = nil) throws -> Contained {
        let dir = Harness.tempDir()
        let policyOption = policy.map { "-p '\($0)' " } ?? ""
        let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        // setsid: the guard leads its own process group, whose id the program can see.
        Harness.write("setsid -w \(Harness.guardPath) run \(policyOption)--report \(dir)/r.jsonl -- \(quoted)\necho guard=$?\n", to: dir + "/init.sh")
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

    /// The guard made the owner of a file that then signals: SIGIO, or with F_SETSIG any
    /// signal, SIGKILL too, sent with the rights of whoever set the owner (here root).
    static func owner(_ setOwner: String) -> String {
        """
        python3 -c '
        import ctypes, fcntl, os, socket, struct, sys
        g = int(sys.argv[1]); pgid = os.getpgid(g)
        a, b = socket.socketpair()
        fcntl.fcntl(a, 10, 9)  # F_SETSIG SIGKILL
        try:
            \(setOwner)
        except OSError:
            sys.exit(1)
        fcntl.fcntl(a, fcntl.F_SETFL, os.O_ASYNC); b.send(b"x"); sys.exit(0)
        ' $PPID; echo "rc=$?"
        """
    }

    static let ownerWays: [(String, String)] = [
        ("F_SETOWN", owner("fcntl.fcntl(a, 8, g)")),
        ("F_SETOWN to the guard's group", owner("fcntl.fcntl(a, 8, -pgid)")),
        // The kernel reads the command as an unsigned int: upper bits must not hide it.
        ("F_SETOWN with upper bits set", owner(
            "sys.exit(1) if ctypes.CDLL(None).syscall(72, a.fileno(), ctypes.c_ulong((1 << 32) | 8), g) != 0 else None")),
        ("F_SETOWN_EX", owner("fcntl.fcntl(a, 15, struct.pack(\"ii\", 1, g))")),
        ("FIOSETOWN", owner("fcntl.ioctl(a, 0x8901, struct.pack(\"i\", g))")),
        ("SIOCSPGRP to the guard's group", owner("fcntl.ioctl(a, 0x8902, struct.pack(\"i\", -pgid))")),
    ]

    @Test(arguments: 0..<ownerWays.count)
    func programCannotMakeTheGuardAFilesOwner(way: Int) throws {
        let (name, script) = Self.ownerWays[way]
        let r = try runContained(["/bin/sh", "-c", script])
        #expect(r.guardStatus == 0, "\(name): \(r.stdout)")
        #expect(r.programOutput.hasSuffix("rc=1"), "\(name): \(r.stdout)")
        let v = try #require(r.reports.first { $0["category"]?.stringValue == "process" }, "\(name) not reported")
        #expect(v["rule"]?.stringValue == "process.signal-guard")
        #expect(r.reports.contains { $0["event"]?.stringValue == "summary" })
    }

    /// Under `syscalls.default: deny` (a recorded policy) fcntl and ioctl are allowed by
    /// rules that leave out the owner commands (see FilterCompiler.addCommandRules): the
    /// program's own F_SETOWN and other commands work, the guard as owner is refused.
    @Test func ownerCommandsAreWatchedUnderADenyingDefault() throws {
        let dir = Harness.tempDir()
        let policy = dir + "/recorded.json"
        let own = Self.owner("fcntl.fcntl(a, 8, os.getpid()); fcntl.fcntl(a, fcntl.F_GETFL); fcntl.ioctl(a, 0x541B, b\"0000\")")
            .replacingOccurrences(of: "fcntl.fcntl(a, 10, 9)", with: "fcntl.fcntl(a, 10, 0)")  // plain SIGIO, ignored below
            .replacingOccurrences(of: "b.send(b\"x\")", with: "import signal; signal.signal(signal.SIGIO, signal.SIG_IGN); b.send(b\"x\")")
        let recorded = try Harness.run(["profile", "-o", policy, "--", "/bin/sh", "-c", own])
        #expect(recorded.stdout == "rc=0\n", "\(recorded.stdout) \(recorded.stderr)")
        let again = try runContained(["/bin/sh", "-c", own], policy: policy)
        #expect(again.programOutput == "rc=0" && again.guardStatus == 0, "\(again.stdout) \(again.reports)")
        for (name, script) in Self.ownerWays {
            let r = try runContained(["/bin/sh", "-c", script], policy: policy)
            #expect(r.guardStatus == 0 && r.programOutput.hasSuffix("rc=1"), "\(name): \(r.stdout)")
            #expect(r.reports.contains { $0["rule"]?.stringValue == "process.signal-guard" }, "\(name)")
        }
    }

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
        let counts = Harness.counts(r.programOutput)
        let tried = counts["tried"] ?? 0
        #expect(tried >= 4 && counts["refused"] == tried, "\(r.stdout)")
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
