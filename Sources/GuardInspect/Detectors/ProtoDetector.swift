/// Prototype pollution in names and values: `__proto__` used as a property
/// (`__proto__[x]`, `__proto__.x`, `["__proto__"]`) and `constructor` → `prototype` in
/// bracket or dot paths. JSON keys are checked structurally by the event walker.
enum ProtoDetector {
    static func detect(_ t: ScanText) -> Range<Int>? {
        let l = t.l
        guard t.flags.contains(.underscore) || l.count >= 11 else { return nil }
        var from = 0
        while let i = l.find("__proto__", from: from) {
            from = i + 9
            let e = i + 9
            let before = i == 0 ? UInt8(0) : l[i - 1]
            let after = e < l.count ? l[e] : UInt8(0)
            if after == 91 || after == 46 || after == 93 || after == 34 || after == 39 || after == 61 || after == 58
                || after == 0 || before == 46 || before == 91
            {
                return i..<min(l.count, i + 60)
            }
        }
        from = 0
        while let i = l.find("constructor", from: from) {
            from = i + 11
            var j = i + 11
            var seps = 0
            while j < l.count && (l[j] == 46 || l[j] == 91 || l[j] == 93 || l[j] == 34 || l[j] == 39 || isSpace(l[j]))
                && seps < 6
            { j += 1; seps += 1 }
            if seps > 0, l.matches("prototype", at: j) { return i..<min(l.count, i + 60) }
        }
        return nil
    }
}
