import Foundation
import GuardJSON
import Testing

/// Issue 3's attacks, each under a policy that forbids it, run by the C probe or python3.
@Suite struct SupervisorAttackTests {
    /// A sandbox tree: allowed/ (readable, writable), other/ (denied), and a policy.
    struct Tree {
        let root: String
        let policy: String

        init(filesAction: String = "deny", mode: String = "enforce", process: String = "{}") {
            root = Harness.tempDir()
            try? FileManager.default.createDirectory(atPath: root + "/allowed/sub", withIntermediateDirectories: true)
            try? FileManager.default.createDirectory(atPath: root + "/other", withIntermediateDirectories: true)
            Harness.write("public\n", to: root + "/allowed/pub.txt")
            Harness.write("SECRET\n", to: root + "/other/secret.txt")
            try? FileManager.default.createSymbolicLink(atPath: root + "/allowed/link.txt", withDestinationPath: "../other/secret.txt")
            policy = root + "/policy.json"
            Harness.write("""
                {"version": 1, "mode": "\(mode)", "defaults": {"process": \(process),
                  "files": {"read": ["/usr/**", "/lib/**", "/lib64/**", "/etc/**", "/opt/**", "/root/.pyenv/**", "/proc/self/**",
                                     "/dev/null", "/dev/urandom", "\(root)/allowed/**", "\(Harness.products)/**", "/sys/**"],
                            "write": ["\(root)/allowed/**", "/dev/null"],
                            "exec": ["\(Harness.products)/**", "/usr/bin/*", "/bin/*", "/root/.pyenv/**"],
                            "deny": ["/etc/shadow", "\(root)/other/**"],
                            "action": "\(filesAction)"},
                  "network": {"connect": ["127.0.0.0/8:*", "[::1]:*"], "bind": ["127.0.0.1:*", "[::1]:*"]}}}
                """, to: policy)
        }

        func probe(_ args: String..., cwd: String? = nil) throws -> Harness.Result {
            try Harness.run(["run", "-p", policy, "--", Harness.probe] + args, cwd: cwd)
        }
    }

