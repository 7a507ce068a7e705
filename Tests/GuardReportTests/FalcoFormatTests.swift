import GuardJSON
import Testing

@testable import GuardReport

@Suite struct FalcoFormatTests {
    let encoder = ReportEncoder(format: .falco, hostname: "node-1")
    let time = ReportTime(seconds: 1_795_705_445, nanoseconds: 123_456_789)

    func alert(_ report: Report, count: Int? = nil) throws -> JSONValue {
        try JSONValue.parse(Array(encoder.line(report, time: time, count: count)))
    }

    func tags(_ value: JSONValue) -> [String] {
        value["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    @Test func credentialFileAlertHasFalcoKeysAndMitreTags() throws {
        var report = TestSupport.violation()
        report.severity = .critical
        let value = try alert(report)
        #expect(
            TestSupport.keys(value) == [
                "output", "priority", "rule", "time", "output_fields", "source", "tags", "hostname",
            ])
        #expect(value["priority"]?.stringValue == "Critical")
        #expect(value["rule"]?.stringValue == "guard file access denied")
        #expect(value["time"]?.stringValue == "2026-11-26T15:04:05.123456Z")
        #expect(value["source"]?.stringValue == "guard")
        #expect(value["hostname"]?.stringValue == "node-1")
        #expect(
            value["output"]?.stringValue
                == "2026-11-26T15:04:05.123456Z: Critical guard: file openat denied (rule=files.deny severity=critical "
                + "path=/etc/shadow pid=4242 exe=/usr/bin/python3 function=orders-api)")
        #expect(tags(value).contains("T1552"))
        #expect(tags(value).contains("mitre_credential_access"))
        let fields = try #require(value["output_fields"])
        #expect(fields["guard.function"]?.stringValue == "orders-api")
        #expect(fields["guard.category"]?.stringValue == "file")
        #expect(fields["guard.action"]?.stringValue == "denied")
        #expect(fields["guard.rule"]?.stringValue == "files.deny")
        #expect(fields["proc.pid"]?.intValue == 4242)
        #expect(fields["proc.exepath"]?.stringValue == "/usr/bin/python3")
        #expect(fields["evt.type"]?.stringValue == "openat")
        #expect(fields["fd.name"]?.stringValue == "/etc/shadow")
        #expect(fields["evt.time"]?.intValue == 1_795_705_445_123_456_789)
    }

    @Test(arguments: [
        (Severity.critical, "Critical"), (.high, "Error"), (.medium, "Warning"), (.low, "Notice"),
    ])
    func severityMapsToPriority(severity: Severity, priority: String) throws {
        var report = TestSupport.violation()
        report.severity = severity
        #expect(try alert(report)["priority"]?.stringValue == priority)
    }

    @Test func escapeSyscallIsPrivilegeEscalation() throws {
        let report = Report(
            event: .violation, function: "f", category: .syscall, action: .killed, rule: "syscalls.deny",
            pid: 9, syscall: "unshare")
        let value = try alert(report)
        #expect(tags(value).contains("T1611"))
        #expect(tags(value).contains("mitre_privilege_escalation"))
        #expect(value["rule"]?.stringValue == "guard syscall killed")
    }

    @Test func execShellIsExecution() throws {
        let report = Report(
            event: .violation, function: "f", category: .exec, action: .denied, rule: "exec.deny", syscall: "execve",
            path: "/bin/sh")
        #expect(Set(tags(try alert(report))).isSuperset(of: ["T1059", "T1059.004", "mitre_execution"]))
    }

    @Test func metadataEndpointIsCloudCredentialAccess() throws {
        let report = Report(
            event: .violation, function: "f", category: .network, action: .denied, rule: "network.connect",
            syscall: "connect", address: "169.254.169.254:80")
        let value = try alert(report)
        #expect(tags(value).contains("T1552.005"))
        #expect(value["output_fields"]?["fd.name"]?.stringValue == "169.254.169.254:80")
        let other = Report(
            event: .violation, function: "f", category: .network, action: .denied, address: "203.0.113.9:4444")
        #expect(Set(tags(try alert(other))).isSuperset(of: ["T1071", "mitre_command_and_control"]))
    }

    @Test func payloadIsInitialAccess() throws {
        let report = Report(
            event: .violation, function: "f", category: .payload, action: .blocked, rule: "payload.detectors",
            payload: PayloadFinding(detectorClass: "jndi", location: "header.X-Api", evidence: "${jndi:ldap://x}"),
            requestID: "r-7")
        let value = try alert(report, count: 4)
        #expect(Set(tags(value)).isSuperset(of: ["T1190", "mitre_initial_access"]))
        let fields = try #require(value["output_fields"])
        #expect(fields["guard.payload.class"]?.stringValue == "jndi")
        #expect(fields["guard.request_id"]?.stringValue == "r-7")
        #expect(fields["guard.count"]?.intValue == 4)
    }

    @Test func lifecycleEventsAreAlertsToo() throws {
        let start = try alert(Report(event: .start, function: "f", extra: [("mode", "audit")]))
        #expect(start["rule"]?.stringValue == "guard start")
        #expect(start["priority"]?.stringValue == "Informational")
        #expect(start["output_fields"]?["guard.mode"]?.stringValue == "audit")
        let exit = try alert(Report(event: .exit, function: "f", extra: [("status", 1)]))
        #expect(exit["rule"]?.stringValue == "guard exit")
        #expect(exit["output"]?.stringValue?.contains("status=1") == true)
        let lossy = Report(event: .summary, function: "f", extra: [("violations", 3), ("dropped", 2)])
        #expect(try alert(lossy)["priority"]?.stringValue == "Warning")
        let clean = Report(event: .summary, function: "f", extra: [("violations", 3), ("dropped", 0)])
        #expect(try alert(clean)["priority"]?.stringValue == "Informational")
    }
}
