/// How a `RuntimeAPIProxy` listens, where it forwards, and the limits it enforces.
public struct ProxyConfiguration: Sendable {
    /// The address the runtime client connects to (the child's `AWS_LAMBDA_RUNTIME_API`).
    public var listenHost: String = "127.0.0.1"
    /// 0 picks an ephemeral port; `start()` returns the one bound.
    public var listenPort: UInt16 = 0
    /// The real Runtime API, `host:port` as in `AWS_LAMBDA_RUNTIME_API` (IPv6 as `[::1]:9001`).
    public var upstream: String

    /// `host:port` or `[v6]:port`, as `upstream` and `--listen` take it.
    public static func splitHostPort(_ text: String) -> (host: String, port: UInt16)? {
        Socket.splitHostPort(text).flatMap { split in UInt16(split.port).map { (split.host, $0) } }
    }
    /// Events larger than this are never forwarded: the invocation is answered with
    /// `Guard.EventTooLarge` upstream. Lambda's own limit is 6 MB.
    public var maxEventBytes: Int = 16 << 20
    /// Request and response heads larger than this are refused (`431` to the client).
    public var maxHeaderBytes: Int = 64 << 10
    /// How long an event's body may stall once its head has arrived, in milliseconds. The wait
    /// for the head itself is unbounded: the environment may be frozen between invocations.
    public var eventStallTimeoutMilliseconds: Int32 = 30_000
    /// How long any other upstream exchange (response, error, init error) may stall, in ms.
    public var upstreamTimeoutMilliseconds: Int32 = 120_000
    /// Back-off between attempts while the upstream is unreachable during `next`, in ms:
    /// starts at `retryInitialMilliseconds`, doubles, capped at `retryMaxMilliseconds`.
    public var retryInitialMilliseconds: Int = 20
    public var retryMaxMilliseconds: Int = 2_000

    public init(upstream: String) {
        self.upstream = upstream
    }
}

/// What the proxy does with one event, decided by the caller's inspection.
public enum InvocationVerdict: Sendable, Equatable {
    /// Hand the event to the runtime client.
    case forward
    /// Answer the invocation upstream with an error of this type (e.g. `Guard.PayloadBlocked`)
    /// and a message that names the finding's class. The message must never echo the payload:
    /// it is posted to the Runtime API and ends up in the caller's error response.
    case block(errorType: String, message: String)
}

/// Something a caller may want to report or log. Delivered synchronously on a proxy thread:
/// keep the handler short (hand it to a reporter queue).
public enum ProxyEvent: Sendable, Equatable {
    /// An event passed inspection and was handed to the runtime client.
    case forwarded(requestID: String)
    /// The inspection blocked an event; its invocation was answered with an error upstream.
    case blocked(requestID: String, errorType: String, message: String)
    /// An event could not be delivered (too large, stalled, malformed); its invocation was
    /// answered with an error of `errorType` upstream (when the upstream allowed it).
    case rejected(requestID: String, errorType: String, message: String)
    /// The runtime client posted the invocation's response (`error == false`) or error.
    case completed(requestID: String, error: Bool)
    /// The runtime client posted an initialization error.
    case initError(errorType: String)
    /// The upstream misbehaved (refused, reset, timed out, malformed); `message` says how and
    /// what the proxy did about it.
    case upstreamError(message: String)
    /// A runtime client connection misbehaved (malformed request, oversized head).
    case clientError(message: String)
}

/// The one error `start()` throws.
public struct ProxyError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// `upstream` is not `host:port`.
        case invalidUpstream
        /// `listenHost` is not a numeric IPv4 or IPv6 address.
        case invalidListenAddress
        /// socket, bind or listen failed.
        case listenFailed
        /// The accept thread could not be started.
        case threadFailed
        /// `start()` was called twice.
        case alreadyStarted
    }

    public var code: Code
    /// The errno behind the failure, 0 when there is none.
    public var errno: Int32
    public var message: String

    public init(_ code: Code, errno: Int32 = 0, _ message: String) {
        self.code = code
        self.errno = errno
        self.message = message
    }

    public var description: String { message }
}
