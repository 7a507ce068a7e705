import GuardJSON

/// Falco's alert schema, so Falcosidekick can route guard's alerts like Falco's own:
/// `output`, `priority`, `rule`, `time`, `output_fields`, `source` ("guard"), `tags`,
/// `hostname`. No `uuid`: Falcosidekick assigns one when it is missing.
///
/// Priorities: a violation's severity critical → Critical, high → Error, medium → Warning,
/// low → Notice, none → Warning. `start`, `exit` and `summary` are Informational, except a
/// summary that reports drops, which is a Warning.
extension ReportEncoder {
    func falcoObject(_ report: Report, time: ReportTime, count: Int?) -> JSONValue {
        let stamp = time.rfc3339
        let priority = Self.falcoPriority(report)
        let output = "\(stamp): \(priority) guard: \(Self.sentence(report, count: count))"
        return .object([
            ("output", .string(output)),
            ("priority", .string(priority)),
            ("rule", .string(Self.falcoRule(report))),
            ("time", .string(stamp)),
            ("output_fields", .object(Self.outputFields(report, time: time, count: count))),
            ("source", "guard"),
            ("tags", .array(FalcoTags.tags(for: report).map { .string($0) })),
            ("hostname", .string(hostname)),
        ])
    }

    static func falcoPriority(_ report: Report) -> String {
        switch report.event {
        case .violation:
            switch report.severity {
            case .critical: return "Critical"
            case .high: return "Error"
            case .medium, nil: return "Warning"
            case .low: return "Notice"
            }
        case .summary:
            let dropped = report.extra.last(where: { $0.key == "dropped" })?.value.intValue ?? 0
            return dropped > 0 ? "Warning" : "Informational"
        case .start, .exit:
            return "Informational"
        }
    }

    /// A stable rule name per event, category and action, e.g. "guard file access denied".
    static func falcoRule(_ report: Report) -> String {
        guard report.event == .violation else { return "guard \(report.event.rawValue)" }
        let subject: String
        switch report.category {
        case .syscall: subject = "syscall"
        case .file: subject = "file access"
        case .exec: subject = "exec"
        case .network: subject = "network connection"
        case .payload: subject = "malicious payload"
        case .process: subject = "process"
        case nil: subject = "violation"
        }
        return "guard \(subject) \(report.action?.rawValue ?? "reported")"
    }

    /// "file openat denied (rule=files.deny path=/etc/shadow pid=42 exe=... function=...)".
    static func sentence(_ report: Report, count: Int?) -> String {
        var head: String
        switch report.event {
        case .start: head = "guard started"
        case .exit: head = "supervised program exited"
        case .summary: head = "guard summary"
        case .violation:
            head = report.category?.rawValue ?? "policy"
            if let syscall = report.syscall {
                head += " \(syscall)"
            } else if let payload = report.payload {
                head += " \(payload.detectorClass)"
            }
            head += " \(report.action?.rawValue ?? "reported")"
        }
        var details: [String] = []
        func add(_ key: String, _ value: String?) {
            if let value { details.append("\(key)=\(value)") }
        }
        add("rule", report.rule)
        add("severity", report.severity?.rawValue)
        add("path", report.path)
        add("address", report.address)
        add("class", report.payload?.detectorClass)
        add("location", report.payload?.location)
        add("request_id", report.requestID)
        add("count", count.map { String($0) })
        add("pid", report.pid.map { String($0) })
        add("exe", report.exe)
        add("function", report.function)
        for (key, value) in report.extra {
            if case .object = value { continue }
            add(key, value.stringValue ?? value.serialized())
        }
        return "\(head) (\(details.joined(separator: " ")))"
    }

    /// Falco's own field names where one fits (`proc.pid`, `proc.exepath`, `evt.type`,
    /// `fd.name`), `guard.*` for the rest, absent ones omitted.
    static func outputFields(_ report: Report, time: ReportTime, count: Int?) -> [(key: String, value: JSONValue)] {
        var fields: [(key: String, value: JSONValue)] = [
            ("evt.time", .int(time.seconds &* 1_000_000_000 &+ time.nanoseconds)),
            ("guard.event", .string(report.event.rawValue)),
            ("guard.function", .string(report.function)),
        ]
        func add(_ key: String, _ value: String?) {
            if let value { fields.append((key, .string(value))) }
        }
        add("guard.category", report.category?.rawValue)
        add("guard.action", report.action?.rawValue)
        add("guard.rule", report.rule)
        add("guard.severity", report.severity?.rawValue)
        if let pid = report.pid { fields.append(("proc.pid", .int(Int64(pid)))) }
        add("proc.exepath", report.exe)
        add("evt.type", report.syscall)
        add("fd.name", report.path ?? report.address)
        add("guard.payload.class", report.payload?.detectorClass)
        add("guard.payload.location", report.payload?.location)
        add("guard.payload.evidence", report.payload?.evidence)
        add("guard.request_id", report.requestID)
        if let count { fields.append(("guard.count", .int(Int64(count)))) }
        for (key, value) in report.extra { fields.append(("guard.\(key)", value)) }
        return fields
    }
}
