import Foundation
import GuardJSON
import Testing

/// `guard profile` on real workloads: record, check, rerun under the recorded policy, try
/// what was never recorded, load the OCI profile in runc, merge recordings.
@Suite(.serialized) struct ProfileTests {
    struct Workload: CustomTestStringConvertible, Sendable {
        var name: String
        var command: [String]
        var testDescription: String { name }
    }

    static let pythonScript = """
        import json, sqlite3, hashlib
        db = sqlite3.connect(":memory:")
        db.execute("create table t (doc text)")
        db.execute("insert into t values (?)", (json.dumps({"user": "ann", "n": [1, 2, 3]}),))
        doc = db.execute("select doc from t").fetchone()[0]
        print(json.loads(doc)["user"], hashlib.sha256(doc.encode()).hexdigest())

        """
    static let python = Workload(name: "python3 json/sqlite3/hashlib", command: ["/usr/bin/python3", "-c", pythonScript])
    static let shell = Workload(name: "coreutils pipeline", command: ["/bin/sh", "-c", "ls /usr/bin | sort | head -5 | wc -l"])
    static var probe: Workload { Workload(name: "C probe", command: [Harness.probe, "open", "/etc/hostname"]) }
    static var workloads: [Workload] { [python, shell, probe] }

    /// One recording per workload, shared by the tests (recording is the slow part).
    struct Recorded: Sendable {
        var bare: (status: Int32, stdout: String)
        var recorded: Harness.Result
        var policy: String
        var seccomp: String
    }

    nonisolated(unsafe) static var cache: [String: Recorded] = [:]
    static let lock = NSLock()

    static func record(_ w: Workload) throws -> Recorded {
        lock.lock()
        defer { lock.unlock() }
        if let hit = cache[w.name] { return hit }
        let (status, out, _) = try Harness.exec(w.command[0], Array(w.command.dropFirst()))
        let dir = Harness.tempDir()
        let policy = dir + "/policy.json"
        let seccomp = dir + "/seccomp.json"
        let r = try Harness.run(["profile", "-o", policy, "--seccomp", seccomp, "--"] + w.command)
        let recorded = Recorded(bare: (status, out), recorded: r, policy: policy, seccomp: seccomp)
        cache[w.name] = recorded
        return recorded
    }

    static func json(_ path: String) throws -> JSONValue { try JSONValue.parse(String(contentsOfFile: path, encoding: .utf8)) }

    @Test(arguments: workloads)
    func recordingLeavesTheWorkloadUnchanged(_ w: Workload) throws {
        let r = try Self.record(w)
        #expect(r.recorded.status == r.bare.status)
        #expect(r.recorded.stdout == r.bare.stdout)
        #expect(!r.bare.stdout.isEmpty)
        #expect(r.recorded.violations().isEmpty)
        #expect(r.recorded.stderr.contains("OCI seccomp profile"))
    }

