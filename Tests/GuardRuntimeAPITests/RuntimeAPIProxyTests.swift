import Foundation
import GuardRuntimeAPI
import Testing

/// What the CLI does with GuardInspect, reduced to markers: one signature per attack class,
/// a verdict that names the class and never echoes the payload.
enum MarkerInspection {
    static let signatures: [(attackClass: String, marker: String)] = [
        ("sqli", "' OR '1'='1"), ("cmdi", "; cat /etc/passwd"), ("traversal", "../../../../etc/shadow"),
        ("jndi", "${jndi:ldap://"), ("xss", "<script>alert(1)</script>"), ("ssti", "{{7*7}}"),
    ]

    static func verdict(requestID: String, event: UnsafeRawBufferPointer) -> InvocationVerdict {
        for signature in signatures where contains(event, signature.marker) {
            return .block(
                errorType: "Guard.PayloadBlocked",
                message: "event blocked by guard: \(signature.attackClass) detected")
        }
        return .forward
    }

    private static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard haystack.count >= n.count else { return false }
        for i in 0...(haystack.count - n.count) where haystack[i] == n[0] {
            if (0..<n.count).allSatisfy({ haystack[i + $0] == n[$0] }) { return true }
        }
        return false
    }
}

/// Starts a proxy in this process in front of `upstream`; returns it and its address.
func startProxy(
    upstream: String, events: EventLog, configure: (inout ProxyConfiguration) -> Void = { _ in },
    inspect: @escaping RuntimeAPIProxy.Inspection = { MarkerInspection.verdict(requestID: $0, event: $1) }
) throws -> (RuntimeAPIProxy, String) {
    var configuration = ProxyConfiguration(upstream: upstream)
    configure(&configuration)
    let proxy = RuntimeAPIProxy(
        configuration: configuration,
        inspect: inspect,
        onEvent: { events.append($0) })
    let port = try proxy.start()
    return (proxy, "127.0.0.1:\(port)")
}

func benignEvent(_ id: String, path: String = "/orders", body: String = "{\"item\":\"book\",\"qty\":2}") -> [String:
    Any]
{
    ["id": id, "body": apiGatewayV2Event(path: path, body: body, query: ["page": "2"], id: id)]
}

@Suite(.serialized, .timeLimit(.minutes(1)))
struct RuntimeAPIProxyTests {
    @Test("benign API Gateway v2 events reach the handler; responses come back byte-identical to a direct run")
    func benignEventsPassThroughIntact() throws {
        let ids = (1...5).map { "benign-\($0)-\(UUID().uuidString.prefix(8))" }
        let scenario: [String: Any] = [
            "events": ids.enumerated().map { i, id in
                benignEvent(id, path: "/orders/\(i)", body: "{\"item\":\"caf\\u00e9 \(i)\",\"qty\":\(i)}")
            },
            "one_at_a_time": true,
        ]
        // Direct: the runtime client against the Runtime API, no proxy.
        let direct = try FakeRuntimeAPI(scenario)
        let directLog = direct.scratch.file("direct.log")
        let directClient = try startRuntimeClient(api: direct.address, handler: "handler_app.handler", log: directLog)
        defer { directClient.kill() }
        let directResponses = direct.waitFor("response", count: ids.count)
        #expect(directResponses.count == ids.count)

        // Through the proxy.
        let upstream = try FakeRuntimeAPI(scenario)
        let events = EventLog()
        let (proxy, address) = try startProxy(upstream: upstream.address, events: events)
        defer { proxy.stop() }
        let log = upstream.scratch.file("handler.log")
        let client = try startRuntimeClient(api: address, handler: "handler_app.handler", log: log)
        defer { client.kill() }
        let responses = upstream.waitFor("response", count: ids.count)
        try #require(responses.count == ids.count)

        let seen = handlerLog(log)
        #expect(seen.map { $0["id"] as? String } == ids)
        for id in ids {
            let viaProxy = try #require(responses.first { $0.id == id })
            let withoutProxy = try #require(directResponses.first { $0.id == id })
            let handlerSent = try #require(seen.first { $0["id"] as? String == id })
            #expect(viaProxy.body == withoutProxy.body)
            #expect(viaProxy.body == Data((handlerSent["response"] as? String ?? "").utf8))
            #expect(viaProxy.header("Content-Type") == withoutProxy.header("Content-Type"))
            #expect(handlerSent["arn"] as? String == "arn:aws:lambda:us-east-1:123456789012:function:guarded")
            #expect((handlerSent["trace"] as? String)?.hasPrefix("Root=1-5759e988") == true)
        }
        #expect(upstream.records("error").isEmpty)
        let forwarded = events.all.filter { if case .forwarded = $0 { return true } else { return false } }
        #expect(forwarded.count == ids.count)
        #expect(events.all.contains(.completed(requestID: ids[0], error: false)))
    }

