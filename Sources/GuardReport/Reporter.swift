#if canImport(Glibc)
import Glibc
#endif

/// Writes reports as JSON Lines off the supervisor's path.
///
/// `submit` stamps the time and appends to a bounded queue under a mutex that is never
/// held across I/O; when the queue is full it counts a drop and returns. A writer pthread
/// (all signals blocked) takes the whole queue at once (a double
/// buffer, so the lock is held for a swap), folds repeated violations, encodes through
/// jansson and writes to the sink. `finish` writes the summary, flushes and joins, giving
/// up after a timeout if the sink is stuck.
///
/// Call `finish` exactly once: the writer thread holds the reporter until then.
public final class Reporter: @unchecked Sendable {
    enum State {
        /// Accepting reports.
        case running
        /// `finish` called: the writer drains the queue, the folds and writes the summary.
        case finishing
        /// The writer wrote the summary and is exiting.
        case finished
        /// `finish` timed out; the writer must not write or count anything more.
        case abandoned
    }

    public let destination: ReportDestination
    public let format: ReportFormat
    /// The function name written into the summary.
    public let function: String
    let sink: ReportSink
    let encoder: ReportEncoder
    let capacity: Int
    let foldWindowNanoseconds: UInt64
    let foldCapacity: Int

    let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Signalled by `submit` and `finish`; the writer waits on it.
    let wake: UnsafeMutablePointer<pthread_cond_t>
    /// Signalled by the writer when it has finished; `finish` waits on it.
    let done: UnsafeMutablePointer<pthread_cond_t>
    var thread = pthread_t()

    // Guarded by `mutex`.
    var queue: [QueuedReport] = []
    var state = State.running
    var stats = ReportStatistics()
    /// Events accepted into the queue and neither written nor dropped yet.
    var unresolved = 0
    /// Whether the summary has been counted as written or dropped.
    var summaryResolved = false

    /// Opens the sink and starts the writer thread.
    /// - Parameters:
    ///   - capacity: how many reports may wait for the writer before `submit` drops.
    ///   - foldWindow: milliseconds during which identical violations fold; 0 turns folding off.
    ///   - foldKeys: how many distinct violations are folded at once.
    public init(
        destination: ReportDestination, format: ReportFormat, function: String, capacity: Int = 4096,
        foldWindow milliseconds: Int = 1000, foldKeys: Int = 1024
    ) throws(ReportError) {
        self.destination = destination
        self.format = format
        self.function = function
        self.capacity = max(1, capacity)
        self.foldWindowNanoseconds = UInt64(max(0, milliseconds)) * 1_000_000
        self.foldCapacity = max(0, foldKeys)
        self.sink = try ReportSink.open(destination)
        self.encoder = ReportEncoder(format: format, hostname: format == .falco ? Self.hostname() : "")

        mutex = .allocate(capacity: 1)
        wake = .allocate(capacity: 1)
        done = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(wake, &attributes)
        pthread_cond_init(done, &attributes)
        pthread_condattr_destroy(&attributes)
        queue.reserveCapacity(min(self.capacity, 256))

        let rc = startWriter()
        if rc != 0 {
            sink.close()
            throw ReportError(code: .thread, destination: destination.description, errno: rc)
        }
    }

    deinit {
        pthread_cond_destroy(done)
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(mutex)
        done.deallocate()
        wake.deallocate()
        mutex.deallocate()
    }

    /// Queues one report, stamped with the current time. Never waits on the sink: when the
    /// queue is full (or after `finish`) the report is counted as dropped.
    public func submit(_ report: Report) {
        let queued = QueuedReport(
            report: report, time: ReportTime.now(), monotonic: ReportTime.monotonicNanoseconds())
        pthread_mutex_lock(mutex)
        stats.submitted += 1
        if report.event == .violation {
            stats.violations += 1
            if let category = report.category { stats.byCategory[category, default: 0] += 1 }
            if let action = report.action { stats.byAction[action, default: 0] += 1 }
        }
        if state == .running && queue.count < capacity {
            queue.append(queued)
            unresolved += 1
            pthread_cond_signal(wake)
        } else {
            stats.dropped += 1
        }
        pthread_mutex_unlock(mutex)
    }

    /// Writes the summary, flushes everything queued and folded, joins the writer and
    /// closes the sink. If the sink is still stuck after `timeout` milliseconds, what is
    /// left (the summary included) is counted as dropped and this returns anyway, leaving
    /// the writer blocked in its write. Calling it again does nothing.
    @discardableResult
    public func finish(timeout milliseconds: Int = 2000) -> ReportStatistics {
        pthread_mutex_lock(mutex)
        guard state == .running else {
            let result = stats
            pthread_mutex_unlock(mutex)
            return result
        }
        state = .finishing
        pthread_cond_signal(wake)
        var deadline = Self.timespec(
            monotonic: ReportTime.monotonicNanoseconds() &+ UInt64(max(0, milliseconds)) &* 1_000_000)
        while state == .finishing {
            if pthread_cond_timedwait(done, mutex, &deadline) == ETIMEDOUT { break }
        }
        let finished = state == .finished
        if !finished {
            state = .abandoned
            stats.dropped += unresolved + (summaryResolved ? 0 : 1)
            unresolved = 0
            summaryResolved = true
        }
        let result = stats
        pthread_mutex_unlock(mutex)
        if finished {
            pthread_join(thread, nil)
            sink.close()
        } else {
            pthread_detach(thread)
        }
        return result
    }

    /// Events dropped so far (see `ReportStatistics.dropped`).
    public var droppedCount: Int {
        statistics.dropped
    }

    /// A snapshot of the counters.
    public var statistics: ReportStatistics {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return stats
    }

    static func timespec(monotonic nanoseconds: UInt64) -> timespec {
        Glibc.timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    }

    static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
