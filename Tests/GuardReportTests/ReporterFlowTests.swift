import Foundation
import GuardJSON
import Testing

@testable import GuardReport

/// Back-pressure, folding and the summary, through real pipes and files.
@Suite struct ReporterFlowTests {
    /// A pipe whose buffer is already full, so any blocking write on it stalls.
    func stuckPipe() -> (read: Int32, write: Int32, filler: Int) {
        let pipe = TestSupport.makePipe()
        _ = fcntl(pipe.write, 1031 /* F_SETPIPE_SZ, behind _GNU_SOURCE */, 4096)
        TestSupport.setNonBlocking(pipe.write, true)
        var filler = 0
        let chunk = [UInt8](repeating: UInt8(ascii: "#"), count: 512)
        while true {
            let n = write(pipe.write, chunk, chunk.count)
            if n <= 0 { break }
            filler += n
        }
        TestSupport.setNonBlocking(pipe.write, false)
        return (pipe.read, pipe.write, filler)
    }

    @Test func stuckSinkNeverBlocksSubmitAndFinishKeepsItsTimeout() throws {
        signal(SIGPIPE, SIG_IGN)
        let pipe = stuckPipe()
        let reporter = try Reporter(destination: .fd(pipe.write), format: .guardSchema, function: "f")
        let reports = (0..<100_000).map { TestSupport.violation(path: "/data/\($0)") }

        let submitStart = ContinuousClock.now
        for report in reports { reporter.submit(report) }
        let submitSeconds = TestSupport.seconds(since: submitStart)
        #expect(submitSeconds < 0.5, "100k submits took \(submitSeconds)s")

        let finishStart = ContinuousClock.now
        let stats = reporter.finish(timeout: 300)
        let finishSeconds = TestSupport.seconds(since: finishStart)
        #expect(finishSeconds >= 0.25 && finishSeconds < 1.0, "finish took \(finishSeconds)s")

        #expect(stats.submitted == 100_000)
        #expect(stats.dropped > 0)
        #expect(stats.written == 0)
        #expect(stats.dropped == stats.submitted - stats.written + 1, "every report and the summary are accounted")
        #expect(reporter.droppedCount == stats.dropped)

        // Unstick the writer: the line it was blocked on may still land; nothing after it.
        var bytes = TestSupport.drain(pipe.read)
        usleep(50_000)
        bytes += TestSupport.drain(pipe.read)
        #expect(bytes.count >= pipe.filler)
        let lines = try TestSupport.parseLines(Array(bytes.dropFirst(pipe.filler)))
        #expect(lines.count <= stats.written + 1)
        close(pipe.write)
        close(pipe.read)
    }

    @Test func slowReaderLosesNothingWhenTheQueueKeepsUp() throws {
        let pipe = TestSupport.makePipe()
        let reporter = try Reporter(
            destination: .fd(pipe.write), format: .guardSchema, function: "f", capacity: 100_000)
        let collected = LockedBytes()
        let thread = Thread {
            usleep(100_000)
            collected.append(TestSupport.readToEnd(pipe.read))
        }
        thread.start()
        for i in 0..<5_000 { reporter.submit(TestSupport.violation(path: "/data/\(i)")) }
        let stats = reporter.finish(timeout: 5000)
        close(pipe.write)
        while !thread.isFinished { usleep(1000) }
        let lines = try TestSupport.parseLines(collected.bytes)
        close(pipe.read)
        #expect(stats.dropped == 0)
        #expect(lines.count == 5_001)
        #expect(stats.written == 5_001)
        #expect(lines.last?["dropped"]?.intValue == 0)
    }

