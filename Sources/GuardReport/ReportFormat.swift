import GuardJSON

/// The shape of each line (`--report-format`).
public enum ReportFormat: String, Sendable, CaseIterable {
    /// JSON Lines in guard's own schema (INTERFACE.md, "Reports").
    case guardSchema = "guard"
    /// Falco's alert schema, one alert per line, for Falcosidekick.
    case falco
}

/// Turns reports into JSON objects. Runs on the writer thread, never on the supervisor's.
struct ReportEncoder: Sendable {
    let format: ReportFormat
    /// `gethostname(2)` at start-up, for the Falco `hostname` field.
    let hostname: String

    /// One line, newline-terminated, serialized by jansson.
    func line(_ report: Report, time: ReportTime, count: Int?) -> [UInt8] {
        let object: JSONValue
        switch format {
        case .guardSchema: object = guardObject(report, time: time, count: count)
        case .falco: object = falcoObject(report, time: time, count: count)
        }
        var bytes = Array(object.serialized().utf8)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// The guard schema: fields in INTERFACE.md's order, absent ones omitted.
    func guardObject(_ report: Report, time: ReportTime, count: Int?) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("time", .string(time.rfc3339)),
            ("event", .string(report.event.rawValue)),
            ("function", .string(report.function)),
        ]
        members.reserveCapacity(16 + report.extra.count)
        func add(_ key: String, _ value: String?) {
            if let value { members.append((key, .string(value))) }
        }
        add("category", report.category?.rawValue)
        add("action", report.action?.rawValue)
        add("rule", report.rule)
        add("severity", report.severity?.rawValue)
        if let pid = report.pid { members.append(("pid", .int(Int64(pid)))) }
        add("exe", report.exe)
        add("syscall", report.syscall)
        add("path", report.path)
        add("address", report.address)
        if let payload = report.payload {
            members.append(
                (
                    "payload",
                    .object([
                        ("class", .string(payload.detectorClass)),
                        ("location", .string(payload.location)),
                        ("evidence", .string(payload.evidence)),
                    ])
                ))
        }
        add("request_id", report.requestID)
        if let count { members.append(("count", .int(Int64(count)))) }
        members.append(contentsOf: report.extra)
        return .object(members)
    }
}
