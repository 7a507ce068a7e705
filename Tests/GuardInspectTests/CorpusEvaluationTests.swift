import Foundation
import GuardInspect
import Testing

/// The evaluation: every corpus sample as an API Gateway v2 event at its location, recall
/// per class and the benign false-positive rate, pooled and on the held-out 20 %.
/// Fails when a class with 20 or more samples is under 90 % recall, or benign false
/// positives exceed 2 % (pooled). A sample counts as caught when its event is blocked.
struct Evaluation {
    struct Tally {
        var total = 0
        var caught = 0
        var rightClass = 0
        var recall: Double { total == 0 ? 0 : Double(caught) / Double(total) }
    }

    var pooled: [String: Tally] = [:]
    var heldOut: [String: Tally] = [:]
    var sqliBySource: [String: Tally] = [:]

    static func run() throws -> Evaluation {
        let samples = try CorpusSample.load()
        let inspector = Inspector()
        let box = VerdictBox(count: samples.count)
        let chunks = 8
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            var local: [(Int, Bool, Bool)] = []
            var i = c
            while i < samples.count {
                let r = inspector.inspect(event: EventBuilder.bytes(EventBuilder.v2(samples[i])))
                local.append((i, r.isBlocking, r.findings.contains { $0.detectorClass.rawValue == samples[i].label }))
                i += chunks
            }
            box.store(local)
        }
        let verdicts = box.verdicts
        var e = Evaluation()
        for (s, v) in zip(samples, verdicts) {
            func add(_ t: inout Tally) {
                t.total += 1
                if v.caught { t.caught += 1 }
                if v.right { t.rightClass += 1 }
            }
            add(&e.pooled[s.label, default: Tally()])
            if s.isHeldOut { add(&e.heldOut[s.label, default: Tally()]) }
            if s.label == "sqli" { add(&e.sqliBySource[String(s.source.prefix { $0 != ":" }), default: Tally()]) }
        }
        return e
    }

    static func macro(_ t: [String: Tally]) -> Double {
        let attacks = t.filter { $0.key != "benign" }.values
        return attacks.map(\.recall).reduce(0, +) / Double(max(1, attacks.count))
    }

    func report() -> String {
        func pct(_ x: Double) -> String { String(format: "%6.1f%%", 100 * x) }
        var s = "class         n  pooled  right-class   held-out (n)\n"
        for c in DetectorClass.allCases.map(\.rawValue) {
            let p = pooled[c] ?? Tally()
            let h = heldOut[c] ?? Tally()
            s +=
                c.padding(toLength: 10, withPad: " ", startingAt: 0) + String(format: "%5d", p.total) + " "
                + pct(p.recall)
                + "  " + pct(p.total == 0 ? 0 : Double(p.rightClass) / Double(p.total)) + "     " + pct(h.recall)
                + " (\(h.total))\n"
        }
        let all = pooled.filter { $0.key != "benign" }.values.reduce(Tally()) {
            Tally(total: $0.total + $1.total, caught: $0.caught + $1.caught)
        }
        let allH = heldOut.filter { $0.key != "benign" }.values.reduce(Tally()) {
            Tally(total: $0.total + $1.total, caught: $0.caught + $1.caught)
        }
        s += "all attacks     \(pct(all.recall))   held-out \(pct(allH.recall))\n"
        s += "macro recall    \(pct(Self.macro(pooled)))   held-out \(pct(Self.macro(heldOut)))\n"
        s += "benign FP       \(pct(pooled["benign"]?.recall ?? 0))   held-out \(pct(heldOut["benign"]?.recall ?? 0))\n"
        for (src, t) in sqliBySource.sorted(by: { $0.key < $1.key }) {
            s += "sqli/\(src): \(pct(t.recall)) of \(t.total)\n"
        }
        return s
    }
}

final class VerdictBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var verdicts: [(caught: Bool, right: Bool)]
    init(count: Int) { verdicts = Array(repeating: (false, false), count: count) }
    func store(_ items: [(Int, Bool, Bool)]) {
        lock.lock()
        for (i, a, b) in items { verdicts[i] = (a, b) }
        lock.unlock()
    }
}

@Suite struct CorpusEvaluationTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: CorpusSample.corpusURL.path)))
    func recallAndFalsePositives() throws {
        let e = try Evaluation.run()
        print(e.report())
        let judged = e.pooled.filter { $0.key != "benign" && $0.value.total >= 20 }
        #expect(judged.count == 13, "every class has its 20 samples: \(judged.keys.sorted())")
        for (c, t) in judged {
            #expect(t.recall >= 0.90, "\(c): recall \(t.recall) of \(t.total)")
        }
        #expect((e.pooled["benign"]?.recall ?? 1) <= 0.02, "benign false positives")
    }
}
