import Foundation
import GuardJSON
import Testing

/// `unix:` rules on connect, bind and datagram sends: judged by the socket file the caller
/// reaches, emulated so that a racing thread cannot change the path after the check, and
/// done with the caller's identity.
@Suite struct UnixSocketTests {
    /// ok/ holds an allowed socket, no/ a denied one, each with a listener of the test's own.
    struct Sockets {
        let root = Harness.tempDir()
        var listeners: [Int32] = []

        init() {
            try? FileManager.default.createDirectory(atPath: root + "/ok", withIntermediateDirectories: true)
            try? FileManager.default.createDirectory(atPath: root + "/no", withIntermediateDirectories: true)
            listeners = [listen(root + "/ok/a.sock"), listen(root + "/no/d.sock")]
            try? FileManager.default.createSymbolicLink(atPath: root + "/ok/link.sock", withDestinationPath: "../no/d.sock")
        }

        func listen(_ path: String) -> Int32 {
            let s = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var a = sockaddr_un()
            a.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &a.sun_path) { raw in
                for (i, byte) in path.utf8.prefix(107).enumerated() { raw[i] = byte }
            }
            let rc = withUnsafePointer(to: &a) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            precondition(rc == 0 && Glibc.listen(s, 64) == 0, "listener on \(path)")
            return s
        }

        func policy(connect: String) -> String {
            let path = root + "/policy.json"
            Harness.write(#"{"version": 1, "defaults": {"network": {"connect": [\#(connect)]}}}"#, to: path)
            return path
        }

        func close() { listeners.forEach { _ = Glibc.close($0) } }
    }

