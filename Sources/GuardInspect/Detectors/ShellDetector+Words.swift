/// Reading words the way the shell does: quotes, escapes, expansions and paths folded away.
extension ShellDetector {
    /// /usr//bin/./id, /bin/../bin/id: the path with empty and `.` segments dropped and `..` applied.
    static func normalizedPath(_ p: [UInt8]) -> [UInt8] {
        guard p.count > 2, p.find("//") != nil || p.find("/.") != nil else { return p }
        var parts: [ArraySlice<UInt8>] = []
        for seg in p.split(separator: 47, omittingEmptySubsequences: true) {
            if seg.elementsEqual([46]) { continue }
            if seg.elementsEqual([46, 46]) { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(seg)
        }
        var out: [UInt8] = []
        for s in parts { out.append(47); out += s }
        return out
    }

    /// Whether a shell loop (`for x in`, `while true`, `while [`, `until`) or test (`if [`,
    /// `if test`, `if !`, `if grep`…) opens before `end`, not the English "for" or "if".
    static func compoundOpened(_ l: [UInt8], before end: Int, loop: Bool) -> Bool {
        var from = 0
        while let i = l.find(loop ? "for " : "if ", from: from), i < end {
            from = i + 1
            guard wordStart(l, i) else { continue }
            var j = i + (loop ? 4 : 3)
            while j < end && isSpace(l[j]) { j += 1 }
            if loop {
                let (w, e) = readWord(l, from: j)
                if !w.isEmpty, l.matches(" in ", at: e) || l.matches(";", at: e) { return true }
            } else if j < end {
                if l[j] == 91 || l[j] == 40 || l[j] == 33 || l.matches("test ", at: j) { return true }
                if ShellCommands.lookup(readWord(l, from: j).0) == .strong { return true }
            }
        }
        guard loop else { return false }
        for w in [u8("while "), u8("until ")] {
            if let i = l.find(w), i < end, wordStart(l, i) {
                var j = i + w.count
                while j < end && isSpace(l[j]) { j += 1 }
                if j < end, l[j] == 91 || l[j] == 40 || l[j] == 58 || l.matches("true", at: j) || l.matches("read", at: j)
                    || ShellCommands.lookup(readWord(l, from: j).0) == .strong
                {
                    return true
                }
            }
        }
        return false
    }

    /// Whether a known command word sits right before or after position `i` (`${IFS}`).
    static func nearCommand(_ l: [UInt8], _ i: Int) -> Bool {
        var a = i - 1
        while a >= 0 && (isAlnum(l[a]) || l[a] == 39 || l[a] == 34 || l[a] == 92) { a -= 1 }
        let (w, _) = readWord(l, from: a + 1)
        if ShellCommands.lookup(w) != nil { return true }
        var j = i
        while j < l.count && l[j] != 125 && j < i + 8 { j += 1 }
        let (w2, _) = readWord(l, from: j + 1)
        return ShellCommands.lookup(w2) != nil
    }

    /// Reads a shell word from `i`, dropping quotes, backslashes, `$@`, `$*`, `${…}` pieces
    /// and `^`, up to a blank or an operator. Returns the word and where it ended.
    static func readWord(_ l: [UInt8], from start: Int) -> ([UInt8], Int) {
        var w: [UInt8] = []
        var i = start
        let n = l.count
        while i < n && w.count < 48 {
            let c = l[i]
            if c == 96, i + 1 < n, l[i + 1] == 96 { i += 2; continue }  // pi``ng
            if c == 36 || c == 60 || c == 62, i + 2 < n, l[i + 1] == 40, l[i + 2] == 41 { i += 3; continue }  // pi$()ng
            if isSpace(c) || c == 43 && w.isEmpty || c == 59 || c == 124 || c == 38 || c == 60 || c == 62 || c == 40
                || c == 41 || c == 96 || c == 44 || c == 125 || c == 123 || c == 0
            {
                break
            }
            if c == 43 { break }  // `+` is a blank in query strings
            // \\host\share\x.exe: a UNC path keeps its backslashes.
            if c == 92, w.isEmpty, i + 2 < n, l[i + 1] == 92, isAlnum(l[i + 2]) {
                w.append(92); w.append(92)
                i += 2
                continue
            }
            // C:\Windows\…, %SystemRoot%\…: a Windows path keeps its backslashes.
            if c == 92, w.count >= 2, w[1] == 58 || w.first == 37 && w.last == 37 || w.contains(92) {
                w.append(c)
                i += 1
                continue
            }
            if c == 39 || c == 34 || c == 92 || c == 94 { i += 1; continue }
            // [u]name: a one-letter class is that letter
            if c == 91, i + 2 < n, l[i + 2] == 93, isAlnum(l[i + 1]) { w.append(l[i + 1]); i += 3; continue }
            if c == 36 {
                // $@ $* $- $$ $_ $1 expand to nothing useful; $'…' and $"…" are quotes
                if i + 1 < n, [64, 42, 45, 36, 95, 33, 63, 35].contains(l[i + 1]) || isDigit(l[i + 1]) {
                    i += 2
                    continue
                }
                if i + 1 < n, l[i + 1] == 39 || l[i + 1] == 34 { i += 1; continue }
                if l.matches("${ifs}", at: i) || l.matches("$ifs", at: i) { break }
                if i + 1 < n, l[i + 1] == 123 {  // ${x} that is empty in practice
                    var k = i + 2
                    while k < n && l[k] != 125 && k < i + 24 { k += 1 }
                    i = k + 1
                    continue
                }
                break
            }
            w.append(c)
            i += 1
        }
        return (w, i)
    }
}

extension Array where Element == UInt8 {
    /// Equal to a literal, without building an array for it.
    @inline(__always) func isWord(_ s: StaticString) -> Bool {
        count == s.utf8CodeUnitCount && starts(with: s)
    }
}
