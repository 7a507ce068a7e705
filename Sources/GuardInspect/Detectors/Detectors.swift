/// Runs the detectors on one decoded text. Each detector is a function from a text to the
/// range of its evidence, or nil; `found` keeps one finding per class per value.
enum Detectors {
    static func detect(_ cls: DetectorClass, _ t: ScanText) -> Range<Int>? {
        switch cls {
        case .sqli: SQLDetector.detect(t)
        case .nosqli: NoSQLDetector.detect(t)
        case .cmdi: ShellDetector.detect(t)
        case .traversal: TraversalDetector.detect(t)
        case .ssrf: SSRFDetector.detect(t)
        case .xss: XSSDetector.detect(t)
        case .ssti: TemplateDetector.detect(t)
        case .jndi: JNDIDetector.detect(t)
        case .xxe: XXEDetector.detect(t)
        case .proto: ProtoDetector.detect(t)
        case .deser: DeserDetector.detect(t)
        case .ldap: LDAPDetector.detect(t)
        case .crlf: CRLFDetector.detect(t)
        }
    }

    static let classes = DetectorClass.allCases

    /// Letters, digits and `-_.` only, short: no detector but the serialized-object one
    /// (base64 markers) and the key checks can fire, so the rest are skipped.
    static func isInert(_ b: [UInt8], role: ValueRole) -> Bool {
        if b.count > 256 { return false }
        for c in b where !(isAlnum(c) || c == 45 || c == 46 || c == 95) { return false }
        return true
    }

    /// Commands that are a probe when they are the whole value.
    static let probes = WordTable(
        words: """
            whoami ifconfig ipconfig systeminfo sysinfo netstat uname printenv tasklist phpinfo getmac driverquery \
            gpresult lsb_release hostnamectl qwinsta quser nltest
            """, value: true)

    static func inertCheck(_ b: [UInt8], role: ValueRole, mask: DetectorMask) -> (DetectorClass, Range<Int>)? {
        if b.count < 6 { return nil }
        let t = ScanText(b, role: role)
        if mask.contains(.deser), let r = DeserDetector.detect(t) { return (.deser, r) }
        if mask.contains(.proto), let r = ProtoDetector.detect(t) { return (.proto, r) }
        if mask.contains(.sqli), let r = SQLDetector.detectInert(t) { return (.sqli, r) }
        if mask.contains(.cmdi), probes.contains(t.l[...]) { return (.cmdi, 0..<b.count) }
        // ..2f..2fetc2fpasswd, 0x2e0x2e0x2f…: traversal spelled with letters and digits only.
        if mask.contains(.traversal),
            t.find("..") != nil || t.find("0x2") != nil || t.find("0x5") != nil || t.find("passwd") != nil
                || t.find(".ini") != nil,
            let r = TraversalDetector.detect(t)
        {
            return (.traversal, r)
        }
        return nil
    }
}
