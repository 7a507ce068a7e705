import Foundation
import GuardRuntimeAPI
import Testing

/// The fixtures next to this file: the fake Runtime API, the handlers, the raw client.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path
    static func path(_ name: String) -> String { "\(directory)/\(name)" }
}

/// Polls `condition` every 20 ms until it holds or `seconds` pass.
func waitUntil(_ seconds: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return try condition()
}

/// A scratch directory removed at the end of the test.
final class Scratch {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "guard-rtapi-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { "\(path)/\(name)" }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A child process killed (SIGKILL) when the owner lets go of it.
final class Child {
    let process = Process()
    let output = Pipe()
    init(_ arguments: [String], environment: [String: String] = [:], stdout: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONUNBUFFERED"] = "1"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if stdout { process.standardOutput = output }
        try process.run()
    }
    /// The first line of stdout (blocks until it comes or the child exits).
    func firstLine() -> String {
        var bytes: [UInt8] = []
        while true {
            let d = output.fileHandleForReading.readData(ofLength: 1)
            if d.isEmpty || d.first == 0x0A { break }
            bytes.append(d.first!)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
    /// Waits for exit at most `seconds`; true if it exited.
    func wait(_ seconds: Double) -> Bool { waitUntil(seconds) { !process.isRunning } }
    func kill() {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
    deinit { kill() }
}

/// One request the fake Runtime API recorded.
struct Recorded {
    let json: [String: Any]
    var kind: String { json["kind"] as? String ?? "" }
    var id: String? { json["id"] as? String }
    var body: Data { Data(base64Encoded: json["body_b64"] as? String ?? "") ?? Data() }
    var headers: [(String, String)] { (json["headers"] as? [[String]] ?? []).map { ($0[0], $0[1]) } }
    var trailers: [(String, String)] { (json["trailers"] as? [[String]] ?? []).map { ($0[0], $0[1]) } }
    var chunks: [[Double]] { json["chunks"] as? [[Double]] ?? [] }
    func header(_ name: String) -> String? { headers.last { $0.0.lowercased() == name.lowercased() }?.1 }
}

/// The fake Runtime API (Fixtures/fake_runtime_api.py) with a scenario.
final class FakeRuntimeAPI {
    let scratch: Scratch
    let child: Child
    let port: Int
    let recordsPath: String
    var address: String { "127.0.0.1:\(port)" }

    init(_ scenario: [String: Any], port: Int = 0, scratch: Scratch = Scratch()) throws {
        self.scratch = scratch
        let scenarioPath = scratch.file("scenario-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: scenario).write(to: URL(fileURLWithPath: scenarioPath))
        recordsPath = scratch.file("records-\(UUID().uuidString).jsonl")
        _ = FileManager.default.createFile(atPath: recordsPath, contents: nil)
        child = try Child(
            [
                "python3", Fixtures.path("fake_runtime_api.py"), "--scenario", scenarioPath, "--records", recordsPath,
                "--port", String(port),
            ], stdout: true)
        let line = child.firstLine()
        guard line.hasPrefix("PORT "), let p = Int(line.dropFirst(5)) else {
            throw HarnessError("fake Runtime API did not start: '\(line)'")
        }
        self.port = p
    }

    var records: [Recorded] {
        let text = (try? String(contentsOfFile: recordsPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }.map(Recorded.init)
    }

    func records(_ kind: String) -> [Recorded] { records.filter { $0.kind == kind } }

    /// Waits until `count` records of `kind` are in.
    @discardableResult
    func waitFor(_ kind: String, count: Int = 1, seconds: Double = 20) -> [Recorded] {
        _ = waitUntil(seconds) { records(kind).count >= count }
        return records(kind)
    }

    func stop() { child.kill() }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// The real runtime client: `python3 -m awslambdaric <handler>`, talking to `api`.
func startRuntimeClient(api: String, handler: String, log: String) throws -> Child {
    try Child(
        ["python3", "-m", "awslambdaric", handler],
        environment: [
            "AWS_LAMBDA_RUNTIME_API": api, "LAMBDA_TASK_ROOT": Fixtures.directory, "_HANDLER": handler,
            "PYTHONPATH": Fixtures.directory, "HANDLER_LOG": log, "AWS_LAMBDA_FUNCTION_NAME": "guarded",
        ])
}

/// The handler's own log: one entry per invocation it saw.
func handlerLog(_ path: String) -> [[String: Any]] {
    let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    return text.split(separator: "\n").compactMap {
        (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
    }
}

/// Collects what the proxy reports, thread-safe.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [ProxyEvent] = []
    func append(_ e: ProxyEvent) { lock.withLock { events.append(e) } }
    var all: [ProxyEvent] { lock.withLock { events } }
}

/// A free TCP port on loopback (bound and released; good enough for tests).
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var a = sockaddr_in()
    a.sin_family = sa_family_t(AF_INET)
    a.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = withUnsafeMutablePointer(to: &a) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    return Int(UInt16(bigEndian: a.sin_port))
}

/// An API Gateway HTTP API (v2) event.
func apiGatewayV2Event(
    path: String, body: String, query: [String: String] = [:], id: String, method: String = "POST"
) -> String {
    let event: [String: Any] = [
        "version": "2.0", "routeKey": "$default", "rawPath": path,
        "rawQueryString": query.map { "\($0.key)=\($0.value)" }.joined(separator: "&"),
        "headers": ["content-type": "application/json", "user-agent": "curl/8.5.0", "host": "api.example.com"],
        "queryStringParameters": query,
        "requestContext": [
            "accountId": "123456789012", "apiId": "abc123", "domainName": "api.example.com",
            "http": [
                "method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7",
                "userAgent": "curl/8.5.0",
            ],
            "requestId": id, "routeKey": "$default", "stage": "$default", "time": "26/Nov/2026:15:04:05 +0000",
            "timeEpoch": 1_795_000_000_000,
        ],
        "body": body, "isBase64Encoded": false,
    ]
    let data = try! JSONSerialization.data(withJSONObject: event, options: [.sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
}
