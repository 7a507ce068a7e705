import Glibc
import GuardJSON

/// One runtime client connection and its keep-alive upstream connection, served on one
/// thread: requests are read one at a time, `next` is inspected, everything else streams
/// through.
final class ProxySession: @unchecked Sendable {
    let proxy: RuntimeAPIProxy
    let client: HTTPStream
    private var upstream: HTTPStream? = nil
    private var config: ProxyConfiguration { proxy.configuration }

    init(proxy: RuntimeAPIProxy, client: Socket) {
        self.proxy = proxy
        self.client = HTTPStream(client, capacity: proxy.configuration.maxHeaderBytes + 1024)
    }

    func run() {
        defer {
            dropUpstream()
            proxy.release(client.socket)
        }
        while !proxy.isStopped {
            let head: HTTPHead
            do {
                guard let h = try client.readHead(limit: config.maxHeaderBytes, timeout: -1) else { return }
                head = h
            } catch {
                switch error {
                case .headTooLarge:
                    proxy.onEvent(.clientError(message: "request header section over \(config.maxHeaderBytes) bytes"))
                    try? client.socket.send(
                        Self.errorResponse(431, "Guard.HeaderTooLarge", "request header section too large"))
                case .malformed(let what):
                    proxy.onEvent(.clientError(message: "malformed request: \(what)"))
                    try? client.socket.send(Self.errorResponse(400, "Guard.BadRequest", "malformed request"))
                default: break
                }
                return
            }
            guard let framing = BodyFraming.ofRequest(head) else {
                proxy.onEvent(
                    .clientError(message: "request with an unsupported transfer coding or a bad Content-Length"))
                try? client.socket.send(Self.errorResponse(400, "Guard.BadRequest", "bad message framing"))
                return
            }
            if head.tokens("expect").contains("100-continue") {
                // Answered here; the upstream hop gets the body without the handshake.
                do { try client.socket.send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) } catch { return }
            }
            let keepGoing: Bool
            if head.method == "GET", let prefix = Self.nextPrefix(head.target) {
                keepGoing = serveNext(head, apiPrefix: prefix)
            } else {
                keepGoing = passThrough(head, framing: framing)
            }
            if !keepGoing || head.wantsClose { return }
        }
    }

    /// `/2018-06-01` for `/2018-06-01/runtime/invocation/next`, nil for other targets.
    static func nextPrefix(_ target: String) -> Substring? {
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let suffix = "/runtime/invocation/next"
        guard path.hasSuffix(suffix) else { return nil }
        return path.dropLast(suffix.count)
    }

    // MARK: Upstream connection

    private func upstreamStream() throws(SocketFailure) -> HTTPStream {
        if let u = upstream {
            if u.buffered == 0 && !u.socket.isStale() { return u }
            dropUpstream()
        }
        let socket = try Socket.connect(host: proxy.upstreamHost, port: proxy.upstreamPort)
        guard proxy.register(socket) else { throw .closed }
        let stream = HTTPStream(socket, capacity: config.maxHeaderBytes + 1024)
        upstream = stream
        return stream
    }

    private func dropUpstream() {
        if let u = upstream {
            proxy.release(u.socket)
            upstream = nil
        }
    }

    /// The head of a request for the upstream hop.
    private func upstreamHead(method: String, target: String, fields: [(name: String, value: String)]) -> HTTPHead {
        var all: [(name: String, value: String)] = [("Host", config.upstream)]
        all.append(contentsOf: fields)
        return HTTPHead(first: method, second: target, third: "HTTP/1.1", fields: all)
    }

    /// Reads a final response head (1xx interim responses are skipped).
    private func readFinalHead(_ stream: HTTPStream, timeout: Int32) throws(HTTPFailure) -> HTTPHead {
        while true {
            guard let head = try stream.readHead(limit: config.maxHeaderBytes, timeout: timeout) else {
                throw .read(.closed)
            }
            if !(100...199).contains(head.status) { return head }
        }
    }

    // MARK: next

    /// Serves one `next`: asks upstream until an event passes inspection, retrying while the
    /// upstream is unreachable, then hands it to the client. False when the client is gone.
    private func serveNext(_ request: HTTPHead, apiPrefix: Substring) -> Bool {
        var backoff = config.retryInitialMilliseconds
        var failures = 0
        while !proxy.isStopped {
            if let stashed = proxy.takeStashed() {
                return deliver(stashed, request: request)
            }
            let stream: HTTPStream
            let head: HTTPHead
            do {
                stream = try upstreamStream()
                var out: [UInt8] = []
                upstreamHead(method: "GET", target: request.target, fields: request.endToEndFields())
                    .serialize(into: &out)
                do { try stream.socket.send(out) } catch { throw HTTPFailure.write(error) }
                // No timeout: the environment may be frozen until the next invocation. But if
                // the client hangs up meanwhile, so does the proxy: an event must not be taken
                // from the Runtime API for a client that is gone.
                guard awaitUpstream(stream) else {
                    dropUpstream()
                    proxy.onEvent(.clientError(message: "runtime client hung up while waiting for invocation/next"))
                    return false
                }
                head = try readFinalHead(stream, timeout: -1)
            } catch {
                if proxy.isStopped { return false }
                dropUpstream()
                failures += 1
                // One report per outage (the first failure and every 50th), not one per retry.
                if failures == 1 || failures % 50 == 0 {
                    proxy.onEvent(
                        .upstreamError(
                            message: "invocation/next: \(Self.describe(error)); retrying (attempt \(failures))"))
                }
                sleepMilliseconds(backoff)
                backoff = min(backoff * 2, config.retryMaxMilliseconds)
                continue
            }
            if failures > 0 {
                proxy.onEvent(
                    .upstreamError(
                        message: "invocation/next: upstream reachable again after \(failures) failed attempts"))
                failures = 0
                backoff = config.retryInitialMilliseconds
            }
            guard head.status == 200 else {
                // Not an event (e.g. the Runtime API's 500 for an unrecoverable state): the
                // client decides what to do with it.
                return relayResponse(head, from: stream, method: "GET")
            }
            let requestID = head.value("lambda-runtime-aws-request-id") ?? ""
            guard let framing = BodyFraming.ofResponse(head, method: "GET") else {
                dropUpstream()
                reject(requestID, apiPrefix, "Guard.EventMalformed", "the event's framing is invalid")
                continue
            }
            if case .length(let n) = framing, n > config.maxEventBytes {
                dropUpstream()
                reject(
                    requestID, apiPrefix, "Guard.EventTooLarge",
                    "the event is \(n) bytes, over the limit of \(config.maxEventBytes)")
                continue
            }
            let body: [UInt8]
            do {
                body = try stream.readBody(
                    framing, limit: config.maxEventBytes, timeout: config.eventStallTimeoutMilliseconds)
                if framing == .untilClose || head.wantsClose { dropUpstream() }
            } catch {
                dropUpstream()
                switch error {
                case .bodyTooLarge:
                    reject(
                        requestID, apiPrefix, "Guard.EventTooLarge",
                        "the event is over the limit of \(config.maxEventBytes) bytes")
                case .read(.timedOut):
                    reject(
                        requestID, apiPrefix, "Guard.EventReadTimeout",
                        "the event's body stalled for \(config.eventStallTimeoutMilliseconds) ms")
                default:
                    reject(requestID, apiPrefix, "Guard.EventIncomplete", "the event could not be read: \(error.text)")
                }
                continue
            }
            guard Self.isSafeRequestID(requestID) else {
                proxy.onEvent(
                    .upstreamError(
                        message: "invocation/next: event without a usable Lambda-Runtime-Aws-Request-Id; dropped"))
                continue
            }
            let verdict = body.withUnsafeBytes { proxy.inspect(requestID, $0) }
            switch verdict {
            case .forward:
                return deliver(
                    DeliverableEvent(requestID: requestID, fields: head.endToEndFields(), body: body), request: request)
            case .block(let errorType, let message):
                postInvocationError(requestID, apiPrefix, errorType: errorType, message: message)
                proxy.onEvent(.blocked(requestID: requestID, errorType: errorType, message: message))
            }
        }
        return false
    }

    /// Waits until the upstream has something to read (true) or the client hung up (false).
    private func awaitUpstream(_ stream: HTTPStream) -> Bool {
        if stream.buffered > 0 { return true }
        let rdhup: Int16 = 0x2000  // POLLRDHUP, hidden behind _GNU_SOURCE in Glibc's module
        var fds = [
            pollfd(fd: stream.socket.fd, events: Int16(POLLIN), revents: 0),
            pollfd(fd: client.socket.fd, events: rdhup, revents: 0),
        ]
        while true {
            let r = poll(&fds, 2, -1)
            if r < 0 {
                if errno == EINTR { continue }
                return true  // the read that follows reports the failure
            }
            if fds[0].revents != 0 { return true }
            if fds[1].revents & (rdhup | Int16(POLLHUP) | Int16(POLLERR)) != 0 { return false }
        }
    }

    /// Whether the client has closed its side (checked without waiting).
    private func clientHungUp() -> Bool {
        let rdhup: Int16 = 0x2000  // POLLRDHUP
        var p = pollfd(fd: client.socket.fd, events: rdhup, revents: 0)
        return poll(&p, 1, 0) > 0 && p.revents & (rdhup | Int16(POLLHUP) | Int16(POLLERR)) != 0
    }

    /// Hands an event to the client. If the client is gone, the event is kept for the next
    /// `next` from any connection, so the invocation is not lost.
    private func deliver(_ event: DeliverableEvent, request: HTTPHead) -> Bool {
        var out: [UInt8] = []
        out.reserveCapacity(event.body.count + 512)
        var fields = event.fields
        fields.append(("Content-Length", String(event.body.count)))
        if request.wantsClose { fields.append(("Connection", "close")) }
        HTTPHead(first: "HTTP/1.1", second: "200", third: "OK", fields: fields).serialize(into: &out)
        out.append(contentsOf: event.body)
        proxy.setCurrent(event.requestID)
        do {
            // A send to a client that has just hung up still succeeds (the kernel buffers it),
            // so look first: a client gone now would take the event with it.
            if clientHungUp() { throw SocketFailure.closed }
            try client.socket.send(out)
        } catch {
            proxy.clearCurrent(event.requestID)
            proxy.stash(event)
            proxy.onEvent(
                .clientError(
                    message:
                        "runtime client went away before event \(event.requestID) was delivered; kept for its next request"
                ))
            return false
        }
        proxy.onEvent(.forwarded(requestID: event.requestID))
        return true
    }

    /// Answers an invocation the client will never see with an error upstream, and reports it.
    private func reject(_ requestID: String, _ apiPrefix: Substring, _ errorType: String, _ message: String) {
        guard Self.isSafeRequestID(requestID) else {
            proxy.onEvent(
                .upstreamError(message: "invocation/next: \(message), and the event has no usable request id; dropped"))
            return
        }
        postInvocationError(requestID, apiPrefix, errorType: errorType, message: message)
        proxy.onEvent(.rejected(requestID: requestID, errorType: errorType, message: message))
    }

    /// POSTs `invocation/{id}/error` upstream (a few attempts); failures are reported.
    private func postInvocationError(
        _ requestID: String, _ apiPrefix: Substring, errorType rawType: String, message rawMessage: String
    ) {
        // The caller's strings go into a header and a body the function's caller may see:
        // no control characters in the header, and nothing long enough to carry a payload.
        let errorType = String(
            String(decoding: rawType.utf8.filter { $0 >= 0x20 && $0 != 0x7F }, as: UTF8.self).prefix(128))
        let message = rawMessage.utf8.count > 1024 ? String(rawMessage.prefix(1024)) : rawMessage
        let body = Array(
            JSONValue.object([
                ("errorMessage", .string(message)), ("errorType", .string(errorType)), ("stackTrace", .array([])),
            ]).serialized().utf8)
        var out: [UInt8] = []
        upstreamHead(
            method: "POST", target: "\(apiPrefix)/runtime/invocation/\(requestID)/error",
            fields: [
                ("Lambda-Runtime-Function-Error-Type", errorType), ("Content-Type", "application/json"),
                ("Content-Length", String(body.count)),
            ]
        ).serialize(into: &out)
        out.append(contentsOf: body)
        var lastError = ""
        for attempt in 0..<3 {
            if attempt > 0 { sleepMilliseconds(config.retryInitialMilliseconds << attempt) }
            do {
                let stream = try upstreamStream()
                do { try stream.socket.send(out) } catch { throw HTTPFailure.write(error) }
                let head = try readFinalHead(stream, timeout: config.upstreamTimeoutMilliseconds)
                guard let framing = BodyFraming.ofResponse(head, method: "POST") else {
                    throw HTTPFailure.malformed("response framing")
                }
                try stream.discardBody(framing, timeout: config.upstreamTimeoutMilliseconds)
                if framing == .untilClose || head.wantsClose { dropUpstream() }
                if head.status != 202 {
                    proxy.onEvent(
                        .upstreamError(message: "invocation/\(requestID)/error: upstream answered \(head.status)"))
                }
                return
            } catch {
                dropUpstream()
                lastError = Self.describe(error)
            }
        }
        proxy.onEvent(.upstreamError(message: "invocation/\(requestID)/error: could not post the error: \(lastError)"))
    }

    // MARK: Everything else

    /// Streams a request upstream and its response back. False when the client connection
    /// must close (client gone, or its request could not be read to the end).
    private func passThrough(_ request: HTTPHead, framing: BodyFraming) -> Bool {
        let completion = Self.completion(of: request)
        var fields = request.endToEndFields()
        switch framing {
        case .chunked: fields.append(("Transfer-Encoding", "chunked"))
        case .length(let n): fields.append(("Content-Length", String(n)))
        case .none, .untilClose:
            if request.method == "POST" || request.method == "PUT" { fields.append(("Content-Length", "0")) }
        }
        var out: [UInt8] = []
        upstreamHead(method: request.method, target: request.target, fields: fields).serialize(into: &out)

        // The request: the client's body goes out as it arrives (a streamed response can run
        // for minutes, so no timeout on the client's side).
        let stream: HTTPStream
        do {
            stream = try upstreamStream()
        } catch {
            proxy.onEvent(.upstreamError(message: "\(request.method) \(request.target): \(error.text)"))
            return failRequest(
                502, "Guard.UpstreamUnavailable", "the Runtime API is unreachable: \(error.text)",
                bodyPending: framing != .none)
        }
        do {
            try client.forwardBody(framing, to: stream.socket, pending: out, timeout: -1)
        } catch {
            dropUpstream()
            switch error {
            case .write(let why):
                proxy.onEvent(
                    .upstreamError(
                        message:
                            "\(request.method) \(request.target): upstream failed while receiving the request: \(why.text)"
                    ))
                return failRequest(
                    502, "Guard.UpstreamFailed", "the Runtime API connection failed during the request: \(why.text)",
                    bodyPending: true)
            case .headTooLarge:
                proxy.onEvent(.clientError(message: "\(request.target): trailer section too large"))
                return failRequest(431, "Guard.HeaderTooLarge", "trailer section too large", bodyPending: true)
            case .malformed(let what):
                proxy.onEvent(.clientError(message: "\(request.target): malformed body: \(what)"))
                return failRequest(400, "Guard.BadRequest", "malformed request body", bodyPending: true)
            default:
                proxy.onEvent(
                    .clientError(message: "\(request.target): the runtime client went away mid-request (\(error.text))")
                )
                return false
            }
        }

        // The response. Long polls (`restore/next`, an extension's `event/next`) wait as long
        // as the environment is frozen; everything else gets the upstream timeout.
        let head: HTTPHead
        do {
            head = try readFinalHead(
                stream, timeout: Self.isLongPoll(request) ? -1 : config.upstreamTimeoutMilliseconds)
        } catch {
            dropUpstream()
            proxy.onEvent(
                .upstreamError(message: "\(request.method) \(request.target): no response from upstream: \(error.text)")
            )
            return failRequest(
                502, "Guard.UpstreamFailed", "the Runtime API did not answer: \(error.text)", bodyPending: false)
        }
        if let completion { noteCompletion(completion, status: head.status) }
        return relayResponse(head, from: stream, method: request.method)
    }

    /// Sends an upstream response (head already read) to the client, body streamed.
    private func relayResponse(_ head: HTTPHead, from stream: HTTPStream, method: String) -> Bool {
        guard let framing = BodyFraming.ofResponse(head, method: method) else {
            dropUpstream()
            return failRequest(
                502, "Guard.UpstreamFailed", "the Runtime API sent a malformed response", bodyPending: false)
        }
        var fields = head.endToEndFields()
        switch framing {
        case .chunked, .untilClose: fields.append(("Transfer-Encoding", "chunked"))
        case .length(let n): fields.append(("Content-Length", String(n)))
        case .none:
            if head.status >= 200 && head.status != 204 && head.status != 304 { fields.append(("Content-Length", "0")) }
        }
        var out: [UInt8] = []
        HTTPHead(first: "HTTP/1.1", second: head.second, third: head.third, fields: fields).serialize(into: &out)
        do {
            try stream.forwardBody(
                framing, to: client.socket, pending: out, timeout: config.upstreamTimeoutMilliseconds)
        } catch {
            dropUpstream()
            if case .write = error { return false }
            // The head may be out already: the only honest signal left is to cut the connection.
            proxy.onEvent(.upstreamError(message: "upstream failed mid-response: \(error.text)"))
            return false
        }
        if framing == .untilClose || head.wantsClose { dropUpstream() }
        return true
    }

    /// Answers the client with a JSON error. When its request body was not read to the end the
    /// connection cannot be reused, so it is closed (and false returned).
    private func failRequest(_ status: Int, _ errorType: String, _ message: String, bodyPending: Bool) -> Bool {
        do { try client.socket.send(Self.errorResponse(status, errorType, message, close: bodyPending)) } catch {
            return false
        }
        return !bodyPending
    }

    static func errorResponse(_ status: Int, _ errorType: String, _ message: String, close: Bool = true) -> [UInt8] {
        let body = Array(
            JSONValue.object([("errorMessage", .string(message)), ("errorType", .string(errorType))]).serialized().utf8)
        var fields: [(name: String, value: String)] = [
            ("Content-Type", "application/json"), ("Content-Length", String(body.count)),
        ]
        if close { fields.append(("Connection", "close")) }
        var out: [UInt8] = []
        HTTPHead(first: "HTTP/1.1", second: String(status), third: reason(status), fields: fields).serialize(into: &out)
        out.append(contentsOf: body)
        return out
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 431: return "Request Header Fields Too Large"
        case 502: return "Bad Gateway"
        default: return "Error"
        }
    }

    // MARK: Bookkeeping

    private enum Completion {
        case response(String)
        case error(String, String)
        case initError(String)
    }

    /// What a request completes: an invocation's response or error, or the init error.
    private static func completion(of request: HTTPHead) -> Completion? {
        guard request.method == "POST" else { return nil }
        let path = request.target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let parts = path.split(separator: "/")
        let errorType = request.value("lambda-runtime-function-error-type") ?? ""
        if parts.count >= 3, parts[parts.count - 2] == "init", parts[parts.count - 1] == "error",
            parts[parts.count - 3] == "runtime"
        {
            return .initError(errorType)
        }
        guard parts.count >= 4, parts[parts.count - 3] == "invocation" else { return nil }
        let id = String(parts[parts.count - 2])
        switch parts[parts.count - 1] {
        case "response": return .response(id)
        case "error": return .error(id, errorType)
        default: return nil
        }
    }

    /// Once the upstream has answered a response or error, the invocation is over whatever
    /// the status; only an accepted one counts as completed.
    private func noteCompletion(_ completion: Completion, status: Int) {
        let accepted = (200...299).contains(status)
        switch completion {
        case .response(let id), .error(let id, _):
            proxy.clearCurrent(id)
            if accepted {
                if case .error = completion {
                    proxy.onEvent(.completed(requestID: id, error: true))
                } else {
                    proxy.onEvent(.completed(requestID: id, error: false))
                }
            } else {
                proxy.onEvent(
                    .upstreamError(message: "invocation/\(id): upstream answered \(status) to the client's post"))
            }
        case .initError(let type):
            proxy.onEvent(
                accepted
                    ? .initError(errorType: type) : .upstreamError(message: "init/error: upstream answered \(status)"))
        }
    }

    static func isLongPoll(_ request: HTTPHead) -> Bool {
        let path = request.target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return request.method == "GET" && path.hasSuffix("/next")
    }

    /// Request ids go into a URL path: only the characters Lambda uses.
    static func isSafeRequestID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 256
            && id.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D
                    || b == 0x5F || b == 0x2E || b == 0x3A
            }
    }

    private static func describe(_ error: any Error) -> String {
        if let e = error as? SocketFailure { return e.text }
        if let e = error as? HTTPFailure { return e.text }
        return "\(error)"
    }
}
