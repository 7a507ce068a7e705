import Foundation
import GuardJSON
import Testing

/// Issue 3's attacks, each under a policy that forbids it, run by the C probe or python3.
@Suite struct SupervisorAttackTests {
    /// A sandbox tree: allowed/ (readable, writable), other/ (denied), and a policy.
    struct Tree {
        let root: String
        let policy: String

        init(filesAction: String = "deny", mode: String = "enforce") {
            root = Harness.tempDir()
            try? FileManager.default.createDirectory(atPath: root + "/allowed/sub", withIntermediateDirectories: true)
            try? FileManager.default.createDirectory(atPath: root + "/other", withIntermediateDirectories: true)
            Harness.write("public\n", to: root + "/allowed/pub.txt")
            Harness.write("SECRET\n", to: root + "/other/secret.txt")
            try? FileManager.default.createSymbolicLink(atPath: root + "/allowed/link.txt", withDestinationPath: "../other/secret.txt")
            policy = root + "/policy.json"
            Harness.write("""
                {"version": 1, "mode": "\(mode)", "defaults": {
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

    @Test func allowedFileIsRead() throws {
        let t = Tree()
        let r = try t.probe("open", t.root + "/allowed/pub.txt")
        #expect(r.stdout == "ok public\n")
        #expect(r.violations().isEmpty)
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
        let caps = try t.probe("capeff")
        let mask = try #require(UInt64(caps.stdout.dropFirst(3).trimmingCharacters(in: .whitespacesAndNewlines), radix: 16))
        for bit: UInt64 in [2, 13, 19, 21, 27] { #expect(mask & (1 << bit) == 0, "capability \(bit) kept") }
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
