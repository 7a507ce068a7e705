import Foundation
import GuardJSON
import Testing

@testable import GuardReport

/// Each sink against the real thing: a file, a pipe, a bound datagram socket, stderr.
@Suite struct ReporterSinkTests {
    @Test func fileSinkAppendsAndKeepsExistingContent() throws {
        let directory = try TestSupport.temporaryDirectory()
        let path = directory + "/reports.jsonl"
        try "{\"existing\":true}\n".write(toFile: path, atomically: false, encoding: .utf8)
        let reporter = try Reporter(destination: .file(path), format: .guardSchema, function: "orders-api")
        reporter.submit(Report(event: .start, function: "orders-api", extra: [("mode", "enforce")]))
        reporter.submit(TestSupport.violation())
        reporter.submit(Report(event: .exit, function: "orders-api", extra: [("status", 0)]))
        let stats = reporter.finish()
        let lines = try TestSupport.readLines(path: path)
        #expect(lines.count == 5)
        #expect(lines.first?["existing"] == .bool(true))
        #expect(lines.dropFirst().map { $0["event"]?.stringValue } == ["start", "violation", "exit", "summary"])
        #expect(lines.dropFirst().allSatisfy { TestSupport.isReportTime($0["time"]?.stringValue) })
        #expect(stats.written == 4 && stats.dropped == 0)
        var info = stat()
        #expect(stat(path, &info) == 0)
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func fileSinkIsCloseOnExec() throws {
        let directory = try TestSupport.temporaryDirectory()
        let sink = try ReportSink.open(.file(directory + "/r.jsonl"))
        defer { sink.close() }
        #expect(fcntl(sink.fd, F_GETFD) & FD_CLOEXEC != 0)
        let socketSink = try ReportSink.open(.unix(directory + "/absent.sock"))
        defer { socketSink.close() }
        #expect(fcntl(socketSink.fd, F_GETFD) & FD_CLOEXEC != 0)
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func fdSinkWritesToAPipeAndLeavesItOpen() throws {
        let pipe = TestSupport.makePipe()
        let reporter = try Reporter(destination: .fd(pipe.write), format: .guardSchema, function: "f")
        for i in 0..<3 { reporter.submit(TestSupport.violation(path: "/secret/\(i)")) }
        reporter.finish()
        #expect(fcntl(pipe.write, F_GETFD) != -1, "fd:N must not be closed")
        close(pipe.write)
        let lines = try TestSupport.parseLines(TestSupport.readToEnd(pipe.read))
        close(pipe.read)
        #expect(lines.map { $0["path"]?.stringValue } == ["/secret/0", "/secret/1", "/secret/2", nil])
        #expect(lines.last?["event"]?.stringValue == "summary")
    }

    @Test func unixDatagramSinkDeliversOneLinePerDatagram() throws {
        let directory = try TestSupport.temporaryDirectory()
        let path = directory + "/guard.sock"
        let receiver = TestSupport.bindDatagramSocket(path: path)
        defer { close(receiver) }
        let reporter = try Reporter(destination: .unix(path), format: .falco, function: "f")
        for i in 0..<5 { reporter.submit(TestSupport.violation(path: "/etc/\(i)")) }
        let stats = reporter.finish()
        let datagrams = TestSupport.receiveAll(receiver)
        #expect(datagrams.count == 6)
        for datagram in datagrams {
            #expect(datagram.last == UInt8(ascii: "\n"))
            let value = try JSONValue.parse(Array(datagram.dropLast()))
            #expect(value["source"]?.stringValue == "guard")
        }
        #expect(stats.written == 6 && stats.dropped == 0)
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func unixSinkWithoutListenerNeitherBlocksNorLoses() throws {
        let directory = try TestSupport.temporaryDirectory()
        let reporter = try Reporter(destination: .unix(directory + "/nobody.sock"), format: .guardSchema, function: "f")
        let start = ContinuousClock.now
        for i in 0..<100 { reporter.submit(TestSupport.violation(path: "/p/\(i)")) }
        let stats = reporter.finish(timeout: 2000)
        #expect(TestSupport.seconds(since: start) < 1)
        #expect(stats.written == 0)
        #expect(stats.dropped == 101, "100 reports and the summary")
        #expect(stats.lastSinkErrno == ENOENT)
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func unixReceiverThatNeverReadsCostsDropsNotTime() throws {
        let directory = try TestSupport.temporaryDirectory()
        let path = directory + "/slow.sock"
        let receiver = TestSupport.bindDatagramSocket(path: path)
        defer { close(receiver) }
        let reporter = try Reporter(destination: .unix(path), format: .guardSchema, function: "f")
        let start = ContinuousClock.now
        for i in 0..<20_000 { reporter.submit(TestSupport.violation(path: "/p/\(i)")) }
        let stats = reporter.finish(timeout: 2000)
        #expect(TestSupport.seconds(since: start) < 2)
        let received = TestSupport.receiveAll(receiver).count
        #expect(stats.dropped > 0)
        #expect(stats.written == received)
        #expect(stats.written + stats.dropped == 20_001)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// With SIGPIPE at its default (terminate), a reader that went away costs drops, not
    /// the process: the writer thread blocks every signal, so EPIPE comes back instead.
    @Test func brokenPipeCountsDropsWithoutDyingOfSIGPIPE() async {
        await #expect(processExitsWith: .success) {
            signal(SIGPIPE, SIG_DFL)
            let pipe = TestSupport.makePipe()
            close(pipe.read)
            let reporter = try Reporter(destination: .fd(pipe.write), format: .guardSchema, function: "f")
            reporter.submit(TestSupport.violation())
            let stats = reporter.finish()
            guard stats.dropped == 2, stats.lastSinkErrno == EPIPE else { exit(3) }
        }
    }

    @Test func stderrSinkWritesToFileDescriptorTwo() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            let reporter = try Reporter(destination: .stderr, format: .guardSchema, function: "on-stderr")
            var report = TestSupport.violation()
            report.function = "on-stderr"
            reporter.submit(report)
            reporter.finish()
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        let events = text.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
            .filter { $0["function"]?.stringValue == "on-stderr" }
        #expect(events.map { $0["event"]?.stringValue } == ["violation", "summary"])
    }
}
