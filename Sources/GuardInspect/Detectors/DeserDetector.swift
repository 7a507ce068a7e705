/// Serialized-object markers: Java (stream magic raw, hex or base64, gadget classes and
/// dangerous packages, also base64-encoded at any alignment), PHP `O:`/`a:` serializations,
/// Python pickle opcodes, YAML language tags, node-serialize functions, .NET type hints and
/// BinaryFormatter headers, Jackson/Fastjson polymorphic type names.
enum DeserDetector {
    static let gadgetWords: [String] = [
        "clonetransformer", "forclosure", "instantiatefactory", "instantiatetransformer", "invokertransformer",
        "prototypeclonefactory", "prototypeserializationfactory", "whileclosure", "chainedtransformer",
        "constanttransformer", "lazymap", "templatesimpl", "jdbcrowsetimpl", "annotationinvocationhandler",
        "badattributevalueexpexception", "priorityqueue", "ysoserial", "objectdataprovider", "typeconfusedelegate",
        "windowsidentity", "textformattingrunproperties", "getruntime", "processbuilder", "java.lang.runtime",
        "_$$nd_func$$_", "__js_function", "xmldecoder", "xstream", "c3p0", "scriptenginemanager", "urlclassloader",
        "org.apache.commons", "com.opensymphony", "ognl.", "java.lang.reflect", "org.codehaus.groovy.runtime",
        "com.sun.rowset", "org.springframework.beans",
        "com.mchange.v2", "ch.qos.logback", "bsh.interpreter", "javax.management", "javax.naming", "javax.script",
        "com.sun.org.apache", "org.omg.corba", "sun.misc", "sun.reflect", "java.rmi", "java.beans",
        "system.windows.data",
        "system.diagnostics.process", "!!python/", "!!ruby/", "!ruby/", "!!java", "!!javax", "!!com.", "!!org.",
        "!!net.", "tag:yaml.org,2002:python", "tag:yaml.org,2002:ruby", "tag:yaml.org,2002:java", "c__builtin__",
        "cposix\nsystem", "cos\nsystem", "csubprocess", "cnt\nsystem", "cbuiltins", "c__main__", "java.io.",
        "java.lang.",
        "java.net.", "java.nio.", "java.util.prefs", "javax.", "com.sun.", "aced0005", "ro0ab",
        "aaeaaad/////", "$type\":\"system.", "$type\": \"system.", "mscorlib", "@type\":\"com.", "@type\":\"org.",
        "@type\": \"com.", "@type\":\"java.", "@type\": \"java.", "@type\":\"org", "oracle.jdbc", "org.hibernate",
        "weblogic.", "com.alibaba", "org.mozilla.javascript",
    ]
    static let gadgets = NeedleSet(gadgetWords)
    static let packages: Set<Int> = Set(
        ["java.io.", "java.lang.", "java.net.", "java.nio.", "javax.", "com.sun."].compactMap {
            gadgetWords.firstIndex(of: $0)
        })

    /// What the base64 of a serialized object decodes to.
    static let decodedMarkers = NeedleSet([
        "runtime", "processbuilder", "clonetransformer", "forclosure", "instantiatefactory", "instantiatetransformer",
        "invokertransformer", "prototypeclonefactory", "prototypeserializationfactory", "whileclosure",
        "chainedtransformer", "templatesimpl", "java.lang", "javax.", "ysoserial", "commons.collections",
        "objectinputstream", "getruntime", "system.diagnostics", "objectdataprovider", "posix", "subprocess",
    ])

    static func detect(_ t: ScanText) -> Range<Int>? {
        let l = t.l
        let b = t.b
        var found: Range<Int>? = nil
        gadgets.forEach(in: l) { k, i in
            if packages.contains(k) {
                // A package followed by a class or subpackage name, at a word start.
                let e = i + gadgets.needles[k].count
                guard wordStart(l, i) || l[i - 1] == 34 || l[i - 1] == 33, e < l.count, isAlpha(l[e]) else {
                    return false
                }
            }
            found = i..<min(l.count, i + 60)
            return true
        }
        if let found { return found }
        // java.evil.runtime, runtime.clonetransformer: a Java-ish dotted name ending in a
        // dangerous class.
        if t.flags.contains(.dot) {
            for w in [u8("runtime"), u8("processbuilder")] {
                if let i = l.find(w), i > 0, l[i - 1] == 46 || (i + w.count < l.count && l[i + w.count] == 46) {
                    if l.find("java") != nil || l[(i + w.count)...].contains(46) {
                        return max(0, i - 20)..<min(l.count, i + 40)
                    }
                }
            }
        }
        if b.count >= 4,
            b.starts(with: [0xAC, 0xED, 0x00, 0x05]) || b.starts(with: [0x80, 0x04, 0x95])
                || b.starts(with: [0x80, 0x03]) && b.contains(0x2E)
        {
            return 0..<min(l.count, 20)
        }
        if t.flags.contains(.colon), let r = php(l) { return r }
        if t.flags.contains(.squote) || t.flags.contains(.newline), let r = pickle(l) { return r }
        if let r = base64Markers(t) { return r }
        if t.flags.contains(.bracket), let r = jackson(l) { return r }
        return nil
    }

