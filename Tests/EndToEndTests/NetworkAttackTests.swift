import Foundation
import GuardJSON
import Testing

/// Network attacks (issue 3): denied destinations in every notation and family, and racing
/// threads that flip a checked address.
@Suite struct NetworkAttackTests {
    typealias Tree = SupervisorAttackTests.Tree

    @Test func racingThreadNeverSendsADatagramToADeniedPort() throws {
        // One thread flips the destination port between an allowed and a denied receiver
        // while the other sends 4,000 times (sendto, sendmsg, and sendmmsg of two, whose
        // msg_len must come back): no datagram may reach the denied port, and the allowed
        // ones must arrive.
        let root = Harness.tempDir()
        let policy = root + "/policy.json"
        let allowed = Harness.freePortPair(), denied = allowed + 1
        Harness.write("""
            {"version": 1, "defaults": {"network": {"connect": ["127.0.0.1:\(allowed)"], "bind": ["127.0.0.1:*"]}}}
            """, to: policy)
        let r = try Harness.run(["run", "-p", policy, "--", Harness.probe, "race-sendto", "\(allowed)", "\(denied)", "4000"])
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("leaked=0") && r.stdout.contains("badlen=0"), "\(r.stdout)")
        let counts = Harness.counts(r.stdout)
        #expect((counts["sent"] ?? 0) >= 16 && counts["sent"] == counts["received"], "\(r.stdout)")
        #expect(!r.violations("network").isEmpty)
    }

    /// TCP Fast Open connects with sendto: sent by the supervisor to the checked address,
    /// completed as a blocking caller expects; an unlisted port is refused and reported.
    @Test func fastOpenSendtoIsCheckedAndCompletes() throws {
        let root = Harness.tempDir()
        let port = Harness.freePortPair()
        Harness.write("""
            {"version": 1, "defaults": {"network": {"connect": ["127.0.0.1:\(port)", "\(Harness.nscd)"], "bind": ["127.0.0.1:*"]}}}
            """, to: root + "/policy.json")
        let script = """
            import socket, sys
            port = int(sys.argv[1])
            srv = socket.socket(); srv.bind(("127.0.0.1", port)); srv.listen(1)
            socket.socket().sendto(b"hi", socket.MSG_FASTOPEN, ("127.0.0.1", port))
            conn, _ = srv.accept(); print("got", conn.recv(10).decode())
            try:
                socket.socket().sendto(b"x", socket.MSG_FASTOPEN, ("127.0.0.1", port + 1)); print("sent to denied")
            except OSError as e:
                print("refused", e.errno)
            """
        let r = try Harness.run(["run", "-p", root + "/policy.json", "--", "python3", "-c", script, "\(port)"])
        #expect(r.stdout == "got hi\nrefused 13\n", "\(r.stdout) \(r.stderr)")
        #expect(r.violations("network").first?["address"]?.stringValue == "127.0.0.1:\(port + 1)")
    }

    /// One thread flips the whole address between the allowed port (or an AF_UNSPEC
    /// dissolve, which names no destination) and a denied one while the other connects
    /// 2,000 times: the denied listener never sees a connection.
    @Test(arguments: [false, true])
    func racingThreadNeverConnectsToADeniedPort(unspec: Bool) throws {
        let root = Harness.tempDir()
        let policy = root + "/policy.json"
        let allowed = Harness.freePortPair(), denied = allowed + 1
        Harness.write("""
            {"version": 1, "defaults": {"network": {"connect": ["127.0.0.1:\(allowed)"], "bind": ["127.0.0.1:*"]}}}
            """, to: policy)
        var args = ["run", "-p", policy, "--", Harness.probe, "race-connect", "\(allowed)", "\(denied)", "2000"]
        if unspec { args.append("unspec") }
        let r = try Harness.run(args)
        #expect(r.status == 0 && r.stdout.contains("leaked=0"), "\(r.stdout) \(r.stderr)")
        let counts = Harness.counts(r.stdout)
        #expect((counts["reached"] ?? 0) >= 16, "\(r.stdout)")
        if !unspec { #expect(counts["done"] == counts["reached"], "\(r.stdout)") }
        #expect(r.violations("network").contains { $0["address"]?.stringValue == "127.0.0.1:\(denied)" })
    }

    /// An AF_UNSPEC address is IPv4 to the kernel for a UDP send and a bind (INADDR_ANY),
    /// and nothing to a connect (it dissolves the association): the rules judge it so.
    @Test func unspecifiedFamilyIsJudgedAsTheKernelUsesIt() throws {
        let root = Harness.tempDir()
        let policy = root + "/policy.json"
        let allowed = Harness.freePortPair(), denied = allowed + 1
        Harness.write("""
            {"version": 1, "defaults": {"network": {"connect": ["127.0.0.1:\(allowed)", "\(Harness.nscd)"], "bind": ["127.0.0.1:*"]}}}
            """, to: policy)
        let script = """
            import ctypes, socket, struct, sys
            libc = ctypes.CDLL(None, use_errno=True)
            allowed, denied = int(sys.argv[1]), int(sys.argv[2])
            def unspec(ip, port):
                return struct.pack("<H", 0) + struct.pack(">H", port) + socket.inet_aton(ip) + bytes(8)
            def attempt(name, rc):
                print(name, "ok" if rc >= 0 else "err %d" % ctypes.get_errno())
            receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            receiver.bind(("127.0.0.1", denied)); receiver.setblocking(False)
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            attempt("sendto", libc.sendto(s.fileno(), b"x", 1, 0, unspec("127.0.0.1", denied), 16))
            b = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            attempt("bind", libc.bind(b.fileno(), unspec("0.0.0.0", denied), 16))
            c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            c.connect(("127.0.0.1", allowed))
            attempt("dissolve", libc.connect(c.fileno(), unspec("0.0.0.0", 0), 16))
            try:
                receiver.recv(10); print("received")
            except BlockingIOError:
                print("nothing received")
            """
        let r = try Harness.run(["run", "-p", policy, "--", "python3", "-c", script, "\(allowed)", "\(denied)"])
        #expect(r.stdout == "sendto err 13\nbind err 13\ndissolve ok\nnothing received\n", "\(r.stdout) \(r.stderr)")
        let addresses = Set(r.violations("network").compactMap { $0["address"]?.stringValue })
        #expect(addresses == ["127.0.0.1:\(denied)", "0.0.0.0:\(denied)"], "\(addresses)")
    }

    @Test func metadataAddressIsDeniedInEveryNotation() throws {
        let t = Tree()
        for address in ["169.254.169.254", "::ffff:169.254.169.254"] {
            let r = try t.probe("connect", address, "80")
            #expect(r.stdout == "err ECONNREFUSED\n", "\(address)")
            let v = try #require(r.violations("network").first)
            #expect(v["address"]?.stringValue == "169.254.169.254:80")
            #expect(v["rule"]?.stringValue == "network.connect")
        }
        let bind = try t.probe("bind", "0.0.0.0", "8081")
        #expect(bind.stdout == "err EACCES\n")
    }

    @Test func allowedLoopbackConnectReachesTheListener() throws {
        let t = Tree()
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, len) } }
        listen(listener, 4)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) } }
        let port = UInt16(bigEndian: addr.sin_port)
        let r = try t.probe("connect", "127.0.0.1", "\(port)")
        #expect(r.stdout == "ok\n")
        #expect(r.violations().isEmpty)
    }

    /// Lengths the caller makes up (2^63 and more) are errors, never a trap in the guard.
    @Test func madeUpLengthsAreErrorsNotCrashes() throws {
        let root = Harness.tempDir()
        let port = Harness.freePortPair()
        Harness.write(#"{"version": 1, "defaults": {"network": {"connect": ["127.0.0.1:*"], "bind": ["127.0.0.1:*"]}}}"#,
                      to: root + "/policy.json")
        let script = """
            import ctypes, socket, struct, sys
            libc = ctypes.CDLL(None, use_errno=True)
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            addr = struct.pack("<H", socket.AF_INET) + struct.pack(">H", int(sys.argv[1])) + socket.inet_aton("127.0.0.1") + bytes(8)
            huge = ctypes.c_size_t(1 << 63)
            print("sendto", libc.sendto(s.fileno(), b"x", huge, 0, addr, ctypes.c_uint(1 << 31)) < 0)
            buf = ctypes.create_string_buffer(b"x")
            iov = struct.pack("<QQ", ctypes.addressof(buf), 1 << 63)
            iovbuf = ctypes.create_string_buffer(iov)
            name = ctypes.create_string_buffer(addr)
            for iovlen, control in ((1, 0), (1 << 63, 0), (1, 1 << 63)):
                msg = ctypes.create_string_buffer(struct.pack("<QI4xQQQQi4x", ctypes.addressof(name), 16,
                                                              ctypes.addressof(iovbuf), iovlen, 0, control, 0))
                print("sendmsg", libc.sendmsg(s.fileno(), msg, 0) < 0)
            """
        let r = try Harness.run(["run", "-p", root + "/policy.json", "--", "python3", "-c", script, "\(port)"])
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout == "sendto True\nsendmsg True\nsendmsg True\nsendmsg True\n", "\(r.stdout) \(r.stderr)")
        #expect(r.reports.contains { $0["event"]?.stringValue == "summary" })
    }
}