    /// Without no_new_privs only CAP_SYS_ADMIN may install a filter, so it goes in before
    /// the dangerous capabilities are dropped: a files policy with `no_new_privs: false`
    /// runs (it failed at launch with EACCES when the drop came first), and still refuses.
    @Test func filesPolicyRunsWithoutNoNewPrivs() throws {
        let t = Tree(process: #"{"no_new_privs": false}"#)
        let allowed = try t.probe("open", t.root + "/allowed/pub.txt")
        #expect(allowed.status == 0 && allowed.stdout == "ok public\n", "\(allowed.stdout) \(allowed.stderr)")
        let denied = try t.probe("open", t.root + "/other/secret.txt")
        #expect(denied.stdout == "err EACCES\n", "\(denied.stdout) \(denied.stderr)")
        // …and the capabilities that would step around the supervisor are still gone.
        try Self.expectNoDangerousCapabilities(t)
    }

    /// The 15 capabilities the README lists as taken whenever paths or addresses are
    /// supervised, absent from every set (effective, permitted, inheritable, bounding, ambient).
    static func expectNoDangerousCapabilities(_ t: Tree) throws {
        let caps = try t.probe("capsets")
        let sets = caps.stdout.dropFirst(3).split(whereSeparator: \.isWhitespace).compactMap { part -> (String, UInt64)? in
            let kv = part.split(separator: "=")
            return kv.count == 2 ? (String(kv[0]), UInt64(kv[1], radix: 16) ?? UInt64.max) : nil
        }
        #expect(caps.status == 0 && sets.count == 5, "\(caps.stdout) \(caps.stderr)")
        for (set, mask) in sets {
            for bit: UInt64 in [2, 12, 13, 16, 17, 18, 19, 21, 22, 27, 32, 33, 38, 39, 40] {
                #expect(mask & (1 << bit) == 0, "capability \(bit) kept in \(set)")
            }
        }
    }

    @Test func allowedFileIsRead() throws {
        let t = Tree()
        let r = try t.probe("open", t.root + "/allowed/pub.txt")
        #expect(r.stdout == "ok public\n")
        #expect(r.violations().isEmpty)
    }

    /// The supervisor opens, creates and binds with the caller's rights, not its own: a
    /// child running as nobody gets the kernel's answer for nobody (a root-only file the
    /// policy allows stays unreadable, port 80 stays closed), and what it creates is
    /// nobody's. Every step crosses uids, so the supervisor also reads the caller's memory
    /// with its own rights between steps.
    @Test func emulationUsesTheCallersIdentity() throws {
        let t = Tree(process: #"{"user": "65534:65534"}"#)
        chmod(t.root, 0o755)
        chmod(t.root + "/allowed", 0o777)
        Harness.write("root only\n", to: t.root + "/allowed/root-only.txt")
        chmod(t.root + "/allowed/root-only.txt", 0o600)
        let p = Harness.probe, a = t.root + "/allowed"
        let script = ["\(p) open \(a)/pub.txt", "\(p) open \(a)/root-only.txt", "\(p) open \(a)/new.txt c",
                      "\(p) open /etc/shadow", "\(p) bind 127.0.0.1 80", "\(p) open \(a)/pub.txt"].joined(separator: "; ")
        let r = try Harness.run(["run", "-p", t.policy, "--", "/bin/sh", "-c", script])
        #expect(r.stdout == "ok public\nerr EACCES\nok \nerr EACCES\nerr EACCES\nok public\n", "\(r.stdout) \(r.stderr)")
        var st = stat()
        #expect(stat(a + "/new.txt", &st) == 0)
        #expect(st.st_uid == 65534 && st.st_gid == 65534)
        // Only the policy's refusal is a violation; the kernel's own refusals are not.
        let files = r.violations("file")
        #expect(files.count == 1)
        #expect(files.first?["path"]?.stringValue == "/etc/shadow")
    }

    @Test(arguments: ["direct", "symlink", "dotdot", "relative", "thread", "grandchild", "etc-shadow"])
    func deniedReadIsRefused(way: String) throws {
        let t = Tree()
        let r: Harness.Result
        switch way {
        case "direct": r = try t.probe("open", t.root + "/other/secret.txt")
        case "symlink": r = try t.probe("open", t.root + "/allowed/link.txt")
        case "dotdot": r = try t.probe("open", t.root + "/allowed/sub/../../other/secret.txt")
        case "relative": r = try t.probe("open", "../other/secret.txt", cwd: t.root + "/allowed")
        case "thread": r = try t.probe("thread-open", t.root + "/other/secret.txt")
        case "grandchild": r = try t.probe("grandchild-open", t.root + "/other/secret.txt")
        default: r = try t.probe("open", "/etc/shadow")
        }
        #expect(r.stdout == "err EACCES\n", "\(way): \(r.stdout) \(r.stderr)")
        let v = try #require(r.violations("file").first, "\(way) not reported")
        #expect(v["action"]?.stringValue == "denied")
        #expect(v["rule"]?.stringValue == "files.deny")
        #expect(v["syscall"]?.stringValue == "openat")
        let path = try #require(v["path"]?.stringValue)
        #expect(path.hasSuffix("/other/secret.txt") || path == "/etc/shadow", "\(path)")
        #expect(v["pid"]?.intValue != nil)
        #expect(v["exe"]?.stringValue?.hasSuffix("GuardProbe") == true)
    }

    @Test func racingThreadNeverOpensTheDeniedFile() throws {
        // One thread flips the path buffer between an allowed and a denied file while the
        // other opens it 5,000 times: the check and the open must be the same object.
        let t = Tree()
        let r = try t.probe("race", t.root + "/allowed/pub.txt", t.root + "/other/secret.txt", "5000")
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("leaked=0"))
        #expect(!r.violations("file").isEmpty)
    }

    /// A timer interrupts the program every 50 µs while it creates 3,000 new files: a call
    /// the supervisor has taken is finished before the signal is handled, never restarted
    /// and done twice (without WAIT_KILLABLE_RECV about 90 % failed here with EEXIST).
    @Test func interruptedCallsAreNotDoneTwice() throws {
        let t = Tree()
        let r = try t.probe("signal-storm", t.root + "/allowed", "3000")
        #expect(r.stdout.hasPrefix("ok created=3000 failed=0 "), "\(r.stdout) \(r.stderr)")
    }

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
        let counts = Dictionary(uniqueKeysWithValues: r.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap {
            part -> (String, Int)? in
            let kv = part.split(separator: "=")
            return kv.count == 2 ? (String(kv[0]), Int(kv[1]) ?? -1) : nil
        })
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

    @Test func writesOutsideTheWriteListCreateNothing() throws {
        let t = Tree()
        let created = try t.probe("open", t.root + "/other/new.txt", "c")
        #expect(created.stdout == "err EACCES\n")
        #expect(!FileManager.default.fileExists(atPath: t.root + "/other/new.txt"))
        let truncated = try t.probe("open", t.root + "/other/secret.txt", "c")
        #expect(truncated.stdout == "err EACCES\n")
        #expect(try String(contentsOfFile: t.root + "/other/secret.txt", encoding: .utf8) == "SECRET\n")
        let unlinked = try t.probe("unlink", t.root + "/other/secret.txt")
        #expect(unlinked.stdout == "err EACCES\n")
        #expect(FileManager.default.fileExists(atPath: t.root + "/other/secret.txt"))
        let dir = try t.probe("mkdir", t.root + "/other/d")
        #expect(dir.stdout == "err EACCES\n")
        #expect(!FileManager.default.fileExists(atPath: t.root + "/other/d"))
        let outsideWrite = try t.probe("open", "/etc/hostname", "w")
        #expect(outsideWrite.stdout == "err EACCES\n")
        #expect(outsideWrite.violations("file").first?["rule"]?.stringValue == "files.write")
        let viaLink = try t.probe("open", t.root + "/allowed/link.txt", "c")
        #expect(viaLink.stdout == "err EACCES\n")
        // Allowed writes work, with the caller's own umask and ownership.
        let ok = try t.probe("open", t.root + "/allowed/new.txt", "c")
        #expect(ok.stdout == "ok \n")
        #expect(FileManager.default.fileExists(atPath: t.root + "/allowed/new.txt"))
        let renamed = try t.probe("rename", t.root + "/allowed/new.txt", t.root + "/other/moved.txt")
        #expect(renamed.stdout == "err EACCES\n")
    }

    @Test func racingThreadNeverUnlinksTheDeniedFile() throws {
        let t = Tree()
        let r = try t.probe("race-unlink", t.root + "/allowed/victim.txt", t.root + "/other/secret.txt", "3000")
        #expect(r.stdout.contains("denied_survived=1"), "\(r.stdout)")
        #expect(FileManager.default.fileExists(atPath: t.root + "/other/secret.txt"))
    }

    @Test func emulatedPathOperationsBehaveLikeTheKernel() throws {
        let t = Tree()
        let a = t.root + "/allowed"
        #expect(try t.probe("mkdir", a + "/d").stdout == "ok\n")
        #expect(try t.probe("mkdir", a + "/d").stdout == "err EEXIST\n")
        var isDir: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: a + "/d", isDirectory: &isDir) && isDir.boolValue)
        #expect(try t.probe("symlink", "pub.txt", a + "/s").stdout == "ok\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: a + "/s") == "pub.txt")
        #expect(try t.probe("link", a + "/pub.txt", a + "/hard").stdout == "ok\n")
        #expect(try t.probe("rename", a + "/hard", a + "/d/moved").stdout == "ok\n")
        #expect(FileManager.default.fileExists(atPath: a + "/d/moved"))
        #expect(try t.probe("chmod", a + "/pub.txt", "600").stdout == "ok\n")
        let mode = try FileManager.default.attributesOfItem(atPath: a + "/pub.txt")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try t.probe("truncate", a + "/d/moved", "2").stdout == "ok\n")
        #expect(try String(contentsOfFile: a + "/pub.txt", encoding: .utf8) == "pu")  // a hard link: same inode
        #expect(try t.probe("unlink", a + "/d/moved").stdout == "ok\n")
        #expect(try t.probe("unlink", a + "/nope").stdout == "err ENOENT\n")
        // A hard link of a denied file into the writable tree is refused: both names need write.
        #expect(try t.probe("link", t.root + "/other/secret.txt", a + "/stolen").stdout == "err EACCES\n")
        #expect(try t.probe("chmod", t.root + "/allowed/link.txt", "777").stdout == "err EACCES\n")
    }

    /// Python that prints "NAME ok" or "NAME err ERRNO" for each attempted call; `c(rc)`
    /// turns a libc return code into an OSError.
    static let attemptPrelude = """
        import ctypes, fcntl, os, struct, sys
        libc = ctypes.CDLL(None, use_errno=True)
        def attempt(name, call):
            try:
                call(); print(name, "ok")
            except OSError as e:
                print(name, "err", e.errno)
        def c(rc):
            if rc != 0: raise OSError(ctypes.get_errno(), "")

        """

    /// An unnamed O_TMPFILE file made in the writable tree cannot be given a name in a denied
    /// one, by AT_EMPTY_PATH or through its /proc/self/fd link; nor can one be made there.
    @Test func tmpfileCannotBeLinkedIntoADeniedTree() throws {
        let t = Tree()
        let script = Self.attemptPrelude + """
            root = sys.argv[1]
            fd = os.open(root + "/allowed", os.O_TMPFILE | os.O_WRONLY, 0o600)
            os.write(fd, b"smuggled")
            attempt("linkat-empty", lambda: c(libc.linkat(fd, b"", -100, (root + "/other/t1").encode(), 0x1000)))
            proc = ("/proc/self/fd/%d" % fd).encode()
            attempt("linkat-proc", lambda: c(libc.linkat(-100, proc, -100, (root + "/other/t2").encode(), 0x400)))
            attempt("tmpfile-in-denied", lambda: os.open(root + "/other", os.O_TMPFILE | os.O_WRONLY, 0o600))
            # Into the writable tree both forms work (Linux 6.10+ lets the file's opener
            # link it with AT_EMPTY_PATH without CAP_DAC_READ_SEARCH).
            attempt("linkat-proc-allowed", lambda: c(libc.linkat(-100, proc, -100, (root + "/allowed/t3").encode(), 0x400)))
            attempt("linkat-empty-allowed", lambda: c(libc.linkat(fd, b"", -100, (root + "/allowed/t4").encode(), 0x1000)))
            """
        let r = try Harness.run(["run", "-p", t.policy, "--", "python3", "-c", script, t.root])
        #expect(r.stdout == """
            linkat-empty err 13
            linkat-proc err 13
            tmpfile-in-denied err 13
            linkat-proc-allowed ok
            linkat-empty-allowed ok

            """, "\(r.stdout) \(r.stderr)")
        #expect(try String(contentsOfFile: t.root + "/allowed/t3", encoding: .utf8) == "smuggled")
        #expect(try FileManager.default.contentsOfDirectory(atPath: t.root + "/other") == ["secret.txt"])
    }

    /// Mode and owner changes through an open file (fchmod, fchown, and fchmodat2/fchownat
    /// on "" with AT_EMPTY_PATH) need `write` like chmod and chown: a file the policy lets
    /// the program read stays as it was; one it may write changes; a pipe has no path.
    @Test func descriptorModeAndOwnerChangesNeedWrite() throws {
        let root = Harness.tempDir()
        try FileManager.default.createDirectory(atPath: root + "/w", withIntermediateDirectories: true)
        Harness.write("read only\n", to: root + "/ro.txt")
        Harness.write("writable\n", to: root + "/w/f.txt")
        chmod(root + "/ro.txt", 0o644)
        let policy = root + "/policy.json"
        Harness.write(#"{"version": 1, "defaults": {"files": {"read": ["/**"], "write": ["\#(root)/w/**", "/dev/null"]}}}"#,
                      to: policy)
        let script = Self.attemptPrelude + """
            for path in sys.argv[1:]:
                fd = os.open(path, os.O_RDONLY)
                attempt("fchmod", lambda: os.fchmod(fd, 0o600))
                attempt("fchown", lambda: os.fchown(fd, 1, 1))
                attempt("fchmodat2", lambda: c(libc.syscall(452, fd, b"", 0o640, 0x1000)))
                attempt("fchownat", lambda: c(libc.fchownat(fd, b"", 2, 2, 0x1000)))
            r, w = os.pipe()
            attempt("pipe", lambda: os.fchmod(r, 0o600))
            """
        let r = try Harness.run(["run", "-p", policy, "--", "python3", "-c", script, root + "/ro.txt", root + "/w/f.txt"])
        #expect(r.stdout == """
            fchmod err 13
            fchown err 13
            fchmodat2 err 13
            fchownat err 13
            fchmod ok
            fchown ok
            fchmodat2 ok
            fchownat ok
            pipe ok

            """, "\(r.stdout) \(r.stderr)")
        var st = stat()
        stat(root + "/ro.txt", &st)
        #expect(st.st_mode & 0o777 == 0o644 && st.st_uid == 0 && st.st_gid == 0)
        stat(root + "/w/f.txt", &st)
        #expect(st.st_mode & 0o777 == 0o640 && st.st_uid == 2 && st.st_gid == 2)
        let refused = r.violations("file").filter { $0["path"]?.stringValue == root + "/ro.txt" }
        #expect(Set(refused.compactMap { $0["syscall"]?.stringValue }) == ["fchmod", "fchown", "fchmodat2", "fchownat"])
    }

    /// Extended attributes and timestamps change a file as chmod does: every form (path,
    /// no-follow, descriptor, AT_EMPTY_PATH, the old utimes/utime/futimesat) needs `write`;
    /// a symlink in the writable tree does not carry the change to a read-only target.
    @Test func attributesAndTimesNeedWrite() throws {
        let root = Harness.tempDir()
        try FileManager.default.createDirectory(atPath: root + "/w", withIntermediateDirectories: true)
        Harness.write("read only\n", to: root + "/ro.txt")
        Harness.write("writable\n", to: root + "/w/f.txt")
        try FileManager.default.createSymbolicLink(atPath: root + "/w/link", withDestinationPath: "../ro.txt")
        let setUp = "import os, sys\nfor p in sys.argv[1:]:\n    os.setxattr(p, 'user.pre', b'1'); os.setxattr(p, 'user.pre2', b'1'); os.utime(p, (500, 500))"
        _ = try Harness.exec("/usr/bin/env", ["python3", "-c", setUp, root + "/ro.txt", root + "/w/f.txt"])
        let policy = root + "/policy.json"
        Harness.write(#"{"version": 1, "defaults": {"files": {"read": ["/**"], "write": ["\#(root)/w/**", "/dev/null"]}}}"#,
                      to: policy)
        let script = Self.attemptPrelude + """
            for path in sys.argv[1:3]:
                fd = os.open(path, os.O_RDONLY)
                p = path.encode()
                attempt("setxattr", lambda: os.setxattr(path, "user.t", b"v"))
                attempt("removexattr", lambda: os.removexattr(path, "user.pre"))
                attempt("fsetxattr", lambda: os.setxattr(fd, "user.f", b"v"))
                attempt("fremovexattr", lambda: os.removexattr(fd, "user.pre2"))
                attempt("utimensat", lambda: os.utime(path, (1000, 1000)))
                attempt("futimens", lambda: os.utime(fd, (1000, 1000)))
                attempt("utimensat-empty", lambda: c(libc.syscall(280, fd, b"", None, 0x1000)))
                attempt("utimes", lambda: c(libc.syscall(235, p, None)))
                attempt("utime", lambda: c(libc.syscall(132, p, None)))
                attempt("futimesat", lambda: c(libc.syscall(261, -100, p, None)))
                flags = struct.unpack("i", fcntl.ioctl(fd, 0x80086601, b"\\0" * 4))[0]  # FS_IOC_GETFLAGS
                attempt("setflags", lambda: fcntl.ioctl(fd, 0x40086602, struct.pack("i", flags | 0x40)))  # nodump
                # The command is an unsigned int to the kernel: upper bits set do not hide it.
                value = ctypes.c_int(flags | 0x40)
                attempt("setflags-high", lambda: c(libc.syscall(16, fd, ctypes.c_ulong((1 << 32) | 0x40086602), ctypes.byref(value))))
                xattr = fcntl.ioctl(fd, 0x801C581F, b"\\0" * 28)  # FS_IOC_FSGETXATTR
                attempt("fssetxattr", lambda: fcntl.ioctl(fd, 0x401C5820, xattr))
            link = sys.argv[3]
            attempt("setxattr-link", lambda: os.setxattr(link, "user.t", b"v"))
            attempt("lsetxattr-link", lambda: os.setxattr(link, "user.t", b"v", follow_symlinks=False))
            attempt("utime-link", lambda: os.utime(link, (1000, 1000)))
            attempt("lutime-link", lambda: os.utime(link, (1000, 1000), follow_symlinks=False))
            ro = sys.argv[1].encode()  # calls newer than the filter library: not supported
            attempt("setxattrat", lambda: c(libc.syscall(463, -100, ro, 0, b"user.x", None, 0)))
            attempt("removexattrat", lambda: c(libc.syscall(466, -100, ro, 0, b"user.pre")))
            """
        let r = try Harness.run(["run", "-p", policy, "--", "python3", "-c", script, root + "/ro.txt", root + "/w/f.txt", root + "/w/link"])
        let names = ["setxattr", "removexattr", "fsetxattr", "fremovexattr", "utimensat", "futimens", "utimensat-empty", "utimes", "utime", "futimesat",
                     "setflags", "setflags-high", "fssetxattr"]
        let expected = names.map { "\($0) err 13\n" }.joined() + names.map { "\($0) ok\n" }.joined()
            + "setxattr-link err 13\nlsetxattr-link err 1\nutime-link err 13\nlutime-link ok\n"
            + "setxattrat err 38\nremovexattrat err 38\n"
        #expect(r.stdout == expected, "\(r.stdout) \(r.stderr)")
        // Nothing about the read-only file changed; everything about the writable one did.
        let check = """
            import fcntl, os, struct, sys
            for p in sys.argv[1:]:
                fd = os.open(p, os.O_RDONLY)
                nodump = struct.unpack("i", fcntl.ioctl(fd, 0x80086601, b"\\0" * 4))[0] & 0x40 != 0
                print(sorted(os.listxattr(p)), int(os.stat(p).st_mtime) == 500, nodump)
            """
        let after = try Harness.exec("/usr/bin/env", ["python3", "-c", check, root + "/ro.txt", root + "/w/f.txt"])
        #expect(after.1 == "['user.pre', 'user.pre2'] True False\n['user.f', 'user.t'] False True\n", "\(after.1) \(after.2)")
        let refused = r.violations("file").filter { $0["path"]?.stringValue == root + "/ro.txt" }
        #expect(Set(refused.compactMap { $0["syscall"]?.stringValue })
            == ["setxattr", "removexattr", "fsetxattr", "fremovexattr", "utimensat", "utimes", "utime", "futimesat", "ioctl"])
    }

    @Test func unlistedExecAndMemfdExecAreDenied() throws {
        let t = Tree()
        let unlisted = try t.probe("exec", "/usr/sbin/nologin")
        #expect(unlisted.stdout == "err EACCES\n")
        #expect(unlisted.violations("exec").first?["rule"]?.stringValue == "files.exec")
        let memfd = try t.probe("memfd-exec")
        #expect(memfd.stdout == "err EACCES\n")
        let v = try #require(memfd.violations("exec").first)
        #expect(v["path"]?.stringValue?.hasPrefix("/memfd:") == true)
        let allowed = try t.probe("exec", "/bin/echo", "ran")
        #expect(allowed.stdout == "ran\n")
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
        let counts = UnixSocketTests.counts(r.stdout)
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

    /// From the adversarial review: ways around the supervisor that must stay closed.
    @Test func i386EntryCannotReachFilesOrNetworkUnchecked() throws {
        let t = Tree()
        let open = try t.probe("int80-open", t.root + "/other/secret.txt")
        #expect(open.stdout.hasPrefix("err "), "\(open.stdout)")
        #expect(!open.stdout.contains("SECRET"))
        #expect(open.violations("syscall").first?["arch"]?.stringValue == "i386")
        #expect(open.violations("syscall").first?["rule"]?.stringValue == "syscalls.foreign-entry")
        let connect = try t.probe("int80-connect", "169.254.169.254", "80")
        #expect(connect.stdout.hasPrefix("err "), "\(connect.stdout)")
        #expect(connect.violations("syscall").first?["syscall"]?.stringValue == "socketcall")
    }

    /// x32 opens go the way of i386 ones: refused as a foreign entry, never unchecked.
    @Test func x32EntryCannotReachFilesUnchecked() throws {
        let t = Tree()
        let open = try t.probe("syscall", "\(0x4000_0000 + 2)")  // x32 open(NULL): refused before the kernel sees it
        #expect(open.stdout == "err EPERM\n", "\(open.stdout)")
        let v = try #require(open.violations("syscall").first)
        #expect(v["arch"]?.stringValue == "x32")
        #expect(v["rule"]?.stringValue == "syscalls.foreign-entry")
    }

    /// Under a files or network policy, every way around the supervisor is refused and
    /// reported as such, whether or not the policy has a `syscalls` section.
    @Test(arguments: [
        ("pidfd_getfd", 438), ("process_vm_readv", 310), ("process_vm_writev", 311), ("name_to_handle_at", 303),
        ("open_by_handle_at", 304), ("io_uring_setup", 425), ("ptrace", 101), ("kcmp", 312), ("open_tree", 428),
        ("fsopen", 430), ("move_mount", 429), ("userfaultfd", 323), ("bpf", 321), ("mount", 165), ("setns", 308),
    ])
    func supervisionEscapesAreRefused(name: String, nr: Int) throws {
        let t = Tree()
        let r = try t.probe("syscall", "\(nr)")
        #expect(r.stdout == "err EPERM\n", "\(name): \(r.stdout) \(r.stderr)")
        let v = try #require(r.violations("syscall").first, "\(name) not reported")
        #expect(v["syscall"]?.stringValue == name)
        #expect(v["rule"]?.stringValue == "syscalls.supervision")
        #expect(v["action"]?.stringValue == "denied")
        #expect(v["severity"]?.stringValue == "high")
    }

    @Test func racingThreadCannotSwapTheExecutedProgram() throws {
        // The path flips between an allowed program (/bin/true) and an unlisted one
        // (/usr/sbin/nologin, which prints its refusal) while 200 children exec it. Whatever
        // the check saw, the program that actually runs is confirmed and killed on mismatch.
        let t = Tree()
        let r = try t.probe("race-exec", "/bin/true", "/usr/sbin/nologin", "200")
        #expect(r.stdout == "ok rounds=200\n", "\(r.stdout)")
        #expect(!r.stdout.contains("not available") && !r.stderr.contains("not available"))
        #expect(!r.violations("exec").isEmpty)
    }

    /// The same race against a program that makes no supervised call at all: a static
    /// binary that writes to the stdout it inherited and exits. Confirming at the next
    /// supervised call would never catch it; the exec is confirmed at its exec stop, before
    /// the new program's first instruction.
    @Test func racingThreadCannotSwapInAProgramThatNeverCallsBack() throws {
        let t = Tree()
        let payload = t.root + "/other/static-payload"
        try Self.staticWriteAndExit("PWNED\n").write(to: URL(fileURLWithPath: payload))
        chmod(payload, 0o755)
        let r = try t.probe("race-exec", "/bin/true", payload, "300")
        #expect(r.stdout == "ok rounds=300\n", "\(r.stdout)")
        #expect(!r.violations("exec").isEmpty)
    }

    /// Execs let run under trace end as the kernel says: one that fails returns its error and
    /// the program goes on; one made by a second thread (the kernel gives it the process id)
    /// and a script with an allowed interpreter run.
    @Test func tracedExecsEndAsTheKernelSays() throws {
        let root = Harness.tempDir()
        try FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
        Harness.write("not a program\n", to: root + "/bin/plain")
        Harness.write("#!/bin/sh\necho script ran\n", to: root + "/bin/script")
        chmod(root + "/bin/script", 0o755)
        Harness.write("""
            {"version": 1, "defaults": {"files": {"read": ["/**"], "write": ["/dev/null"],
              "exec": ["\(root)/bin/*", "\(Harness.products)/**", "/usr/bin/*", "/bin/*", "/root/.pyenv/**"]}}}
            """, to: root + "/policy.json")
        func run(_ args: String...) throws -> Harness.Result {
            try Harness.run(["run", "-p", root + "/policy.json", "--"] + args)
        }
        let plain = try run(Harness.probe, "exec", root + "/bin/plain")
        #expect(plain.stdout == "err EACCES\n", "\(plain.stdout) \(plain.stderr)")
        let script = try run(Harness.probe, "exec", root + "/bin/script")
        #expect(script.status == 0 && script.stdout == "script ran\n", "\(script.stdout) \(script.stderr)")
        let threaded = try run(
            "python3", "-c", "import os, threading; t = threading.Thread(target=lambda: os.execv('/bin/echo', ['echo', 'from a thread'])); t.start(); t.join()")
        #expect(threaded.status == 0 && threaded.stdout == "from a thread\n", "\(threaded.stdout) \(threaded.stderr)")
        for r in [plain, script, threaded] {
            #expect(r.reports.allSatisfy { $0["event"]?.stringValue != "violation" }, "\(r.reports)")
        }
    }

    /// A minimal x86-64 ELF executable: write(1, message), exit(0); no libc, no loader.
    static func staticWriteAndExit(_ message: String) -> Data {
        let text = Array(message.utf8)
        var code: [UInt8] = [0xB8, 1, 0, 0, 0, 0xBF, 1, 0, 0, 0]  // mov eax, 1 (write); mov edi, 1
        code += [0x48, 0x8D, 0x35, 16, 0, 0, 0]  // lea rsi, [rip + 16] (the message, after the code)
        code += [0xBA, UInt8(text.count), 0, 0, 0, 0x0F, 0x05]  // mov edx, len; syscall
        code += [0xB8, 60, 0, 0, 0, 0x31, 0xFF, 0x0F, 0x05]  // mov eax, 60 (exit); xor edi, edi; syscall
        func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        let base: UInt64 = 0x40_0000, headers: UInt64 = 64 + 56
        let size = headers + UInt64(code.count + text.count)
        var elf: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        elf += le(2, 2) + le(0x3E, 2) + le(1, 4) + le(base + headers, 8) + le(64, 8) + le(0, 8)
        elf += le(0, 4) + le(64, 2) + le(56, 2) + le(1, 2) + le(0, 2) + le(0, 2) + le(0, 2)
        elf += le(1, 4) + le(5, 4) + le(0, 8) + le(base, 8) + le(base, 8) + le(size, 8) + le(size, 8) + le(0x1000, 8)
        return Data(elf + code + text)
    }

    @Test func otherAddressFamiliesAndNewerPathCallsAreChecked() throws {
        let t = Tree()
        let packet = try t.probe("sendto-family", "17")  // AF_PACKET
        #expect(packet.stdout == "err EACCES\n")
        #expect(packet.violations("network").first?["address"]?.stringValue == "family:17")
        let chmod2 = try t.probe("fchmodat2", t.root + "/other/secret.txt", "777")
        #expect(chmod2.stdout == "err EACCES\n")
        #expect(chmod2.violations("file").first?["syscall"]?.stringValue == "fchmodat2")
    }

    @Test func supervisionCannotBeTakenApart() throws {
        let t = Tree()
        // The capabilities that would step around the supervisor are gone.
        try Self.expectNoDangerousCapabilities(t)
        // The guard's listener cannot be copied out, and its fds cannot be walked into.
        #expect(try t.probe("getfd-parent", "3").stdout.hasPrefix("err "))
        for fd in ["0", "3", "6"] {
            let r = try t.probe("open-parent-fd", fd)
            #expect(r.stdout.hasPrefix("err "), "fd \(fd): \(r.stdout)")
        }
        #expect(try t.probe("unshare").stdout == "err EPERM\n")
    }

    @Test func auditModeReportsEveryViolationAndBlocksNone() throws {
        let t = Tree(mode: "audit")
        let r = try t.probe("open", t.root + "/other/secret.txt")
        #expect(r.stdout == "ok SECRET\n")
        #expect(r.violations("file").first?["action"]?.stringValue == "audited")
        let c = try t.probe("connect", "169.254.169.254", "80")
        #expect(c.violations("network").first?["action"]?.stringValue == "audited")
    }

    @Test func killActionKillsTheProcess() throws {
        let t = Tree(filesAction: "kill")
        let r = try t.probe("open", t.root + "/other/secret.txt")
        #expect(r.status == 137)
        #expect(r.stdout.isEmpty)
        #expect(r.violations("file").first?["action"]?.stringValue == "killed")
    }

    @Test func python3RunsNormallyAndGetsPermissionError() throws {
        let t = Tree()
        let script = """
            import json, hashlib
            print(json.dumps({"h": hashlib.sha256(b"x").hexdigest()[:8]}))
            print(open("\(t.root)/allowed/pub.txt").read().strip())
            try:
                open("\(t.root)/other/secret.txt").read()
                print("LEAK")
            except PermissionError as e:
                print("PermissionError", e.errno)
            """
        let r = try Harness.run(["run", "-p", t.policy, "--", "/usr/bin/env", "python3", "-c", script], cwd: t.root + "/allowed")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "{\"h\": \"2d711642\"}\npublic\nPermissionError 13\n", "\(r.stdout) \(r.stderr)")
        let paths = r.violations("file").compactMap { $0["path"]?.stringValue }
        #expect(paths.count == 1, "\(paths)")
    }
}