    /// O:8:"stdClass":0:{}  a:2:{s:8:"username";b:1;…}  C:11:"ArrayObject":…
    static func php(_ l: [UInt8]) -> Range<Int>? {
        var from = 0
        while let c = l.find([58], from: from) {
            from = c + 1
            guard c > 0 else { continue }
            let k = l[c - 1]
            guard k == 111 || k == 99 || k == 97, c < 2 || !isAlnum(l[c - 2]) else { continue }
            var j = c + 1
            let ds = j
            while j < l.count && isDigit(l[j]) { j += 1 }
            guard j > ds, j < l.count, l[j] == 58, j + 1 < l.count else { continue }
            if k == 97 {
                if l[j + 1] == 123, j + 3 < l.count,
                    [105, 115, 98, 100, 110, 97, 111].contains(l[j + 2]) || l[j + 2] == 125
                {
                    return (c - 1)..<min(l.count, c + 59)
                }
            } else if l[j + 1] == 34 {
                return (c - 1)..<min(l.count, c + 59)
            }
        }
        return nil
    }

    /// Protocol-0 pickle: `cos\nsystem\n(S'id'\ntR.`
    static func pickle(_ l: [UInt8]) -> Range<Int>? {
        if let i = l.find("\n(s'") ?? l.find("\ntr.") ?? l.find("(s'"), l.find("\n") != nil,
            l.first == 99 || l.find("\nc") != nil
        {
            return max(0, i - 20)..<min(l.count, i + 40)
        }
        return nil
    }

    /// Per byte: 0 not base64; bit 0 upper, bit 1 lower, bit 2 not a hex digit, bit 3 base64.
    static let charClass: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        for c in 0..<256 where Decoder.base64Table[c] != 255 || c == 61 {
            let b = UInt8(c)
            var k: UInt8 = 8
            if b &- 65 < 26 { k |= 1 }
            if b &- 97 < 26 { k |= 2 }
            if hexValue(b) == nil { k |= 4 }
            t[c] = k
        }
        return t
    }()

    /// Base64 runs decoded at the four alignments, searched for serialized-object markers.
    /// Long runs are only checked for the headers serializations start with; short ones (a
    /// fragment of a class name, as probes send) are decoded on the stack.
    static func base64Markers(_ t: ScanText) -> Range<Int>? {
        let b = t.b
        let table = Decoder.base64Table
        var i = 0
        var runs = 0
        while i < b.count && runs < 32 {
            guard table[Int(b[i])] != 255 else { i += 1; continue }
            let s = i
            var upper = 0, lower = 0, nonHex = 0
            let classes = charClass
            while i < b.count {
                let k = classes[Int(b[i])]
                if k == 0 { break }
                upper &+= Int(k & 1)
                lower &+= Int((k >> 1) & 1)
                nonHex &+= Int((k >> 2) & 1)
                i += 1
            }
            let len = i - s
            guard len >= 6 else { continue }
            runs += 1
            let run = b[s..<i]
            if run.starts(with: "rO0AB") || run.starts(with: "AAEAAAD") || run.starts(with: "gASV")
                || run.starts(with: "KGRw") && len > 20
            {
                return s..<min(b.count, s + 40)
            }
            // Words, numbers and hex digests are not base64 of anything interesting, and a
            // fragment is probed as a value of its own (`x=<fragment>`), not inside prose.
            guard len <= 64, upper >= 2, lower >= 1, nonHex > 0,
                len * 10 >= (b.count - (b.firstIndex(of: 61).map { $0 + 1 } ?? 0)) * 8
            else { continue }
            let hit: Bool = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buf in
                for shift in 0..<4 {
                    // A fragment cut out of a longer encoding: pad the front back to its group.
                    var acc: UInt32 = 0
                    var bits = 6 * shift
                    var n = 0
                    for c in run {
                        let v = table[Int(c)]
                        if v == 255 { continue }
                        acc = acc << 6 | UInt32(v)
                        bits += 6
                        if bits >= 8 {
                            bits -= 8
                            let byte = UInt8((acc >> UInt32(bits)) & 0xFF)
                            if n < 64 { buf[n] = lowerASCII(byte); n += 1 }
                        }
                    }
                    let d = UnsafeBufferPointer(rebasing: buf[0..<n])
                    if n >= 4, d[0] == 0xAC || d.count > 4 {
                        for k in 0..<max(0, n - 3)
                        where d[k] == 0xAC && d[k + 1] == 0xED && d[k + 2] == 0 && d[k + 3] == 5 { return true }
                    }
                    if decodedMarkers.first(in: d) != nil { return true }
                }
                return false
            }
            if hit { return s..<min(b.count, s + 40) }
        }
        return nil
    }

    /// ["com.example.Gadget", {…}]: Jackson's default typing names a class first.
    static func jackson(_ l: [UInt8]) -> Range<Int>? {
        var from = 0
        while let i = l.find("[\"", from: from) ?? l.find("[\n\"", from: from) {
            from = i + 2
            var j = i + 1
            while j < l.count && (isSpace(l[j]) || l[j] == 34) { j += 1 }
            var dots = 0
            var k = j
            while k < l.count && (isAlnum(l[k]) || l[k] == 46 || l[k] == 95 || l[k] == 36) {
                if l[k] == 46 { dots += 1 }; k += 1
            }
            if dots >= 2, k < l.count, l[k] == 34 {
                let head = Array(l[j..<k])
                for p in [
                    u8("com."), u8("org."), u8("ch."), u8("java."), u8("javax."), u8("net."), u8("sun."), u8("oracle."),
                    u8("bsh."), u8("groovy."),
                ] where head.starts(with: p) {
                    return i..<min(l.count, i + 60)
                }
            }
        }
        return nil
    }
}
