import Glibc

/// The attack classes the inspector knows, one detector each.
public enum DetectorClass: String, CaseIterable, Sendable {
    case sqli, nosqli, cmdi, traversal, ssrf, xss, ssti, jndi, xxe, proto, deser, ldap, crlf
}

/// One detection: the class, where in the event (a JSON pointer), and a short excerpt.
public struct Finding: Sendable, Equatable {
    public var detectorClass: DetectorClass
    /// A JSON pointer into the event. Where a string holds a structure of its own (a JSON or
    /// form body, a query string, a cookie header), the pointer continues into it:
    /// `/body/user/name`, `/rawQueryString/q`, `/headers/cookie/session`.
    public var location: String
    /// A short excerpt of the decoded value around the match, at most 80 characters.
    public var evidence: String

    public init(detectorClass: DetectorClass, location: String, evidence: String) {
        self.detectorClass = detectorClass
        self.location = location
        self.evidence = evidence
    }
}

/// What the inspector found in one event. `error` is set when the event could not be
/// inspected completely (malformed, too deep, budget exhausted); findings made before that
/// point are kept. Callers that must fail closed block when `isComplete` is false.
public struct InspectionResult: Sendable {
    public var findings: [Finding]
    public var error: String?
    public var isBlocking: Bool { !findings.isEmpty }
    public var isComplete: Bool { error == nil }

    public init(findings: [Finding] = [], error: String? = nil) {
        self.findings = findings
        self.error = error
    }
}

/// Bounds on the work done for one event. Every loop in the inspector is bounded by these.
public struct InspectionLimits: Sendable {
    /// Events larger than this are not parsed; their first `maxScanBytes` are scanned raw.
    public var maxEventBytes: Int
    /// Deepest JSON nesting followed (API Gateway events nest about 5 levels).
    public var maxDepth: Int
    /// Most strings (keys and values) inspected per event.
    public var maxStrings: Int
    /// Most decoded bytes handed to detectors per event, all values together.
    public var maxScanBytes: Int
    /// Wall-clock budget per event, in microseconds (checked between values).
    public var maxMicroseconds: Int
    /// Most findings reported per event.
    public var maxFindings: Int
    /// Distinct clean header values remembered across events (0: no cache).
    public var cachedHeaderValues: Int

    public init(
        maxEventBytes: Int = 8 << 20, maxDepth: Int = 128, maxStrings: Int = 200_000,
        maxScanBytes: Int = 8 << 20, maxMicroseconds: Int = 250_000, maxFindings: Int = 32,
        cachedHeaderValues: Int = 4096
    ) {
        self.cachedHeaderValues = cachedHeaderValues
        self.maxEventBytes = maxEventBytes
        self.maxDepth = maxDepth
        self.maxStrings = maxStrings
        self.maxScanBytes = maxScanBytes
        self.maxMicroseconds = maxMicroseconds
        self.maxFindings = maxFindings
    }

    public static let `default` = InspectionLimits()
}

/// Scans FaaS events and raw payloads for injection attacks.
///
/// The inspector parses the event with its own bounded JSON scanner, understands the shapes
/// of API Gateway (REST and HTTP API), ALB, Lambda function URL, SQS, SNS and EventBridge
/// events (bodies, base64, form and JSON bodies, query strings, cookies), decodes each value
/// (URL, double URL, %u, HTML entities, JSON and JS escapes, overlong UTF-8, full-width forms)
/// and runs one detector per class on every key and string value.
public struct Inspector: Sendable {
    public let detectors: Set<DetectorClass>
    public let limits: InspectionLimits
    let mask: DetectorMask
    let cache: VerdictCache?

    public init(detectors: Set<DetectorClass> = Set(DetectorClass.allCases), limits: InspectionLimits = .default) {
        self.detectors = detectors
        self.limits = limits
        self.mask = DetectorMask(detectors)
        self.cache = limits.cachedHeaderValues > 0 ? VerdictCache(capacity: limits.cachedHeaderValues) : nil
    }

    /// Inspects one event. JSON is walked value by value; anything else is one raw payload.
    public func inspect(event bytes: UnsafeRawBufferPointer) -> InspectionResult {
        var session = InspectionSession(inspector: self)
        session.inspectEvent(
            UnsafeBufferPointer(start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count))
        return session.result
    }

    /// Inspects one event held in an array.
    public func inspect(event bytes: [UInt8]) -> InspectionResult {
        bytes.withUnsafeBytes { inspect(event: $0) }
    }

    /// Inspects a single value that arrived at `location` (a JSON pointer or any label).
    public func inspect(payload: String, location: String) -> InspectionResult {
        var session = InspectionSession(inspector: self)
        session.inspectPayload(Array(payload.utf8), location: location)
        return session.result
    }
}