    @Test(arguments: ["direct", "symlink", "dotdot", "relative"])
    func deniedSocketIsRefused(way: String) throws {
        let s = Sockets()
        defer { s.close() }
        // `ok/**` as a string also matches `ok/../no/d.sock`: only resolving tells.
        let policy = s.policy(connect: #""unix:\#(s.root)/ok/**""#)
        let (path, cwd): (String, String?) =
            switch way {
            case "direct": (s.root + "/no/d.sock", nil)
            case "symlink": (s.root + "/ok/link.sock", nil)
            case "dotdot": (s.root + "/ok/../no/d.sock", nil)
            default: ("../no/d.sock", s.root + "/ok")
            }
        let r = try Harness.run(["run", "-p", policy, "--", Harness.probe, "unix-connect", path], cwd: cwd)
        #expect(r.stdout == "err ECONNREFUSED\n", "\(way): \(r.stdout) \(r.stderr)")
        let v = try #require(r.violations("network").first, "\(way) not reported")
        #expect(v["address"]?.stringValue == "unix:\(s.root)/no/d.sock")
        #expect(v["syscall"]?.stringValue == "connect")
    }

    @Test func allowedSocketIsConnectedByAbsoluteOrRelativePath() throws {
        let s = Sockets()
        defer { s.close() }
        let policy = s.policy(connect: #""unix:\#(s.root)/ok/*.sock""#)
        let a = try Harness.run(["run", "-p", policy, "--", Harness.probe, "unix-connect", s.root + "/ok/a.sock"])
        let b = try Harness.run(["run", "-p", policy, "--", Harness.probe, "unix-connect", "a.sock"], cwd: s.root + "/ok")
        let missing = try Harness.run(["run", "-p", policy, "--", Harness.probe, "unix-connect", s.root + "/ok/none.sock"])
        #expect(a.stdout == "ok\n" && b.stdout == "ok\n", "\(a.stdout) \(b.stdout) \(a.stderr)")
        #expect(missing.stdout == "err ENOENT\n", "an allowed name that does not exist fails as the kernel fails it")
        #expect(a.violations().isEmpty && b.violations().isEmpty && missing.violations().isEmpty)
    }

    /// One thread flips the name (one byte) between an allowed and a denied socket while the
    /// other connects or sends 2,000 times: nothing may reach the denied socket, and every
    /// call that succeeded reached the allowed one. Socket files and abstract names alike.
    @Test(arguments: [("stream", false), ("dgram", false), ("stream", true), ("dgram", true)])
    func racingThreadNeverReachesADeniedSocket(type: String, abstract: Bool) throws {
        let root = Harness.tempDir()
        let policy = root + "/policy.json"
        let base = abstract ? "@guard-test-\(UInt32.random(in: 0...UInt32.max))-" : root + "/"
        let (allowed, denied) = (base + "a.sock", base + "d.sock")
        Harness.write(#"{"version": 1, "defaults": {"network": {"connect": ["unix:\#(allowed)"], "bind": ["*"]}}}"#,
                      to: policy)
        let r = try Harness.run(["run", "-p", policy, "--", Harness.probe, "race-unix", allowed, denied, "2000", type])
        #expect(r.status == 0 && r.stdout.contains("leaked=0"), "\(r.stdout) \(r.stderr)")
        let counts = Harness.counts(r.stdout)
        #expect((counts["done"] ?? 0) >= 16 && counts["done"] == counts["reached"], "\(r.stdout)")
        #expect(r.violations("network").contains { $0["address"]?.stringValue == "unix:" + denied })
    }

    /// One thread flips the path between an allowed and a denied directory while the other
    /// binds 2,000 times: no socket file may ever appear in the denied one.
    @Test func racingThreadNeverBindsADeniedPath() throws {
        let root = Harness.tempDir()
        for dir in ["a", "d"] { try FileManager.default.createDirectory(atPath: root + "/" + dir, withIntermediateDirectories: true) }
        let policy = root + "/policy.json"
        Harness.write(#"{"version": 1, "defaults": {"network": {"bind": ["unix:\#(root)/a/*"]}}}"#, to: policy)
        let r = try Harness.run(["run", "-p", policy, "--", Harness.probe, "race-unix-bind", root + "/a/s.sock",
                                 root + "/d/s.sock", "2000"])
        #expect(r.status == 0 && r.stdout.contains("leaked=0"), "\(r.stdout) \(r.stderr)")
        let counts = Harness.counts(r.stdout)
        #expect((counts["done"] ?? 0) >= 16 && counts["done"] == counts["made"], "\(r.stdout)")
        #expect(r.violations("network").contains { $0["address"]?.stringValue == "unix:\(root)/d/s.sock" })
    }

    /// Abstract names are judged by name on bind and connect (`unix:@GLOB`).
    @Test func abstractNamesAreCheckedOnBindAndConnect() throws {
        let root = Harness.tempDir()
        let prefix = "@guard-test-\(UInt32.random(in: 0...UInt32.max))"
        let policy = root + "/policy.json"
        Harness.write(#"{"version": 1, "defaults": {"network": {"connect": ["unix:\#(prefix)-ok*"], "bind": ["unix:\#(prefix)-ok*"]}}}"#,
                      to: policy)
        // Listeners of the test's own, so that a connect the guard let through would succeed.
        let listeners = [Self.abstractListener(prefix + "-ok-l"), Self.abstractListener(prefix + "-no-l")]
        defer { listeners.forEach { _ = close($0) } }
        func probe(_ args: String...) throws -> Harness.Result {
            try Harness.run(["run", "-p", policy, "--", Harness.probe] + args)
        }
        #expect(try probe("unix-bind", prefix + "-ok-b").stdout == "ok\n")
        #expect(try probe("unix-connect", prefix + "-ok-l").stdout == "ok\n")
        let bind = try probe("unix-bind", prefix + "-no-b")
        #expect(bind.stdout == "err EACCES\n")
        #expect(bind.violations("network").first?["address"]?.stringValue == "unix:\(prefix)-no-b")
        let connect = try probe("unix-connect", prefix + "-no-l")
        #expect(connect.stdout == "err ECONNREFUSED\n")
        #expect(connect.violations("network").first?["address"]?.stringValue == "unix:\(prefix)-no-l")
    }

    /// A relative path that starts with `@` is a file in the caller's cwd, not an abstract
    /// name: it is judged (and bound, and connected) as that file. It used to be taken for
    /// an abstract name and bound as root in the guard's own cwd.
    @Test func atSignPathIsAFileNotAnAbstractName() throws {
        let s = Sockets()
        defer { s.close() }
        let name = "@guard-test-\(UInt32.random(in: 0...UInt32.max))"
        let listener = s.listen(s.root + "/ok/" + name + "-l")
        defer { close(listener) }
        let guardCwd = Harness.tempDir()
        let policy = s.root + "/policy.json"
        Harness.write(#"{"version": 1, "defaults": {"network": {"connect": ["unix:@guard-test-*", "\#(Harness.nscd)"], "bind": ["unix:@guard-test-*"]}}}"#,
                      to: policy)
        let script = """
            import os, socket, sys
            os.chdir(sys.argv[1])
            for op, name in (("connect", sys.argv[2] + "-l"), ("bind", sys.argv[2] + "-b")):
                try:
                    getattr(socket.socket(socket.AF_UNIX), op)(name); print(op, "ok")
                except OSError as e:
                    print(op, "err", e.errno)
            """
        let r = try Harness.run(["run", "-p", policy, "--", "python3", "-c", script, s.root + "/ok", name], cwd: guardCwd)
        #expect(r.stdout == "connect err 111\nbind err 13\n", "\(r.stdout) \(r.stderr)")
        let addresses = Set(r.violations("network").compactMap { $0["address"]?.stringValue })
        #expect(addresses == ["unix:\(s.root)/ok/\(name)-l", "unix:\(s.root)/ok/\(name)-b"], "\(addresses)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: guardCwd).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: s.root + "/ok/" + name + "-b"))
    }

    static func abstractListener(_ name: String) -> Int32 {
        let s = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var a = sockaddr_un()
        a.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(name.utf8.dropFirst())
        withUnsafeMutableBytes(of: &a.sun_path) { raw in
            raw[0] = 0
            for (i, byte) in bytes.enumerated() { raw[i + 1] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + 1 + bytes.count)
        let rc = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, length) } }
        precondition(rc == 0 && listen(s, 16) == 0, "listener on \(name)")
        return s
    }

    /// A root guard supervising a uid-65534 program: the socket it binds is the program's
    /// (owner, umask), and the peer of its connect sees uid 65534, not root.
    @Test func peerSeesTheCallersIdentity() throws {
        let root = Harness.tempDir()
        chmod(root, 0o777)
        let policy = root + "/policy.json"
        Harness.write("""
            {"version": 1, "defaults": {"process": {"user": "65534:65534"},
              "network": {"connect": ["unix:\(root)/*.sock"], "bind": ["unix:\(root)/*.sock"]}}}
            """, to: policy)
        let r = try Harness.run(["run", "-p", policy, "--", Harness.probe, "peercred", root + "/p.sock"])
        let counts = Harness.counts(r.stdout)
        #expect(counts["uid"] == 65534 && counts["gid"] == 65534, "\(r.stdout) \(r.stderr)")
        #expect(counts["owner"] == 65534 && counts["mode"] == 750, "\(r.stdout)")
        // An abstract name too: the connect is made with the caller's effective ids.
        let abstract = "@guard-test-peer-\(UInt32.random(in: 0 ... .max))"
        Harness.write("""
            {"version": 1, "defaults": {"process": {"user": "65534:65534"},
              "network": {"connect": ["unix:@guard-test-*"], "bind": ["unix:@guard-test-*"]}}}
            """, to: root + "/abstract.json")
        let named = try Harness.run(["run", "-p", root + "/abstract.json", "--", Harness.probe, "peercred", abstract])
        #expect(Harness.counts(named.stdout)["uid"] == 65534, "\(named.stdout) \(named.stderr)")
        let denied = try Harness.run(["run", "-p", policy, "--", Harness.probe, "peercred", root + "/sub.sockx"])
        #expect(denied.stdout == "err EACCES\n", "bind outside the list: \(denied.stdout)")
        #expect(!FileManager.default.fileExists(atPath: root + "/sub.sockx"))
    }

    /// A datagram the supervisor sends for a nobody caller carries nobody's ids to a
    /// receiver that asks (SO_PASSCRED), and a claim of root's is refused, not passed on.
    @Test func datagramCredentialsAreTheCallers() throws {
        let root = Harness.tempDir()
        chmod(root, 0o777)
        let policy = root + "/policy.json"
        Harness.write("""
            {"version": 1, "defaults": {"process": {"user": "65534:65534"},
              "network": {"connect": ["unix:\(root)/*.sock"], "bind": ["unix:\(root)/*.sock"]}}}
            """, to: policy)
        let script = """
            import os, socket, struct, sys
            r = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); r.bind(sys.argv[1])
            r.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.sendto(b"plain", sys.argv[1])
            data, ancillary, _, _ = r.recvmsg(16, 64)
            creds = [struct.unpack("iII", d[:12]) for level, kind, d in ancillary if kind == socket.SCM_CREDENTIALS]
            print(data.decode(), "uid=%d gid=%d" % creds[0][1:] if creds else "no credentials")
            claim = struct.pack("iII", os.getppid(), 0, 0)
            try:
                s.sendmsg([b"claim"], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, claim)], 0, sys.argv[1]); print("claim sent")
            except OSError as e:
                print("claim err", e.errno)
            """
        let r = try Harness.run(["run", "-p", policy, "--", "/usr/bin/python3", "-c", script, root + "/r.sock"])
        #expect(r.stdout == "plain uid=65534 gid=65534\nclaim err 1\n", "\(r.stdout) \(r.stderr)")
    }

    /// A descriptor passed in a datagram sent to a named unix socket arrives and works.
    @Test func passedDescriptorArrives() throws {
        let root = Harness.tempDir()
        let policy = root + "/policy.json"
        Harness.write("hello fd\n", to: root + "/f.txt")
        Harness.write(#"{"version": 1, "defaults": {"network": {"connect": ["unix:\#(root)/*"], "bind": ["*"]}}}"#, to: policy)
        let r = try Harness.run(["run", "-p", policy, "--", Harness.probe, "pass-fd", root + "/r.sock", root + "/f.txt"])
        #expect(r.stdout == "ok hello fd\n", "\(r.stdout) \(r.stderr)")
    }

    /// SCM_RIGHTS naming an fd number the caller does not hold fails as the kernel's own
    /// send would (EBADF), above all the numbers the guard holds: the numbers are the
    /// caller's, never the guard's.
    @Test func passingAnFdTheCallerDoesNotHoldFails() throws {
        let root = Harness.tempDir()
        let policy = root + "/policy.json"
        Harness.write(#"{"version": 1, "defaults": {"network": {"connect": ["unix:\#(root)/*"], "bind": ["*"]}}}"#, to: policy)
        let script = """
            import array, os, socket, sys
            r = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); r.bind(sys.argv[1]); r.setblocking(False)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            held = {int(x) for x in os.listdir("/proc/self/fd")}
            guards = {int(x) for x in os.listdir("/proc/%d/fd" % os.getppid())}
            tried = sorted(guards - held) + [987]
            results = set()
            for fd in tried:
                try:
                    s.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))], 0, sys.argv[1])
                    results.add("sent %d" % fd)
                except OSError as e:
                    results.add("err %d" % e.errno)
            print("tried", len(tried), sorted(results))
            try:
                r.recv(10); print("received")
            except BlockingIOError:
                print("nothing received")
            """
        let r = try Harness.run(["run", "-p", policy, "--", "python3", "-c", script, root + "/r.sock"])
        let tried = Int(r.stdout.split(separator: " ").dropFirst().first ?? "") ?? 0
        #expect(tried >= 4, "the guard's own descriptors were not tried: \(r.stdout) \(r.stderr)")
        #expect(r.stdout.hasSuffix("['err 9']\nnothing received\n"), "\(r.stdout) \(r.stderr)")
    }
}
