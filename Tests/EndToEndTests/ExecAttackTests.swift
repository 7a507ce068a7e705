import Foundation
import GuardJSON
import Testing

/// Exec attacks (issue 3): unlisted and fileless execs, and a racing thread that swaps the
/// program between the check and the kernel's own read of the path.
@Suite struct ExecAttackTests {
    typealias Tree = SupervisorAttackTests.Tree

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

    @Test func racingThreadCannotSwapTheExecutedProgram() throws {
        // The path flips between an allowed program (/bin/true) and an unlisted one
        // (/usr/sbin/nologin, which prints its refusal) while 200 children exec it. Whatever
        // the check saw, the program that actually runs is confirmed and killed on mismatch.
        let t = Tree()
        let r = try t.probe("race-exec", "/bin/true", "/usr/sbin/nologin", "200")
        #expect(r.stdout.hasPrefix("ok rounds=200 killed="), "\(r.stdout)")
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
        // Nothing the payload prints gets out, and the swaps that won the race were killed.
        #expect(r.stdout.hasPrefix("ok rounds=300 killed="), "\(r.stdout)")
        #expect((Harness.counts(r.stdout)["killed"] ?? 0) >= 1, "no swap ever won the race: \(r.stdout)")
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
}
