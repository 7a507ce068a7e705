/// What a `Reporter` did, counted in events (a folded line with `"count": N` is N events).
///
/// Once `finish` has returned, `submitted + 1 == written + dropped`: the one is the summary,
/// which is counted as dropped if it could not be written.
public struct ReportStatistics: Sendable, Equatable {
    /// Reports passed to `submit`.
    public var submitted: Int = 0
    /// Events that reached the sink, one by one or in a folded line.
    public var written: Int = 0
    /// Events lost: queue full, the sink refused the line, submitted after `finish`, or
    /// still queued when `finish` timed out.
    public var dropped: Int = 0
    /// Violations folded into a line with `"count": N` instead of a line of their own
    /// (`reports_folded` in the summary), whether or not that line reached the sink.
    public var folded: Int = 0
    /// Violations submitted, whether or not their lines were written.
    public var violations: Int = 0
    public var byCategory: [ReportCategory: Int] = [:]
    public var byAction: [ReportAction: Int] = [:]
    /// The errno of the last failed write, 0 if none failed.
    public var lastSinkErrno: Int32 = 0

    public init() {}
}
