/// Log4Shell-style JNDI lookups: `${…}` lookups are evaluated the way Log4j 2 would —
/// nested lookups first, `${lower:x}`/`${upper:x}` to their argument, `${anything:-x}` to
/// its default, `${env:…}`/`${sys:…}` to a placeholder — and the result is checked for a
/// `jndi:` lookup. `${${lower:j}ndi:…}` and `${${::-j}${::-n}di:…}` are caught that way.
enum JNDIDetector {
    static func detect(_ t: ScanText) -> Range<Int>? {
        let l = t.l
        guard t.flags.contains(.dollar) || t.flags.contains(.brace) || t.flags.contains(.percent) else { return nil }
        if let i = t.find("${jndi:") { return i..<min(l.count, i + 60) }
        guard let start = t.find("${") else { return nil }
        var budget = 4 * l.count + 64
        var hit = false
        let resolved = resolve(l[start...], depth: 0, budget: &budget, hit: &hit)
        if hit || resolved.find("${jndi:") != nil || resolved.find("jndi:ldap") != nil
            || resolved.find("jndi:rmi") != nil
            || resolved.find("jndi:dns") != nil
        {
            return start..<min(l.count, start + 60)
        }
        return nil
    }

    /// Evaluates lookups in `s`; sets `hit` when a lookup's key resolves to `jndi`.
    static func resolve(_ s: ArraySlice<UInt8>, depth: Int, budget: inout Int, hit: inout Bool) -> [UInt8] {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            budget -= 1
            if budget <= 0 || hit { break }
            if s[i] == 36, i + 1 < s.endIndex, s[i + 1] == 123, depth < 16 {
                // Find the matching brace.
                var d = 0
                var j = i + 1
                while j < s.endIndex {
                    if s[j] == 123 { d += 1 } else if s[j] == 125 { d -= 1; if d == 0 { break } }
                    j += 1
                }
                let inner = resolve(s[(i + 2)..<min(j, s.endIndex)], depth: depth + 1, budget: &budget, hit: &hit)
                out += evaluate(inner, hit: &hit)
                i = min(j + 1, s.endIndex)
                continue
            }
            out.append(s[i])
            i += 1
        }
        return out
    }

    static func evaluate(_ inner: [UInt8], hit: inout Bool) -> [UInt8] {
        var key = inner
        while key.first == 32 { key.removeFirst() }
        if key.starts(with: "jndi:") || key.starts(with: "jndi :") { hit = true; return key }
        if let d = key.find(":-") { return Array(key[(d + 2)...]) }
        if key.starts(with: "lower:") || key.starts(with: "upper:") { return Array(key[6...]) }
        if key.starts(with: "date:") { return Array(key[5...]).filter { $0 != 39 } }
        if key.contains(58) { return u8("x") }
        return u8("${") + key + u8("}")
    }
}