    @Test(arguments: workloads)
    func recordedPolicyPassesCheckAndCarriesCoverage(_ w: Workload) throws {
        let r = try Self.record(w)
        let (status, out, err) = try Harness.exec(Harness.guardPath, ["check", r.policy])
        #expect(status == 0, "\(err)")
        #expect(out.contains("\"deny\""))
        let policy = try Self.json(r.policy)
        #expect(policy["mode"] == "enforce")
        #expect(policy["profile"]?["command"] == .array(w.command.map(JSONValue.string)))
        #expect(policy["profile"]?["runs"] == 1)
        #expect(policy["profile"]?["date"]?.stringValue?.hasSuffix("Z") == true)
        #expect(policy["defaults"]?["syscalls"]?["default"] == "deny")
        let read = policy["defaults"]?["files"]?["read"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(!read.contains { $0 == "/etc/**" || $0 == "/**" || $0 == "/usr/**" })
        #expect(read.count < 40, "\(read)")
    }

    @Test(arguments: workloads)
    func workloadRunsCleanUnderItsRecordedPolicy(_ w: Workload) throws {
        let r = try Self.record(w)
        for _ in 0..<3 {
            let run = try Harness.run(["run", "-p", r.policy, "--"] + w.command)
            #expect(run.status == r.bare.status)
            #expect(run.stdout == r.bare.stdout)
            #expect(run.violations().isEmpty, "\(run.violations())")
        }
    }

    @Test func whatWasNeverRecordedIsAViolation() throws {
        let probe = try Self.record(Self.probe)
        let shadow = try Harness.run(["run", "-p", probe.policy, "--", Harness.probe, "open", "/etc/shadow"])
        #expect(shadow.stdout == "err EACCES\n")
        #expect(shadow.violations("file").first?["path"] == "/etc/shadow")
        let connect = try Harness.run(["run", "-p", probe.policy, "--", Harness.probe, "connect", "127.0.0.1", "9"])
        #expect(connect.stdout == "err ENOSYS\n")
        #expect(connect.violations("syscall").first?["syscall"] == "socket")

        let python = try Self.record(Self.python)
        let py = try Harness.run(["run", "-p", python.policy, "--", "/usr/bin/python3", "-c", Self.pythonScript + "open('/etc/shadow')"])
        #expect(py.status != 0)
        #expect(py.violations("file").contains { $0["path"] == "/etc/shadow" })
        let net = try Harness.run([
            "run", "-p", python.policy, "--", "/usr/bin/python3", "-c",
            Self.pythonScript + "import socket; socket.create_connection(('127.0.0.1', 9), timeout=2)",
        ])
        #expect(net.status != 0)
        #expect(!net.violations().isEmpty)
    }

    /// Changes made without opening for writing (timestamps, extended attributes, a mode
    /// set through a read-only fd) are writes under enforcement, so the recording lists them.
    /// Outside the scratch trees (/tmp, /var/tmp, /dev/shm), whose writes are generalized to
    /// a glob that one write anywhere there would fill.
    @Test func attributeAndDescriptorChangesAreRecordedAsWrites() throws {
        let dir = "/srv/guard-profile-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["a", "b", "c"] { Harness.write("x\n", to: dir + "/" + name) }
        let script = """
            import os, sys
            d = sys.argv[1]
            os.utime(d + "/a", (1000, 1000))
            os.setxattr(d + "/b", "user.x", b"1")
            fd = os.open(d + "/c", os.O_RDONLY); os.fchmod(fd, 0o600); os.utime(fd, (1000, 1000))
            print("done")
            """
        let policy = Harness.tempDir() + "/policy.json"
        let recorded = try Harness.run(["profile", "-o", policy, "--", "/usr/bin/python3", "-c", script, dir])
        #expect(recorded.stdout == "done\n", "\(recorded.stderr)")
        let written = try Self.json(policy)["defaults"]?["files"]?["write"]?.arrayValue?.compactMap(\.stringValue) ?? []
        for name in ["a", "b", "c"] {
            let path = dir + "/" + name  // exact, or the three generalized to their directory
            #expect(written.contains { $0 == path || $0 == dir + "/*" || $0 == dir + "/**" }, "\(written)")
        }
        let run = try Harness.run(["run", "-p", policy, "--", "/usr/bin/python3", "-c", script, dir])
        #expect(run.stdout == "done\n" && run.violations().isEmpty, "\(run.stdout) \(run.violations())")
    }

    @Test func anAddressThatWasNotRecordedIsANetworkViolation() throws {
        let dir = Harness.tempDir()
        let policy = dir + "/bind.json"
        let r = try Harness.run(["profile", "-o", policy, "--", Harness.probe, "bind", "127.0.0.1", "0"])
        #expect(r.stdout == "ok\n")
        let recorded = try Self.json(policy)
        #expect(recorded["defaults"]?["network"]?["bind"] == ["127.0.0.1:0"])
        #expect(recorded["profile"]?["socket_families"] == [2])
        let same = try Harness.run(["run", "-p", policy, "--", Harness.probe, "bind", "127.0.0.1", "0"])
        #expect(same.stdout == "ok\n" && same.violations().isEmpty)
        let other = try Harness.run(["run", "-p", policy, "--", Harness.probe, "bind", "127.0.0.2", "0"])
        #expect(other.stdout != "ok\n")
        #expect(other.violations("network").first?["address"] == "127.0.0.2:0")
    }

    @Test func mergedRecordingsRunBothWorkloadsClean() throws {
        let python = try Self.record(Self.python)
        let shell = try Self.record(Self.shell)
        let merged = Harness.tempDir() + "/merged.json"
        let seccomp = Harness.tempDir() + "/merged-seccomp.json"
        let (status, _, err) = try Harness.exec(
            Harness.guardPath, ["profile", "--merge", python.policy, shell.policy, "-o", merged, "--seccomp", seccomp])
        #expect(status == 0, "\(err)")
        let policy = try Self.json(merged)
        #expect(policy["profile"]?["runs"] == 2)
        #expect(policy["profile"]?["commands"]?.arrayValue?.count == 2)
        for w in [Self.python, Self.shell] {
            let run = try Harness.run(["run", "-p", merged, "--"] + w.command)
            #expect(run.stdout == (try Self.record(w)).bare.stdout)
            #expect(run.violations().isEmpty, "\(w.name): \(run.violations())")
        }
        // A new recording folded into an earlier one counts three runs.
        let three = Harness.tempDir() + "/three.json"
        let r = try Harness.run(["profile", "--merge", merged, "-o", three, "--"] + Self.probe.command)
        #expect(r.stdout == (try Self.record(Self.probe)).bare.stdout)
        #expect(try Self.json(three)["profile"]?["runs"] == 3)
        for w in Self.workloads {
            let run = try Harness.run(["run", "-p", three, "--"] + w.command)
            #expect(run.violations().isEmpty, "\(w.name): \(run.violations())")
        }
    }

    @Test func policyGoesToStdoutAfterTheWorkloadsOutputAndTheStatusIsTheWorkloads() throws {
        let r = try Harness.run(["profile", "--", "/bin/sh", "-c", "echo hello; exit 3"])
        #expect(r.status == 3)
        #expect(r.stdout.hasPrefix("hello\n{"))
        let policy = try JSONValue.parse(String(r.stdout.dropFirst(6)))
        #expect(policy["version"] == 1)
        let (status, _, err) = try Harness.exec(Harness.guardPath, ["profile", "--merge", "/nonexistent.json"])
        #expect(status == 2)
        #expect(err.contains("/nonexistent.json"))
    }

    // MARK: - The OCI profile in runc

    static let runc = ["/usr/sbin/runc", "/usr/bin/runc"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var canRunContainers: Bool { runc != nil && getuid() == 0 }

    /// A bundle whose rootfs shows the host's /usr, /etc and /opt (the Swift runtime the
    /// probe links) and guard's build products read-only, running `args` under `seccomp`.
    static func bundle(_ args: [String], seccomp: String, noNewPrivileges: Bool) throws -> String {
        let dir = Harness.tempDir()
        let rootfs = dir + "/rootfs"
        let fm = FileManager.default
        for sub in ["usr", "etc", "proc", "dev", "sys", "tmp"] {
            try fm.createDirectory(atPath: rootfs + "/" + sub, withIntermediateDirectories: true)
        }
        for link in ["bin", "lib", "lib64", "sbin"] { try fm.createSymbolicLink(atPath: rootfs + "/" + link, withDestinationPath: "usr/" + link) }
        let (status, _, err) = try Harness.exec(runc!, ["spec", "--bundle", dir])
        #expect(status == 0, "\(err)")
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/config.json"))) as! [String: Any]
        var process = config["process"] as! [String: Any]
        process["terminal"] = false
        process["args"] = args
        process["noNewPrivileges"] = noNewPrivileges
        config["process"] = process
        config["root"] = ["path": rootfs, "readonly": true]
        var mounts = config["mounts"] as! [[String: Any]]
        // /tmp first: a checkout under /tmp (CI's may be) is bound on top of it, not hidden by it.
        mounts.append(["destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]])
        for source in ["/usr", "/etc", "/opt", Harness.products] where fm.fileExists(atPath: source) {
            mounts.append(["destination": source, "type": "bind", "source": source, "options": ["rbind", "ro"]])
        }
        config["mounts"] = mounts
        var linux = config["linux"] as! [String: Any]
        linux["seccomp"] = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: seccomp)))
        config["linux"] = linux
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/config.json"))
        return dir
    }

    static func runContainer(_ args: [String], seccomp: String, noNewPrivileges: Bool = true) throws -> (Int32, String, String) {
        let dir = try bundle(args, seccomp: seccomp, noNewPrivileges: noNewPrivileges)
        return try Harness.exec(runc!, ["run", "--bundle", dir, "guard-profile-\(UUID().uuidString.prefix(8))"])
    }

    @Test(.enabled(if: canRunContainers, "needs runc and root"), arguments: workloads)
    func ociProfileLoadsInRuncAndTheWorkloadRuns(_ w: Workload) throws {
        let r = try Self.record(w)
        let profile = try Self.json(r.seccomp)
        let allowed = Set((profile["syscalls"]?.arrayValue ?? []).filter { $0["action"] == "SCMP_ACT_ALLOW" }
            .flatMap { ($0["names"]?.arrayValue ?? []).compactMap(\.stringValue) })
        #expect(allowed.count < 367 / 2, "\(allowed.count) syscalls allowed")
        for noNewPrivileges in [true, false] {
            let (status, out, err) = try Self.runContainer(w.command, seccomp: r.seccomp, noNewPrivileges: noNewPrivileges)
            #expect(status == r.bare.status, "\(err)")
            #expect(out == r.bare.stdout, "\(err)")
        }
    }

    @Test(.enabled(if: canRunContainers, "needs runc and root"))
    func anUnrecordedSyscallFailsInTheContainer() throws {
        let r = try Self.record(Self.probe)
        let (_, out, err) = try Self.runContainer([Harness.probe, "unshare"], seccomp: r.seccomp)
        #expect(out == "err ENOSYS\n", "\(err)")
        let (_, mount, _) = try Self.runContainer([Harness.probe, "mount"], seccomp: r.seccomp)
        #expect(mount == "err ENOSYS\n")
    }

    // MARK: - Argument values: clone's namespace flags, unshare's flags, personality

    /// CLONE_NEWUSER | CLONE_NEWNET: a network namespace inside a user namespace, which
    /// needs no capability (so it also works in runc's default spec, which grants none).
    static let userNet = "0x50000000"
    static var cloneUserNet: Workload {
        Workload(name: "clone user+net", command: [Harness.probe, "clone-ns", userNet])
    }
    static var cloneNoNamespace: Workload {
        Workload(name: "clone no namespace", command: [Harness.probe, "clone-ns", "0"])
    }
    static var clone3UserNet: Workload {
        Workload(name: "clone3 user+net", command: [Harness.probe, "clone3-ns", userNet])
    }
    static let unshareUser = ["/usr/bin/unshare", "-U", "/bin/sh", "-c", "echo in-ns"]
    static let unshareUserNet = Workload(
        name: "unshare -Un", command: ["/usr/bin/unshare", "-Un", "/bin/sh", "-c", "echo in-ns"])
    static let setarch = Workload(
        name: "setarch -R", command: ["/usr/bin/setarch", "x86_64", "-R", "/bin/cat", "/proc/self/personality"])

    static func metadata(_ r: Recorded, _ key: String) throws -> [String] {
        (try json(r.policy)["profile"]?[key]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    @Test func cloneUnshareAndPersonalityArgumentsAreRecorded() throws {
        let clone = try Self.record(Self.cloneUserNet)
        #expect(clone.recorded.stdout == "ok clone\n" && clone.bare.stdout == "ok clone\n")
        // flags | SIGCHLD, as the probe passed them.
        #expect(try Self.metadata(clone, "clone_flags").contains("0x50000011"))
        #expect(try Self.metadata(clone, "clone3_flags") == [])

        // clone3's flags live in the caller's memory: read there while the call waited.
        let clone3 = try Self.record(Self.clone3UserNet)
        #expect(clone3.recorded.stdout == "ok clone3\n")
        #expect(try Self.metadata(clone3, "clone3_flags") == ["0x50000000"])

        let unshare = try Self.record(Self.unshareUserNet)
        #expect(unshare.recorded.stdout == "in-ns\n" && unshare.recorded.status == 0)
        #expect(try Self.metadata(unshare, "unshare_flags") == ["0x50000000"])

        let setarch = try Self.record(Self.setarch)
        #expect(setarch.recorded.stdout == "00040000\n" && setarch.bare.stdout == "00040000\n")
        #expect(try Self.metadata(setarch, "personality") == ["0x40000"])  // ADDR_NO_RANDOMIZE

        // A workload that made no namespace records only namespace-free clone flags.
        let shell = try Self.record(Self.shell)
        let mask: UInt64 = 0x7E02_0000
        let flags = try Self.metadata(shell, "clone_flags").compactMap { UInt64($0.dropFirst(2), radix: 16) }
        #expect(!flags.isEmpty && flags.allSatisfy { $0 & mask == 0 }, "\(flags)")
        #expect(try Self.metadata(shell, "unshare_flags") == [] && Self.metadata(shell, "personality") == [])
    }

    @Test(.enabled(if: canRunContainers, "needs runc and root"))
    func recordedNamespacesRunInRuncAndNoOthers() throws {
        let probe = Harness.probe
        let r = try Self.record(Self.cloneUserNet)
        var (status, out, err) = try Self.runContainer(Self.cloneUserNet.command, seccomp: r.seccomp)
        #expect(status == 0 && out == "ok clone\n", "\(err)")
        // Exactly that combination: a user namespace alone, or with a PID namespace, is not it.
        for flags in ["0x10000000", "0x30000000", "0x70000000"] {
            (_, out, err) = try Self.runContainer([probe, "clone-ns", flags], seccomp: r.seccomp)
            #expect(out == "err ENOSYS\n", "\(flags): \(err)")
        }
        // Recorded through clone3: the profile fails clone3 with ENOSYS, the probe falls back
        // to clone as glibc does, and the clone rule lets the recorded flags through.
        let r3 = try Self.record(Self.clone3UserNet)
        (status, out, err) = try Self.runContainer(Self.clone3UserNet.command, seccomp: r3.seccomp)
        #expect(status == 0 && out == "ok clone\n", "\(err)")

        // The same program recorded making a namespace-free clone: its profile runs that
        // (through clone3's fallback too) and refuses the namespaces, both ways.
        let plain = try Self.record(Self.cloneNoNamespace)
        #expect(plain.recorded.stdout == "ok clone\n")
        for command in [Self.cloneNoNamespace.command, [probe, "clone3-ns", "0"]] {
            (status, out, err) = try Self.runContainer(command, seccomp: plain.seccomp)
            #expect(status == 0 && out == "ok clone\n", "\(command): \(err)")
        }
        for command in [Self.cloneUserNet.command, Self.clone3UserNet.command] {
            (_, out, err) = try Self.runContainer(command, seccomp: plain.seccomp)
            #expect(out == "err ENOSYS\n", "\(command): \(err)")
        }
        // And a workload that never cloned at all (the probe opening a file) refuses it too.
        (_, out, err) = try Self.runContainer(Self.cloneUserNet.command, seccomp: try Self.record(Self.probe).seccomp)
        #expect(out == "err ENOSYS\n", "\(err)")

        // Merged with that plain recording (through the written policies), the namespace
        // workload runs again: the metadata carries the flags through --merge.
        let merged = Harness.tempDir() + "/ns-merged-seccomp.json"
        let (mergeStatus, _, mergeErr) = try Harness.exec(
            Harness.guardPath, ["profile", "--merge", plain.policy, r.policy, "-o", "/dev/null", "--seccomp", merged])
        #expect(mergeStatus == 0, "\(mergeErr)")
        (status, out, err) = try Self.runContainer(Self.cloneUserNet.command, seccomp: merged)
        #expect(status == 0 && out == "ok clone\n", "\(err)")
    }

    @Test(.enabled(if: canRunContainers, "needs runc and root"))
    func unshareRunsInRuncWithTheFlagsSeenOnly() throws {
        let r = try Self.record(Self.unshareUserNet)
        var (status, out, err) = try Self.runContainer(Self.unshareUserNet.command, seccomp: r.seccomp)
        #expect(status == 0 && out == "in-ns\n", "\(err)")
        // A user namespace alone is another flag word: refused.
        (status, out, err) = try Self.runContainer(Self.unshareUser, seccomp: r.seccomp)
        #expect(status != 0 && out == "" && err.contains("Function not implemented"), "\(err)")
        let plain = try Self.record(Self.probe)
        (status, out, err) = try Self.runContainer(Self.unshareUserNet.command, seccomp: plain.seccomp)
        #expect(status != 0 && out == "" && err.contains("Function not implemented"), "\(err)")
    }

    @Test(.enabled(if: canRunContainers, "needs runc and root"))
    func personalityRunsInRuncWithTheValuesSeenOnly() throws {
        let r = try Self.record(Self.setarch)
        var (status, out, err) = try Self.runContainer(Self.setarch.command, seccomp: r.seccomp)
        #expect(status == 0 && out == "00040000\n", "\(err)")
        // UNAME26 (0x20000) was not seen; Docker's profile would allow it, this one does not.
        let uname26 = ["/usr/bin/setarch", "x86_64", "--uname-2.6", "/bin/cat", "/proc/self/personality"]
        (status, out, err) = try Self.runContainer(uname26, seccomp: r.seccomp)
        #expect(status != 0 && out == "", "\(out) \(err)")
        // A workload that never called personality: not at all.
        let plain = try Self.record(Self.probe)
        (status, out, err) = try Self.runContainer(Self.setarch.command, seccomp: plain.seccomp)
        #expect(status != 0 && out == "", "\(out) \(err)")
    }
}
