/// XML external entities: entity declarations, DOCTYPEs with an internal subset or an
/// external identifier (other than the W3C's own DTDs), and XInclude.
enum XXEDetector {
    static func detect(_ t: ScanText) -> Range<Int>? {
        let l = t.l
        guard t.flags.contains(.lt) else { return nil }
        if let i = t.find("<!entity") { return i..<min(l.count, i + 60) }
        if let i = t.find("xi:include") ?? t.find("xmlns:xi=") ?? t.find("<xsl:include") ?? t.find("<xsl:import") {
            return i..<min(l.count, i + 60)
        }
        var from = 0
        while let i = l.find("<!doctype", from: from) {
            from = i + 9
            var j = from
            while j < l.count && l[j] != 62 && l[j] != 91 && j < from + 512 { j += 1 }
            if j < l.count, l[j] == 91 { return i..<min(l.count, i + 60) }
            let decl = Array(l[from..<j])
            if decl.find("system") != nil || decl.find("public") != nil {
                if decl.find("http://www.w3.org/") != nil || decl.find("https://www.w3.org/") != nil { continue }
                return i..<min(l.count, i + 60)
            }
        }
        return nil
    }
}
