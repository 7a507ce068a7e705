/// A report as it waits in the queue: stamped with both clocks in `submit`.
struct QueuedReport: Sendable {
    var report: Report
    /// Wall-clock time, written as `time`.
    var time: ReportTime
    /// Monotonic nanoseconds, for folding windows.
    var monotonic: UInt64
}

/// What makes two violations "the same" for folding. Evidence, time and extras are left
/// out: a storm of one probe with varying evidence still folds.
struct FoldKey: Hashable {
    var function: String
    var category: ReportCategory?
    var action: ReportAction?
    var rule: String?
    var syscall: String?
    var path: String?
    var address: String?
    var exe: String?
    var pid: Int32?
    var payloadClass: String?
    var payloadLocation: String?
    var requestID: String?

    init(_ report: Report) {
        function = report.function
        category = report.category
        action = report.action
        rule = report.rule
        syscall = report.syscall
        path = report.path
        address = report.address
        exe = report.exe
        pid = report.pid
        payloadClass = report.payload?.detectorClass
        payloadLocation = report.payload?.location
        requestID = report.requestID
    }
}

/// Folds repeated identical violations. Owned by the writer thread alone.
///
/// The first occurrence of a key is written at once and opens a window. Identical
/// violations inside the window are only counted; when the window closes (or at finish)
/// one line is written for the last of them with `"count": N`, N being how many were
/// folded, and the key is forgotten, so the next occurrence is written at once again.
/// At most `capacity` keys are tracked; past that, violations are written one by one.
struct FoldTable {
    struct Entry {
        var windowEnd: UInt64
        var pending: Int
        var last: QueuedReport?
    }

    /// A line to write: the report and, for a folded line, its count.
    typealias Line = (report: QueuedReport, count: Int?)

    let window: UInt64
    let capacity: Int
    private(set) var entries: [FoldKey: Entry] = [:]

    init(windowNanoseconds: UInt64, capacity: Int) {
        self.window = windowNanoseconds
        self.capacity = capacity
    }

    /// Admits one report; returns the lines to write now, in order (none if it folded).
    mutating func admit(_ queued: QueuedReport) -> [Line] {
        guard queued.report.event == .violation, window > 0 else { return [(queued, nil)] }
        let key = FoldKey(queued.report)
        var lines: [Line] = []
        if var entry = entries[key] {
            if queued.monotonic < entry.windowEnd {
                entry.pending += 1
                entry.last = queued
                entries[key] = entry
                return []
            }
            if let last = entry.last, entry.pending > 0 { lines.append((last, entry.pending)) }
            entries[key] = nil
        }
        if entries.count < capacity {
            entries[key] = Entry(windowEnd: queued.monotonic &+ window, pending: 0, last: nil)
        }
        lines.append((queued, nil))
        return lines
    }

    /// Closes the windows that ended by `now`; returns their folded lines.
    mutating func expire(now: UInt64) -> [Line] {
        var lines: [Line] = []
        for (key, entry) in entries where entry.windowEnd <= now {
            if let last = entry.last, entry.pending > 0 { lines.append((last, entry.pending)) }
            entries[key] = nil
        }
        return lines.sorted { $0.report.monotonic < $1.report.monotonic }
    }

    /// Closes every window (at finish).
    mutating func drain() -> [Line] {
        expire(now: UInt64.max)
    }

    /// When the next window closes, if any is open.
    var nextDeadline: UInt64? {
        entries.values.lazy.map(\.windowEnd).min()
    }
}
