import GuardInspect
import Testing

@Test func smoke() {
    let r = Inspector().inspect(payload: "1 union select 1,2--", location: "/q")
    #expect(r.findings.first?.detectorClass == .sqli)
}
