import Foundation
import Testing

@testable import GuardReport

@Suite struct ReportDestinationTests {
    @Test(arguments: [
        ("-", ReportDestination.stderr),
        ("fd:3", .fd(3)),
        ("fd:0", .fd(0)),
        ("unix:/run/guard/reports.sock", .unix("/run/guard/reports.sock")),
        ("/var/log/guard.jsonl", .file("/var/log/guard.jsonl")),
        ("reports.jsonl", .file("reports.jsonl")),
        ("fdx", .file("fdx")),
    ])
    func parsesEachForm(text: String, expected: ReportDestination) throws {
        let parsed = try ReportDestination.parse(text)
        #expect(parsed == expected)
        #expect(parsed.description == text)
    }

    @Test(arguments: [
        "", "fd:", "fd:x", "fd:-1", "fd:3 ", "fd:99999999999", "unix:",
        "unix:/" + String(repeating: "s", count: 120),
    ])
    func rejectsMalformed(text: String) {
        do {
            _ = try ReportDestination.parse(text)
            Issue.record("parsed '\(text)'")
        } catch {
            #expect(error.code == .invalidDestination)
            #expect(error.description.contains("'\(text)'"))
        }
    }

    @Test func unixPathAtTheLimitIsAccepted() throws {
        let path = "/" + String(repeating: "s", count: ReportDestination.maxUnixPathBytes - 1)
        #expect(try ReportDestination.parse("unix:" + path) == .unix(path))
    }

    @Test func fileThatCannotBeOpenedNamesPathAndErrno() {
        let path = "/nonexistent-dir-for-guard/reports.jsonl"
        do {
            _ = try Reporter(destination: .file(path), format: .guardSchema, function: "f")
            Issue.record("opened \(path)")
        } catch {
            #expect(error.code == .open)
            #expect(error.errno == ENOENT)
            #expect(error.description == "cannot open report file '\(path)': No such file or directory")
        }
    }

    @Test func closedDescriptorIsRefused() {
        do {
            _ = try Reporter(destination: .fd(987), format: .guardSchema, function: "f")
            Issue.record("accepted a closed descriptor")
        } catch {
            #expect(error.code == .badDescriptor)
            #expect(error.errno == EBADF)
            #expect(error.description.contains("fd:987"))
        }
    }

    @Test func readOnlyDescriptorIsRefused() {
        let pipe = TestSupport.makePipe()
        defer {
            close(pipe.read)
            close(pipe.write)
        }
        #expect(throws: ReportError.self) {
            try Reporter(destination: .fd(pipe.read), format: .guardSchema, function: "f")
        }
    }
}
