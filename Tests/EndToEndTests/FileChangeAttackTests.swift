import Foundation
import GuardJSON
import Testing

/// Changes to a file other than its contents (mode, owner, extended attributes, times, inode
/// flags, a name for an unnamed file) need `write` in every form the kernel offers.
@Suite struct FileChangeAttackTests {
    typealias Tree = SupervisorAttackTests.Tree

    /// An unnamed O_TMPFILE file made in the writable tree cannot be given a name in a denied
    /// one, by AT_EMPTY_PATH or through its /proc/self/fd link; nor can one be made there.
    @Test func tmpfileCannotBeLinkedIntoADeniedTree() throws {
        let t = Tree()
        let script = Harness.attemptPrelude + """
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
        let script = Harness.attemptPrelude + """
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
        let setUp = "import os, sys\nfor p in sys.argv[1:]:\n    os.setxattr(p, 'user.pre', b'1'); os.setxattr(p, 'user.pre2', b'1'); os.setxattr(p, 'user.pre3', b'1'); os.utime(p, (500, 500))"
        _ = try Harness.exec("/usr/bin/env", ["python3", "-c", setUp, root + "/ro.txt", root + "/w/f.txt"])
        let policy = root + "/policy.json"
        Harness.write(#"{"version": 1, "defaults": {"files": {"read": ["/**"], "write": ["\#(root)/w/**", "/dev/null"]}}}"#,
                      to: policy)
        let script = Harness.attemptPrelude + """
            for path in sys.argv[1:3]:
                fd = os.open(path, os.O_RDONLY)
                p = path.encode()
                attempt("setxattr", lambda: os.setxattr(path, "user.t", b"v"))
                attempt("removexattr", lambda: os.removexattr(path, "user.pre"))
                attempt("fsetxattr", lambda: os.setxattr(fd, "user.f", b"v"))
                attempt("fremovexattr", lambda: os.removexattr(fd, "user.pre2"))
                attempt("lsetxattr", lambda: os.setxattr(path, "user.l", b"v", follow_symlinks=False))
                attempt("lremovexattr", lambda: os.removexattr(path, "user.pre3", follow_symlinks=False))
                attempt("lutimensat", lambda: os.utime(path, (1000, 1000), follow_symlinks=False))
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
            attempt("open_tree_attr", lambda: c(libc.syscall(467, -100, ro, 0, None, 0)))
            attempt("file_setattr", lambda: c(libc.syscall(469, -100, ro, None, 0, 0)))
            """
        let r = try Harness.run(["run", "-p", policy, "--", "python3", "-c", script, root + "/ro.txt", root + "/w/f.txt", root + "/w/link"])
        let names = ["setxattr", "removexattr", "fsetxattr", "fremovexattr", "lsetxattr", "lremovexattr", "lutimensat", "utimensat", "futimens", "utimensat-empty", "utimes", "utime", "futimesat",
                     "setflags", "setflags-high", "fssetxattr"]
        let expected = names.map { "\($0) err 13\n" }.joined() + names.map { "\($0) ok\n" }.joined()
            + "setxattr-link err 13\nlsetxattr-link err 1\nutime-link err 13\nlutime-link ok\n"
            + "setxattrat err 38\nremovexattrat err 38\nopen_tree_attr err 38\nfile_setattr err 38\n"
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
        #expect(after.1 == "['user.pre', 'user.pre2', 'user.pre3'] True False\n['user.f', 'user.l', 'user.t'] False True\n", "\(after.1) \(after.2)")
        let refused = r.violations("file").filter { $0["path"]?.stringValue == root + "/ro.txt" }
        #expect(Set(refused.compactMap { $0["syscall"]?.stringValue })
            == ["setxattr", "removexattr", "fsetxattr", "fremovexattr", "lsetxattr", "lremovexattr", "utimensat", "utimes", "utime",
                "futimesat", "ioctl"])
    }
}