    @Test func identicalViolationsFoldIntoOneCountedLine() throws {
        let directory = try TestSupport.temporaryDirectory()
        let path = directory + "/fold.jsonl"
        let reporter = try Reporter(destination: .file(path), format: .guardSchema, function: "orders-api")
        for _ in 0..<1000 { reporter.submit(TestSupport.violation()) }
        let stats = reporter.finish()
        let lines = try TestSupport.readLines(path: path)
        #expect(lines.count == 3)
        #expect(lines[0]["path"]?.stringValue == "/etc/shadow")
        #expect(lines[0]["count"] == nil)
        #expect(lines[1]["count"]?.intValue == 999)
        #expect(TestSupport.keys(lines[1]).last == "count")
        #expect(lines[2]["event"]?.stringValue == "summary")
        #expect(lines[2]["violations"]?.intValue == 1000)
        #expect(lines[2]["reports_folded"]?.intValue == 999)
        #expect(lines[2]["dropped"]?.intValue == 0)
        #expect(stats.written == 1001 && stats.folded == 999)
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func differentPathsAreNotFolded() throws {
        let directory = try TestSupport.temporaryDirectory()
        let path = directory + "/fold.jsonl"
        let reporter = try Reporter(destination: .file(path), format: .guardSchema, function: "orders-api")
        for _ in 0..<3 {
            reporter.submit(TestSupport.violation(path: "/etc/shadow"))
            reporter.submit(TestSupport.violation(path: "/etc/gshadow"))
        }
        reporter.finish()
        let lines = try TestSupport.readLines(path: path).filter { $0["event"]?.stringValue == "violation" }
        let firsts = lines.filter { $0["count"] == nil }.compactMap { $0["path"]?.stringValue }
        let folded = lines.filter { $0["count"] != nil }
        #expect(Set(firsts) == ["/etc/shadow", "/etc/gshadow"])
        #expect(folded.count == 2)
        #expect(folded.allSatisfy { $0["count"]?.intValue == 2 })
        #expect(Set(folded.compactMap { $0["path"]?.stringValue }) == ["/etc/shadow", "/etc/gshadow"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func foldedLineIsWrittenWhenItsWindowCloses() throws {
        let pipe = TestSupport.makePipe()
        let reporter = try Reporter(destination: .fd(pipe.write), format: .guardSchema, function: "f", foldWindow: 50)
        for _ in 0..<10 { reporter.submit(TestSupport.violation()) }
        usleep(300_000)
        let early = try TestSupport.parseLines(TestSupport.drain(pipe.read))
        #expect(early.count == 2)
        #expect(early.last?["count"]?.intValue == 9)
        reporter.submit(TestSupport.violation())
        reporter.finish()
        close(pipe.write)
        TestSupport.setNonBlocking(pipe.read, false)
        let late = try TestSupport.parseLines(TestSupport.readToEnd(pipe.read))
        close(pipe.read)
        #expect(late.map { $0["event"]?.stringValue } == ["violation", "summary"])
        #expect(late.first?["count"] == nil, "a new window starts with a line of its own")
    }

    @Test func lifecycleEventsAreNeverFolded() throws {
        let pipe = TestSupport.makePipe()
        let reporter = try Reporter(destination: .fd(pipe.write), format: .guardSchema, function: "f")
        for _ in 0..<3 { reporter.submit(Report(event: .start, function: "f")) }
        reporter.finish()
        close(pipe.write)
        let lines = try TestSupport.parseLines(TestSupport.readToEnd(pipe.read))
        close(pipe.read)
        #expect(lines.map { $0["event"]?.stringValue } == ["start", "start", "start", "summary"])
    }

    @Test func summaryCountsByCategoryAndAction() throws {
        let pipe = TestSupport.makePipe()
        let reporter = try Reporter(destination: .fd(pipe.write), format: .guardSchema, function: "orders-api")
        reporter.submit(Report(event: .start, function: "orders-api"))
        reporter.submit(TestSupport.violation(path: "/a", category: .file, action: .denied))
        reporter.submit(TestSupport.violation(path: "/b", category: .file, action: .audited))
        reporter.submit(TestSupport.violation(path: "/c", category: .network, action: .denied))
        reporter.submit(TestSupport.violation(path: "/d", category: .syscall, action: .killed))
        reporter.submit(Report(event: .exit, function: "orders-api", extra: [("status", 0)]))
        let stats = reporter.finish()
        close(pipe.write)
        let lines = try TestSupport.parseLines(TestSupport.readToEnd(pipe.read))
        close(pipe.read)
        let summary = try #require(lines.last)
        #expect(
            TestSupport.keys(summary) == [
                "time", "event", "function", "violations", "by_category", "by_action", "reports_folded", "dropped",
            ])
        #expect(summary["violations"]?.intValue == 4)
        #expect(summary["by_category"] == ["syscall": 1, "file": 2, "network": 1])
        #expect(summary["by_action"] == ["denied": 2, "killed": 1, "audited": 1])
        #expect(summary["reports_folded"]?.intValue == 0)
        #expect(summary["dropped"]?.intValue == 0)
        #expect(stats.byCategory == [.file: 2, .network: 1, .syscall: 1])
        #expect(stats.submitted == 6 && stats.written == 7)
    }

    @Test func submitAfterFinishIsCountedAsDropped() throws {
        let pipe = TestSupport.makePipe()
        let reporter = try Reporter(destination: .fd(pipe.write), format: .guardSchema, function: "f")
        reporter.finish()
        reporter.submit(TestSupport.violation())
        #expect(reporter.droppedCount == 1)
        #expect(reporter.finish().dropped == 1, "a second finish changes nothing")
        close(pipe.write)
        close(pipe.read)
    }
}

/// Bytes collected on another thread.
final class LockedBytes: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [UInt8] = []
    func append(_ bytes: [UInt8]) { lock.withLock { storage += bytes } }
    var bytes: [UInt8] { lock.withLock { storage } }
}
