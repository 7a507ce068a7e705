import GuardJSON

/// What a report line is about. Every run writes one `start`, any number of `violation`s,
/// one `exit` and, from `Reporter.finish`, one `summary`.
public enum ReportEvent: String, Sendable, CaseIterable {
    case start, violation, exit, summary
}

/// The policy category a violation belongs to.
public enum ReportCategory: String, Sendable, CaseIterable {
    case syscall, file, exec, network, payload, process
}

/// What guard did about a violation.
public enum ReportAction: String, Sendable, CaseIterable {
    case denied, killed, audited, blocked
}

/// How bad a violation is; maps to a Falco priority in the Falco format.
public enum Severity: String, Sendable, CaseIterable {
    case low, medium, high, critical
}

/// A payload detector's finding. Encodes as `{"class","location","evidence"}`.
public struct PayloadFinding: Sendable, Equatable {
    /// The detector class: `sqli`, `cmdi`, `ssrf`, ...
    public var detectorClass: String
    /// Where in the request it was found, e.g. `body.query` or `header.User-Agent`.
    public var location: String
    /// The (already truncated) text that matched.
    public var evidence: String

    public init(detectorClass: String, location: String, evidence: String) {
        self.detectorClass = detectorClass
        self.location = location
        self.evidence = evidence
    }
}

/// One event for the report stream. Absent fields are omitted from the line.
///
/// The guard schema writes the fields in this order: `time`, `event`, `function`,
/// `category`, `action`, `rule`, `severity`, `pid`, `exe`, `syscall`, `path`, `address`,
/// `payload`, `request_id`, `count`, then `extra` in the order given. `time` and `count`
/// are the reporter's to fill in.
public struct Report: Sendable {
    public var event: ReportEvent
    public var function: String
    public var category: ReportCategory?
    public var action: ReportAction?
    /// The policy rule that fired, e.g. `files.deny`, `syscalls.deny`, `network.connect`.
    public var rule: String?
    public var severity: Severity?
    public var pid: Int32?
    public var exe: String?
    public var syscall: String?
    public var path: String?
    /// `1.2.3.4:80`, `[::1]:53` or `unix:/path`.
    public var address: String?
    public var payload: PayloadFinding?
    /// Encodes as `request_id`.
    public var requestID: String?
    /// Event-specific fields written after the standard ones (start: `command`, `mode`,
    /// `policy`, `supervisor`; exit: `status`, `signal`). Names should not repeat the
    /// standard ones.
    public var extra: [(key: String, value: JSONValue)]

    public init(
        event: ReportEvent, function: String, category: ReportCategory? = nil, action: ReportAction? = nil,
        rule: String? = nil, severity: Severity? = nil, pid: Int32? = nil, exe: String? = nil,
        syscall: String? = nil, path: String? = nil, address: String? = nil, payload: PayloadFinding? = nil,
        requestID: String? = nil, extra: [(key: String, value: JSONValue)] = []
    ) {
        self.event = event
        self.function = function
        self.category = category
        self.action = action
        self.rule = rule
        self.severity = severity
        self.pid = pid
        self.exe = exe
        self.syscall = syscall
        self.path = path
        self.address = address
        self.payload = payload
        self.requestID = requestID
        self.extra = extra
    }
}
