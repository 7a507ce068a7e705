import GuardJSON

#if canImport(Glibc)
import Glibc
#endif

/// The writer thread: everything that may block on the sink happens here.
extension Reporter {
    /// Starts the writer with every signal blocked, so that signals meant for the
    /// supervisor never land on it. Returns 0 or the errno of pthread_create.
    func startWriter() -> Int32 {
        var all = sigset_t()
        var previous = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_SETMASK, &all, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(
            &thread, nil,
            { context in
                let reporter = Unmanaged<Reporter>.fromOpaque(context!).takeRetainedValue()
                reporter.runWriter()
                return nil
            }, context)
        if rc != 0 { Unmanaged<Reporter>.fromOpaque(context).release() }
        return rc
    }

    func runWriter() {
        var folds = FoldTable(windowNanoseconds: foldWindowNanoseconds, capacity: foldCapacity)
        var batch: [QueuedReport] = []
        batch.reserveCapacity(min(capacity, 256))
        pthread_mutex_lock(mutex)
        while true {
            if state == .abandoned {
                pthread_mutex_unlock(mutex)
                return
            }
            if queue.isEmpty {
                if state == .finishing { break }
                if let deadline = folds.nextDeadline {
                    if deadline <= ReportTime.monotonicNanoseconds() {
                        pthread_mutex_unlock(mutex)
                        let alive = write(folds.expire(now: ReportTime.monotonicNanoseconds()))
                        pthread_mutex_lock(mutex)
                        if !alive { break }
                        continue
                    }
                    var until = Self.timespec(monotonic: deadline)
                    pthread_cond_timedwait(wake, mutex, &until)
                } else {
                    pthread_cond_wait(wake, mutex)
                }
                continue
            }
            swap(&queue, &batch)
            pthread_mutex_unlock(mutex)
            var alive = true
            for queued in batch where alive {
                alive = write(folds.admit(queued))
            }
            batch.removeAll(keepingCapacity: true)
            if alive { alive = write(folds.expire(now: ReportTime.monotonicNanoseconds())) }
            pthread_mutex_lock(mutex)
            if !alive { break }
        }
        let finishing = state == .finishing
        pthread_mutex_unlock(mutex)
        guard finishing, write(folds.drain()) else { return }
        writeSummary()
    }

    /// Writes lines and counts them; false once `finish` has given up on the writer.
    private func write(_ lines: [FoldTable.Line]) -> Bool {
        for line in lines {
            let bytes = encoder.line(line.report.report, time: line.report.time, count: line.count)
            let error = bytes.withUnsafeBytes { sink.write($0) }
            let events = line.count ?? 1
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            if state == .abandoned { return false }
            unresolved -= events
            if line.count != nil { stats.folded += events }
            if error == 0 {
                stats.written += events
            } else {
                stats.dropped += events
                stats.lastSinkErrno = error
            }
        }
        return true
    }

    /// The last line of a run. Its `dropped` cannot include itself: if it is lost too,
    /// `statistics.dropped` is one more than the line says.
    private func writeSummary() {
        pthread_mutex_lock(mutex)
        let counts = stats
        pthread_mutex_unlock(mutex)
        let summary = Report(event: .summary, function: function, extra: Self.summaryFields(counts))
        let bytes = encoder.line(summary, time: ReportTime.now(), count: nil)
        let error = bytes.withUnsafeBytes { sink.write($0) }
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard state == .finishing else { return }
        if error == 0 {
            stats.written += 1
        } else {
            stats.dropped += 1
            stats.lastSinkErrno = error
        }
        summaryResolved = true
        state = .finished
        pthread_cond_signal(done)
    }

    /// `violations`, `by_category`, `by_action` (in schema order, zero counts left out),
    /// `reports_folded`, `dropped`.
    static func summaryFields(_ counts: ReportStatistics) -> [(key: String, value: JSONValue)] {
        let categories = ReportCategory.allCases.compactMap { category in
            counts.byCategory[category].map { (key: category.rawValue, value: JSONValue.int(Int64($0))) }
        }
        let actions = ReportAction.allCases.compactMap { action in
            counts.byAction[action].map { (key: action.rawValue, value: JSONValue.int(Int64($0))) }
        }
        return [
            ("violations", .int(Int64(counts.violations))),
            ("by_category", .object(categories)),
            ("by_action", .object(actions)),
            ("reports_folded", .int(Int64(counts.folded))),
            ("dropped", .int(Int64(counts.dropped))),
        ]
    }
}
