import Foundation
import GuardJSON
import Testing

/// Runs the built `guard` binary and the C probe as real processes.
enum Harness {
    /// The products folder: the test bundle sits beside the executables.
    static let products: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("guard").path), dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.path
    }()
    static let guardPath = products + "/guard"
    static let probe = products + "/GuardProbe"
    /// glibc's name service asks nscd first: bash does it at start when USER or HOME is
    /// unset (as in CI), so a policy that lists connects must let it through or see it
    /// reported. Tests that expect an exact set of network violations allow it.
    static let nscd = "unix:/var/run/nscd/socket"

    /// The `name=number` fields of a probe's output line.
    static func counts(_ text: String) -> [String: Int] {
        var out: [String: Int] = [:]
        for part in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let kv = part.split(separator: "=")
            if kv.count == 2, let v = Int(kv[1]) { out[String(kv[0])] = v }
        }
        return out
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

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var reports: [JSONValue]

        func violations(_ category: String? = nil) -> [JSONValue] {
            reports.filter { $0["event"]?.stringValue == "violation" && (category == nil || $0["category"]?.stringValue == category) }
        }
    }

    /// `guard ARGS`, with reports written to a file and parsed (every line must be JSON).
    static func run(_ args: [String], cwd: String? = nil, stdin: String? = nil, timeout: Double = 60) throws -> Result {
        let reportFile = NSTemporaryDirectory() + "guard-report-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: reportFile) }
        var full = args
        if let i = full.firstIndex(where: { ["run", "profile", "bootstrap"].contains($0) }), !args.contains("--report") {
            full.insert(contentsOf: ["--report", reportFile], at: i + 1)
        }
        let (status, out, err) = try exec(guardPath, full, cwd: cwd, stdin: stdin, timeout: timeout)
        var reports: [JSONValue] = []
        if let text = try? String(contentsOfFile: reportFile, encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let value = try JSONValue.parse(String(line))
                reports.append(value)
            }
        }
        return Result(status: status, stdout: out, stderr: err, reports: reports)
    }

    static func exec(_ path: String, _ args: [String], cwd: String? = nil, stdin: String? = nil, env: [String: String]? = nil,
                     timeout: Double = 60) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        if let env { p.environment = env }
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        // Read while waiting so a chatty child never blocks on a full pipe.
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        while p.isRunning && Date() < deadline { usleep(2000) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            Issue.record("timed out: \(path) \(args)")
        }
        p.waitUntilExit()
        group.wait()
        return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// A fresh directory for one test.
    /// A loopback TCP and UDP port, and the one after it, free right now and below the
    /// kernel's ephemeral range (32768-60999), so no outgoing connection of another test
    /// can be handed it meanwhile (a random port in that range once collided in CI).
    static func freePortPair() -> Int {
        for _ in 0..<200 {
            let port = 20_000 + Int.random(in: 0..<6_000) * 2
            if [port, port + 1].allSatisfy({ p in [SOCK_STREAM, SOCK_DGRAM].allSatisfy { isFree(p, type: $0) } }) { return port }
        }
        return 20_000
    }

    private static func isFree(_ port: Int, type: __socket_type) -> Bool {
        let fd = socket(AF_INET, Int32(type.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = UInt16(port).bigEndian
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    static func tempDir() -> String {
        let dir = NSTemporaryDirectory() + "guard-e2e-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func write(_ text: String, to path: String) {
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }
}
