import Foundation
import GuardJSON
import Testing

@testable import GuardReport

@Suite struct ReportEncodingTests {
    let encoder = ReportEncoder(format: .guardSchema, hostname: "")
    let time = ReportTime(seconds: 1_795_705_445, nanoseconds: 123_456_789)

    @Test func timeIsUTCWithMicroseconds() {
        #expect(time.rfc3339 == "2026-11-26T15:04:05.123456Z")
        #expect(ReportTime(seconds: 0, nanoseconds: 0).rfc3339 == "1970-01-01T00:00:00.000000Z")
        let leapDay = ReportTime(seconds: 951_782_400, nanoseconds: 999_999_999)
        #expect(leapDay.rfc3339 == "2000-02-29T00:00:00.999999Z")
        #expect(TestSupport.isReportTime(ReportTime.now().rfc3339))
    }

    @Test func civilConversionAgreesWithGmtime() {
        var seconds: Int64 = -2_000_000_000
        while seconds < 8_000_000_000 {
            var t = time_t(seconds)
            var parts = tm()
            gmtime_r(&t, &parts)
            let expected = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d.000000Z", parts.tm_year + 1900, parts.tm_mon + 1,
                parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
            #expect(ReportTime(seconds: seconds, nanoseconds: 0).rfc3339 == expected)
            seconds += 12_345_679
        }
    }

    @Test func violationFieldsInSchemaOrder() throws {
        let report = Report(
            event: .violation, function: "orders-api", category: .payload, action: .blocked, rule: "payload.detectors",
            severity: .critical, pid: 42, exe: "/usr/bin/node", syscall: "recvfrom", path: "/srv/app.js",
            address: "10.0.0.1:443",
            payload: PayloadFinding(detectorClass: "sqli", location: "body.q", evidence: "' OR 1=1"),
            requestID: "req-1", extra: [("note", "x")])
        let line = encoder.line(report, time: time, count: 3)
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.dropLast().contains(UInt8(ascii: "\n")) == false)
        let value = try JSONValue.parse(Array(line))
        #expect(
            TestSupport.keys(value) == [
                "time", "event", "function", "category", "action", "rule", "severity", "pid", "exe", "syscall", "path",
                "address", "payload", "request_id", "count", "note",
            ])
        #expect(value["time"]?.stringValue == "2026-11-26T15:04:05.123456Z")
        #expect(value["pid"]?.intValue == 42)
        #expect(value["count"]?.intValue == 3)
        #expect(value["payload"].map(TestSupport.keys) == ["class", "location", "evidence"])
        #expect(value["payload"]?["evidence"]?.stringValue == "' OR 1=1")
    }

    @Test func absentFieldsAreOmitted() throws {
        let line = encoder.line(TestSupport.violation(), time: time, count: nil)
        #expect(
            String(decoding: line, as: UTF8.self)
                == #"{"time":"2026-11-26T15:04:05.123456Z","event":"violation","function":"orders-api","#
                + #""category":"file","action":"denied","rule":"files.deny","severity":"high","pid":4242,"#
                + #""exe":"/usr/bin/python3","syscall":"openat","path":"/etc/shadow"}"# + "\n")
    }

    @Test func startAndExitCarryTheirExtras() throws {
        let start = Report(
            event: .start, function: "f",
            extra: [
                ("command", ["python3", "app.py"]), ("mode", "enforce"), ("policy", "p.json"),
                ("supervisor", "seccomp-notify"),
            ])
        let value = try JSONValue.parse(Array(encoder.line(start, time: time, count: nil)))
        #expect(TestSupport.keys(value) == ["time", "event", "function", "command", "mode", "policy", "supervisor"])
        let exit = Report(event: .exit, function: "f", pid: 7, extra: [("status", 0), ("signal", nil)])
        let exitValue = try JSONValue.parse(Array(encoder.line(exit, time: time, count: nil)))
        #expect(TestSupport.keys(exitValue) == ["time", "event", "function", "pid", "status", "signal"])
        #expect(exitValue["signal"] == .null)
    }

    @Test func strangeStringsStayOneValidLine() throws {
        let path = "/tmp/a\nb\"c\\\u{0}d\u{1F600}"
        let line = encoder.line(TestSupport.violation(path: path), time: time, count: nil)
        #expect(line.filter { $0 == UInt8(ascii: "\n") }.count == 1)
        #expect(try JSONValue.parse(Array(line))["path"]?.stringValue == path)
    }
}
