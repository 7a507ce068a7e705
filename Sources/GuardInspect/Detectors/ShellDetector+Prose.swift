/// Markdown code spans and tables in prose are quoted text, not shell: blanked before lexing.
extension ShellDetector {
    /// Markdown code spans in prose (`` run `make test` now ``) are quoted text, not command
    /// substitution: their insides are blanked when the value has words of prose around them.
    static func blankCodeSpans(_ l: [UInt8]) -> [UInt8] {
        var spans: [Range<Int>] = []
        var i = 0
        // Fenced blocks first: ```lang … ```
        while let open = l.find("```", from: i) {
            guard let close = l.find("```", from: open + 3) else { break }
            spans.append(open..<(close + 3))
            i = close + 3
        }
        var l = l
        if !spans.isEmpty {
            for r in spans { for k in r { l[k] = 32 } }
            spans.removeAll()
            i = 0
        }
        while let open = l.find([96], from: i) {
            guard let close = l.find([96], from: open + 1) else { break }
            let before = open == 0 ? UInt8(32) : l[open - 1]
            let after = close + 1 < l.count ? l[close + 1] : UInt8(32)
            if (isSpace(before) || before == 40)
                && (isSpace(after) || after == 46 || after == 44 || after == 41 || after == 58 || after == 63
                    || after == 33)
            {
                spans.append(open..<(close + 1))
            }
            i = close + 1
        }
        guard !spans.isEmpty else { return l }
        var out = l
        for r in spans { for k in r { out[k] = 32 } }
        // Count prose words left outside the spans.
        var words = 0
        var k = 0
        while k < out.count {
            while k < out.count && !isAlpha(out[k]) { k += 1 }
            let s = k
            while k < out.count && isAlpha(out[k]) { k += 1 }
            if k - s >= 2 { words += 1 }
        }
        return words >= 3 ? out : l
    }

    /// Markdown tables: lines that start and end with `|` are cells, not pipelines.
    static func blankTables(_ l: [UInt8]) -> [UInt8] {
        var out = l
        var s = 0
        var rows = 0
        while s < l.count {
            var e = s
            while e < l.count && l[e] != 10 { e += 1 }
            var a = s
            var b = e
            while a < b && (isSpace(l[a])) { a += 1 }
            while b > a && isSpace(l[b - 1]) { b -= 1 }
            if b - a >= 3, l[a] == 124, l[(a + 1)..<b].contains(124) {
                rows += 1
                for k in a..<b where l[k] == 124 { out[k] = 32 }
            }
            s = e + 1
        }
        return rows >= 2 ? out : l
    }
}
