import Foundation
import GuardInspect
import Testing

/// Generated realistic traffic (BenignTraffic) in API Gateway events: false positives ≤ 2 %.
@Suite struct BenignTrafficTests {
    static func event(_ value: String, placement: Int) -> [String: Any] {
        var sample = CorpusSample(
            id: "gen", label: "benign", location: "query", payload: value, encoded: nil, part: nil, param: "comment",
            header: nil, contentType: nil, source: "generated")
        switch placement % 4 {
        case 1:
            sample.location = "body"
            if value.hasPrefix("{") {
                sample.contentType = "application/json"
            } else {
                sample.contentType = "application/json"
                sample.payload = String(
                    decoding: try! JSONSerialization.data(withJSONObject: ["comment": value, "id": 7]), as: UTF8.self)
            }
        case 2: sample.location = "body"
        case 3 where !value.contains("\n"):
            sample.location = "header"
            sample.header = "x-comment"
        default: break
        }
        return EventBuilder.v2(sample)
    }

    @Test func generatedTrafficPasses() {
        let inspector = Inspector()
        let values = BenignTraffic.values(count: 2000)
        var flagged: [(String, Finding)] = []
        for (i, v) in values.enumerated() {
            let r = inspector.inspect(event: EventBuilder.bytes(Self.event(v, placement: i)))
            if let f = r.findings.first { flagged.append((v, f)) }
        }
        let rate = Double(flagged.count) / Double(values.count)
        print("generated benign traffic: \(values.count) events, \(flagged.count) flagged (\(String(format: "%.2f", 100 * rate)) %)")
        for (v, f) in flagged.prefix(40) { print("  \(f.detectorClass) \(f.location): \(v.prefix(100).debugDescription)") }
        #expect(rate <= 0.02)
    }
}