    @Test("malicious events (one per class) are answered with an error upstream and never reach the handler")
    func blockedEventsNeverReachTheHandler() throws {
        let before = "ok-before-\(UUID().uuidString.prefix(8))"
        let after = "ok-after-\(UUID().uuidString.prefix(8))"
        var list: [[String: Any]] = [benignEvent(before)]
        var bad: [(id: String, attackClass: String, marker: String)] = []
        for (i, signature) in MarkerInspection.signatures.enumerated() {
            let id = "bad-\(signature.attackClass)-\(i)"
            bad.append((id, signature.attackClass, signature.marker))
            list.append(benignEvent(id, path: "/search", body: "{\"q\":\"x \(signature.marker) y\"}"))
        }
        list.append(benignEvent(after))
        let upstream = try FakeRuntimeAPI(["events": list, "one_at_a_time": true])
        let events = EventLog()
        let (proxy, address) = try startProxy(upstream: upstream.address, events: events)
        defer { proxy.stop() }
        let log = upstream.scratch.file("handler.log")
        let client = try startRuntimeClient(api: address, handler: "handler_app.handler", log: log)
        defer { client.kill() }

        let responses = upstream.waitFor("response", count: 2)
        #expect(Set(responses.compactMap(\.id)) == [before, after])
        let errors = upstream.records("error")
        #expect(errors.count == bad.count)
        for b in bad {
            let error = try #require(errors.first { $0.id == b.id })
            #expect(error.header("Lambda-Runtime-Function-Error-Type") == "Guard.PayloadBlocked")
            let body = try #require(try JSONSerialization.jsonObject(with: error.body) as? [String: Any])
            #expect(body["errorType"] as? String == "Guard.PayloadBlocked")
            #expect((body["errorMessage"] as? String)?.contains(b.attackClass) == true)
            #expect((body["stackTrace"] as? [Any])?.isEmpty == true)
            #expect(!String(decoding: error.body, as: UTF8.self).contains(b.marker))
            #expect(
                events.all.contains(
                    .blocked(
                        requestID: b.id, errorType: "Guard.PayloadBlocked",
                        message: "event blocked by guard: \(b.attackClass) detected")))
        }
        // The handler logs every invocation it sees: only the clean ones.
        #expect(handlerLog(log).compactMap { $0["id"] as? String } == [before, after])
    }

    @Test("an init failure (handler module raises at import) reaches init/error")
    func initFailureReachesInitError() throws {
        let upstream = try FakeRuntimeAPI(["events": [benignEvent("never-delivered")]])
        let events = EventLog()
        let (proxy, address) = try startProxy(upstream: upstream.address, events: events)
        defer { proxy.stop() }
        let client = try startRuntimeClient(
            api: address, handler: "broken_app.handler", log: upstream.scratch.file("handler.log"))
        defer { client.kill() }
        let initErrors = upstream.waitFor("init_error")
        let initError = try #require(initErrors.first)
        let errorType = try #require(initError.header("Lambda-Runtime-Function-Error-Type"))
        let body = try #require(try JSONSerialization.jsonObject(with: initError.body) as? [String: Any])
        #expect(body["errorType"] as? String == errorType)
        #expect(String(decoding: initError.body, as: UTF8.self).contains("cannot initialise: missing configuration"))
        #expect(client.wait(10))
        #expect(events.all.contains(.initError(errorType: errorType)))
        #expect(upstream.records("next").isEmpty)
    }

    @Test("a streamed response (chunked, trailers) passes through unchanged and unbuffered")
    func streamedResponsePassesThrough() throws {
        let id = "stream-\(UUID().uuidString.prefix(8))"
        let upstream = try FakeRuntimeAPI(["events": [benignEvent(id)]])
        let events = EventLog()
        let (proxy, address) = try startProxy(upstream: upstream.address, events: events)
        defer { proxy.stop() }
        let client = try Child(["python3", Fixtures.path("raw_client.py"), address, "stream"], stdout: true)
        let output = try JSONSerialization.jsonObject(with: Data(client.firstLine().utf8)) as? [String: Any]
        let response = try #require(upstream.records("response").first)
        #expect(response.id == id)
        #expect(response.body == Data(base64Encoded: output?["sent_b64"] as? String ?? ""))
        #expect(response.header("Lambda-Runtime-Function-Response-Mode") == "streaming")
        #expect(response.header("Content-Type") == "application/vnd.awslambda.http-integration-response")
        #expect(response.header("Transfer-Encoding") == "chunked")
        #expect(response.header("Trailer") == "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body")
        #expect(
            response.trailers.map { $0.0 } == [
                "Lambda-Runtime-Function-Error-Type", "Lambda-Runtime-Function-Error-Body",
            ])
        #expect(response.trailers.map { $0.1 } == ["Runtime.StreamTruncated", "c3RyZWFtIGVuZGVkIGVhcmx5"])
        // Six pieces sent 150 ms apart: if the proxy had buffered, they would arrive at once.
        let arrivals = response.chunks.map { $0[0] }
        #expect((arrivals.last ?? 0) - (arrivals.first ?? 0) > 0.5)
        #expect((output?["response"] as? [String: Any])?["status"] as? Int == 202)
        #expect(events.all.contains(.completed(requestID: id, error: false)))
    }

    @Test("every Runtime API header of an event reaches the client; the client's headers reach upstream")
    func headersPassThrough() throws {
        let id = "headers-\(UUID().uuidString.prefix(8))"
        let extra = [
            "Lambda-Runtime-Client-Context": "{\"client\":{\"app_title\":\"guard\"},\"custom\":{\"k\":\"v\"}}",
            "Lambda-Runtime-Cognito-Identity":
                "{\"cognitoIdentityId\":\"us-east-1:abc\",\"cognitoIdentityPoolId\":\"p\"}",
            "Lambda-Runtime-Aws-Tenant-Id": "tenant-7", "X-Amzn-Future-Header": "kept as is",
        ]
        var event = benignEvent(id)
        event["headers"] = extra
        let upstream = try FakeRuntimeAPI(["events": [event]])
        let (proxy, address) = try startProxy(upstream: upstream.address, events: EventLog())
        defer { proxy.stop() }
        let client = try Child(["python3", Fixtures.path("raw_client.py"), address, "headers"], stdout: true)
        let output = try #require(
            try JSONSerialization.jsonObject(with: Data(client.firstLine().utf8)) as? [String: Any])
        let delivered = try #require(output["event"] as? [String: Any])
        let headers = Dictionary((delivered["headers"] as? [[String]] ?? []).map { ($0[0], $0[1]) }) { $1 }
        for (name, value) in extra { #expect(headers[name] == value, "\(name)") }
        #expect(headers["Lambda-Runtime-Aws-Request-Id"] == id)
        #expect(
            headers["Lambda-Runtime-Invoked-Function-Arn"] == "arn:aws:lambda:us-east-1:123456789012:function:guarded")
        #expect(headers["Lambda-Runtime-Trace-Id"] == "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")
        #expect(headers["Lambda-Runtime-Deadline-Ms"] != nil)
        #expect(headers["Content-Type"] == "application/json")
        let body = Data(base64Encoded: delivered["body_b64"] as? String ?? "")
        #expect(body == Data((event["body"] as! String).utf8))

        let next = try #require(upstream.records("next").first)
        #expect(next.header("User-Agent") == "raw-client/1")
        let response = try #require(upstream.waitFor("response").first)
        #expect(response.header("X-Custom-Header") == "kept")
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.body == Data("{\"statusCode\":200,\"body\":\"ok\"}".utf8))
    }

    @Test("upstream resets during next: the proxy retries and the invocation is delivered")
    func upstreamResetDuringNext() throws {
        let id = "after-reset-\(UUID().uuidString.prefix(8))"
        let upstream = try FakeRuntimeAPI(["events": [benignEvent(id)], "reset_next": 3])
        let events = EventLog()
        let (proxy, address) = try startProxy(upstream: upstream.address, events: events)
        defer { proxy.stop() }
        let log = upstream.scratch.file("handler.log")
        let client = try startRuntimeClient(api: address, handler: "handler_app.handler", log: log)
        defer { client.kill() }
        let responses = upstream.waitFor("response")
        #expect(responses.map(\.id) == [id])
        #expect(upstream.records("next-reset").count == 3)
        #expect(handlerLog(log).compactMap { $0["id"] as? String } == [id])
        #expect(events.all.contains { if case .upstreamError(let m) = $0 { m.contains("retrying") } else { false } })
        #expect(client.process.isRunning)
    }

    @Test("upstream not listening yet: the client's next waits and gets the event once it is up")
    func upstreamComesUpLate() throws {
        let port = freePort()
        let events = EventLog()
        let (proxy, address) = try startProxy(upstream: "127.0.0.1:\(port)", events: events)
        defer { proxy.stop() }
        let scratch = Scratch()
        let log = scratch.file("handler.log")
        let client = try startRuntimeClient(api: address, handler: "handler_app.handler", log: log)
        defer { client.kill() }
        Thread.sleep(forTimeInterval: 1.0)
        #expect(client.process.isRunning)
        let id = "late-\(UUID().uuidString.prefix(8))"
        let upstream = try FakeRuntimeAPI(["events": [benignEvent(id)]], port: port, scratch: scratch)
        #expect(upstream.waitFor("response").map(\.id) == [id])
        #expect(handlerLog(log).compactMap { $0["id"] as? String } == [id])
        #expect(
            events.all.contains { if case .upstreamError(let m) = $0 { m.contains("reachable again") } else { false } })
    }

    @Test("a slow event is delivered whole; a stalled one is answered with an error and the next one goes on")
    func slowAndStalledEvents() throws {
        let slow = "slow-\(UUID().uuidString.prefix(8))"
        let stalled = "stalled-\(UUID().uuidString.prefix(8))"
        let after = "after-\(UUID().uuidString.prefix(8))"
        var slowEvent = benignEvent(slow)
        slowEvent["mode"] = "slow"
        slowEvent["slow_pieces"] = 8
        slowEvent["slow_delay"] = 0.15
        var stalledEvent = benignEvent(stalled)
        stalledEvent["mode"] = "stall"
        stalledEvent["stall_seconds"] = 4
        let upstream = try FakeRuntimeAPI(["events": [slowEvent, stalledEvent, benignEvent(after)]])
        let events = EventLog()
        let (proxy, address) = try startProxy(upstream: upstream.address, events: events) {
            $0.eventStallTimeoutMilliseconds = 800
        }
        defer { proxy.stop() }
        let log = upstream.scratch.file("handler.log")
        let client = try startRuntimeClient(api: address, handler: "handler_app.handler", log: log)
        defer { client.kill() }
        let responses = upstream.waitFor("response", count: 2)
        #expect(responses.map(\.id) == [slow, after])
        let error = try #require(upstream.records("error").first)
        #expect(error.id == stalled)
        #expect(error.header("Lambda-Runtime-Function-Error-Type") == "Guard.EventReadTimeout")
        #expect(handlerLog(log).compactMap { $0["id"] as? String } == [slow, after])
        #expect(
            events.all.contains { if case .rejected(stalled, "Guard.EventReadTimeout", _) = $0 { true } else { false } }
        )
    }

    @Test("events over the size limit (by length or chunked) are answered with Guard.EventTooLarge")
    func hugeEventsAreRejected() throws {
        let big = "big-\(UUID().uuidString.prefix(8))"
        let bigChunked = "bigchunked-\(UUID().uuidString.prefix(8))"
        let after = "after-\(UUID().uuidString.prefix(8))"
        let upstream = try FakeRuntimeAPI([
            "events": [
                ["id": big, "body_size": 2 << 20], ["id": bigChunked, "body_size": 300 << 10, "mode": "chunked"],
                benignEvent(after),
            ]
        ])
        let events = EventLog()
        let (proxy, address) = try startProxy(upstream: upstream.address, events: events) {
            $0.maxEventBytes = 256 << 10
        }
        defer { proxy.stop() }
        let log = upstream.scratch.file("handler.log")
        let client = try startRuntimeClient(api: address, handler: "handler_app.handler", log: log)
        defer { client.kill() }
        #expect(upstream.waitFor("response").map(\.id) == [after])
        let errors = upstream.records("error")
        #expect(Set(errors.compactMap(\.id)) == [big, bigChunked])
        for error in errors {
            #expect(error.header("Lambda-Runtime-Function-Error-Type") == "Guard.EventTooLarge")
            #expect(error.body.count < 512)
        }
        #expect(handlerLog(log).compactMap { $0["id"] as? String } == [after])
    }

    @Test("upstream dies while the client posts its response: the client gets a 502 with a JSON error")
    func upstreamFailsMidRequest() throws {
        let id = "reset-response-\(UUID().uuidString.prefix(8))"
        let upstream = try FakeRuntimeAPI(["events": [benignEvent(id)], "reset_response_for": [id]])
        let events = EventLog()
        let (proxy, address) = try startProxy(upstream: upstream.address, events: events)
        defer { proxy.stop() }
        let client = try Child(["python3", Fixtures.path("raw_client.py"), address, "post"], stdout: true)
        let output = try #require(
            try JSONSerialization.jsonObject(with: Data(client.firstLine().utf8)) as? [String: Any])
        let response = try #require(output["response"] as? [String: Any])
        #expect(response["status"] as? Int == 502)
        let body = Data(base64Encoded: response["body_b64"] as? String ?? "") ?? Data()
        let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        #expect((json["errorType"] as? String)?.hasPrefix("Guard.Upstream") == true)
        #expect(events.all.contains { if case .upstreamError = $0 { true } else { false } })
    }

    @Test("currentRequestID names the invocation in flight and clears when its response is posted")
    func currentRequestIDTracksTheInvocation() throws {
        let id = "inflight-\(UUID().uuidString.prefix(8))"
        let upstream = try FakeRuntimeAPI(["events": [benignEvent(id, path: "/sleep")]])
        let (proxy, address) = try startProxy(upstream: upstream.address, events: EventLog())
        defer { proxy.stop() }
        #expect(proxy.currentRequestID == nil)
        let log = upstream.scratch.file("handler.log")
        let client = try startRuntimeClient(api: address, handler: "handler_app.handler", log: log)
        defer { client.kill() }
        #expect(waitUntil { !handlerLog(log).isEmpty })
        #expect(proxy.currentRequestID == id)  // the handler sleeps 1 s after logging
        #expect(upstream.waitFor("response").map(\.id) == [id])
        #expect(waitUntil(5) { proxy.currentRequestID == nil })
    }

    @Test("a client that hangs up while waiting on next takes no event with it: the next client gets it")
    func clientHangsUpDuringNext() throws {
        let id = "hangup-\(UUID().uuidString.prefix(8))"
        let upstream = try FakeRuntimeAPI(["events": [benignEvent(id)], "next_delay": 0.6])
        let events = EventLog()
        let (proxy, address) = try startProxy(upstream: upstream.address, events: events)
        defer { proxy.stop() }
        let first = try Child(["python3", Fixtures.path("raw_client.py"), address, "hangup"], stdout: true)
        #expect(first.firstLine().contains("hung_up"))
        #expect(!upstream.waitFor("next-abandoned", seconds: 5).isEmpty)
        let second = try Child(["python3", Fixtures.path("raw_client.py"), address, "post"], stdout: true)
        let output = try #require(
            try JSONSerialization.jsonObject(with: Data(second.firstLine().utf8)) as? [String: Any])
        let delivered = try #require(output["event"] as? [String: Any])
        let headers = Dictionary((delivered["headers"] as? [[String]] ?? []).map { ($0[0], $0[1]) }) { $1 }
        #expect(headers["Lambda-Runtime-Aws-Request-Id"] == id)
        #expect(upstream.waitFor("response").map(\.id) == [id])
        #expect(events.all.contains { if case .clientError(let m) = $0 { m.contains("hung up") } else { false } })
    }

    @Test("the example function (Examples/lambda-python) serves its routes behind the proxy; an attack is blocked")
    func exampleFunctionBehindProxy() throws {
        let example = URL(fileURLWithPath: Fixtures.directory).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples/lambda-python").path
        let list = apiGatewayV2Event(path: "/items", body: "", query: ["q": "programmer"], id: "ex-1", method: "GET")
        let order = apiGatewayV2Event(path: "/orders", body: "{\"sku\":\"bk-002\",\"qty\":2}", id: "ex-2")
        let attack = apiGatewayV2Event(
            path: "/items", body: "", query: ["q": "x' OR '1'='1"], id: "ex-3", method: "GET")
        let upstream = try FakeRuntimeAPI([
            "events": [["id": "ex-1", "body": list], ["id": "ex-3", "body": attack], ["id": "ex-2", "body": order]],
            "one_at_a_time": true,
        ])
        let (proxy, address) = try startProxy(upstream: upstream.address, events: EventLog())
        defer { proxy.stop() }
        let client = try Child(
            ["python3", "-m", "awslambdaric", "app.handler"],
            environment: [
                "AWS_LAMBDA_RUNTIME_API": address, "LAMBDA_TASK_ROOT": example, "PYTHONPATH": example,
                "_HANDLER": "app.handler",
            ])
        defer { client.kill() }
        let responses = upstream.waitFor("response", count: 2)
        try #require(responses.count == 2)
        let items = try #require(try JSONSerialization.jsonObject(with: responses[0].body) as? [String: Any])
        #expect(items["statusCode"] as? Int == 200)
        #expect((items["body"] as? String)?.contains("bk-001") == true)
        let receipt = try #require(try JSONSerialization.jsonObject(with: responses[1].body) as? [String: Any])
        #expect(receipt["statusCode"] as? Int == 201)
        #expect((receipt["body"] as? String)?.contains("\"total\": 96") == true)
        #expect(upstream.records("error").map(\.id) == ["ex-3"])
        try? FileManager.default.removeItem(atPath: "/tmp/receipt-ex-2.json")
    }

    @Test("a 1.5 MB response from the real client passes through byte-identical")
    func largeResponsePassesThrough() throws {
        let id = "big-response-\(UUID().uuidString.prefix(8))"
        let upstream = try FakeRuntimeAPI(["events": [benignEvent(id, path: "/big")]])
        let (proxy, address) = try startProxy(upstream: upstream.address, events: EventLog())
        defer { proxy.stop() }
        let log = upstream.scratch.file("handler.log")
        let client = try startRuntimeClient(api: address, handler: "handler_app.handler", log: log)
        defer { client.kill() }
        let response = try #require(upstream.waitFor("response").first)
        let sent = try #require(handlerLog(log).compactMap { $0["big_response"] as? String }.first)
        #expect(response.body.count == sent.utf8.count)
        #expect(response.body == Data(sent.utf8))
        #expect(response.header("Content-Length") == String(sent.utf8.count))
    }

    @Test("a client that hangs up while its event is being inspected: the event waits for the next client")
    func clientHangsUpDuringInspection() throws {
        let id = "stashed-\(UUID().uuidString.prefix(8))"
        let upstream = try FakeRuntimeAPI(["events": [benignEvent(id)]])
        let events = EventLog()
        // An inspection slower than the client's patience (raw_client.py hangs up after 0.2 s).
        let (proxy, address) = try startProxy(
            upstream: upstream.address, events: events,
            inspect: { requestID, event in
                Thread.sleep(forTimeInterval: 0.6)
                return MarkerInspection.verdict(requestID: requestID, event: event)
            })
        defer { proxy.stop() }
        let first = try Child(["python3", Fixtures.path("raw_client.py"), address, "hangup"], stdout: true)
        #expect(first.firstLine().contains("hung_up"))
        #expect(
            waitUntil(5) {
                events.all.contains { if case .clientError(let m) = $0 { m.contains("kept") } else { false } }
            })
        #expect(proxy.currentRequestID == nil)
        let second = try Child(["python3", Fixtures.path("raw_client.py"), address, "post"], stdout: true)
        let output = try #require(
            try JSONSerialization.jsonObject(with: Data(second.firstLine().utf8)) as? [String: Any])
        let delivered = try #require(output["event"] as? [String: Any])
        let headers = Dictionary((delivered["headers"] as? [[String]] ?? []).map { ($0[0], $0[1]) }) { $1 }
        #expect(headers["Lambda-Runtime-Aws-Request-Id"] == id)
        #expect(upstream.waitFor("response").map(\.id) == [id])
        #expect(upstream.records("next").count == 1)
    }
}
