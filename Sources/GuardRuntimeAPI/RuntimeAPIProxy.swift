import Glibc
import Synchronization

/// A Lambda Runtime API (2018-06-01) proxy for one runtime client: listens on loopback,
/// forwards every endpoint to the real Runtime API with its headers, and passes each event
/// through `inspect` before the client sees it. Blocked events are answered with an error
/// upstream and the client's `next` call stays open until a clean event arrives.
///
/// One thread accepts; one thread serves each client connection, with its own keep-alive
/// upstream connection. Nothing here imports the inspector or the sandbox: the caller wires
/// them through the closures.
public final class RuntimeAPIProxy: @unchecked Sendable {
    /// Decides whether an event reaches the client. Called on a proxy thread, once per event,
    /// with the event's request id and body (valid only during the call).
    public typealias Inspection = @Sendable (_ requestID: String, _ event: UnsafeRawBufferPointer) -> InvocationVerdict

    let configuration: ProxyConfiguration
    let inspect: Inspection
    let onEvent: @Sendable (ProxyEvent) -> Void
    let upstreamHost: String
    let upstreamPort: String

    private struct State {
        var started = false
        var stopped = false
        var listener: Socket? = nil
        /// Every open socket, so `stop()` can wake the threads blocked on them.
        var open: [Int32: Socket] = [:]
        var current: String? = nil
        /// Events read from upstream that no client took (its connection died first): the
        /// next `next` from any connection gets them before asking upstream again.
        var undelivered: [DeliverableEvent] = []
    }

    private let state = Mutex(State())

    public init(
        configuration: ProxyConfiguration,
        inspect: @escaping Inspection,
        onEvent: @escaping @Sendable (ProxyEvent) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.inspect = inspect
        self.onEvent = onEvent
        let split = Socket.splitHostPort(configuration.upstream)
        self.upstreamHost = split?.host ?? ""
        self.upstreamPort = split?.port ?? ""
    }

    /// Binds, starts accepting on a thread, and returns the port bound.
    public func start() throws(ProxyError) -> UInt16 {
        guard !upstreamHost.isEmpty else {
            throw ProxyError(
                .invalidUpstream,
                "guard bootstrap: AWS_LAMBDA_RUNTIME_API '\(configuration.upstream)' is not host:port")
        }
        let already = state.withLock { s in
            defer { s.started = true }
            return s.started
        }
        if already { throw ProxyError(.alreadyStarted, "guard bootstrap: the proxy is already started") }
        let (listener, port) = try Socket.listen(host: configuration.listenHost, port: configuration.listenPort)
        state.withLock { $0.listener = listener }
        guard spawnThread({ [self] in acceptLoop(listener) }) else {
            listener.close()
            throw ProxyError(.threadFailed, errno: errno, "guard bootstrap: cannot start the proxy thread")
        }
        return port
    }

    /// The request id of the invocation in flight: set when its event is handed to the client,
    /// cleared when the client's response or error for it has been posted upstream.
    public var currentRequestID: String? {
        state.withLock { $0.current }
    }

    /// Stops accepting and closes every connection; threads blocked on them return.
    public func stop() {
        state.withLock { s in
            s.stopped = true
            s.listener?.shutdownBoth()
            for socket in s.open.values { socket.shutdownBoth() }
        }
    }

    var isStopped: Bool { state.withLock { $0.stopped } }

    private func acceptLoop(_ listener: Socket) {
        while let client = listener.accept() {
            guard register(client) else { break }
            let session = ProxySession(proxy: self, client: client)
            if !spawnThread({ session.run() }) {
                onEvent(.clientError(message: "cannot start a thread for a runtime client connection"))
                release(client)
            }
        }
        listener.close()
    }

    /// Tracks an open socket; false (and closed) when the proxy is stopping.
    func register(_ socket: Socket) -> Bool {
        let ok = state.withLock { s in
            if s.stopped { return false }
            s.open[socket.fd] = socket
            return true
        }
        if !ok { socket.close() }
        return ok
    }

    /// Closes a tracked socket (under the lock, so `stop()` never touches a reused fd).
    func release(_ socket: Socket) {
        state.withLock { s in
            s.open[socket.fd] = nil
            socket.close()
        }
    }

    func setCurrent(_ id: String) { state.withLock { $0.current = id } }

    func clearCurrent(_ id: String) {
        state.withLock { s in
            if s.current == id { s.current = nil }
        }
    }

    func stash(_ event: DeliverableEvent) { state.withLock { $0.undelivered.append(event) } }

    func takeStashed() -> DeliverableEvent? {
        state.withLock { s in s.undelivered.isEmpty ? nil : s.undelivered.removeFirst() }
    }
}

/// An event that passed inspection, ready for a client.
struct DeliverableEvent: Sendable {
    var requestID: String
    var fields: [(name: String, value: String)]
    var body: [UInt8]
}
