/// What follows a command word: whether its arguments look like a command line or like prose.
extension ShellDetector {
    /// A plain English word right after the argument at `a`: the line is prose.
    static func proseAfterArg(_ l: [UInt8], _ a: Int) -> Bool {
        var b = a
        while b < l.count && !isSpace(l[b]) { b += 1 }
        while b < l.count && isSpace(l[b]) { b += 1 }
        var e = b
        while e < l.count && isAlpha(l[e]) { e += 1 }
        return e - b >= 2 && (e >= l.count || isSpace(l[e]) || l[e] == 44 || l[e] == 46 || l[e] == 59)
            && ShellCommands.lookup(Array(l[b..<e])) == nil
    }

    /// `3.12`, `8`, `1.8.0_292`: a version number as the argument at `a`.
    static func isVersion(_ l: [UInt8], _ a: Int) -> Bool {
        var j = a
        if j < l.count && l[j] == 118 { j += 1 }
        let d = j
        while j < l.count && (isDigit(l[j]) || l[j] == 46 || l[j] == 95) { j += 1 }
        return j > d && isDigit(l[d]) && (j >= l.count || !isAlpha(l[j]) && l[j] != 47)
    }

    /// An option (`-name`, `--type`) among the two words after the one at `a`.
    static func optionAfter(_ l: [UInt8], _ a: Int) -> Bool {
        let n = l.count
        var k = a
        for _ in 0..<2 {
            while k < n && !isSpace(l[k]) {
                if l[k] == 59 || l[k] == 124 || l[k] == 38 { return false }
                k += 1
            }
            while k < n && isSpace(l[k]) { k += 1 }
            if k + 1 < n, l[k] == 45, isAlpha(l[k + 1]) || l[k + 1] == 45 { return true }
        }
        return false
    }

    /// The first quoted argument among the arguments from `a` (up to the next operator) whose
    /// inside is itself a command line. The argument of a `runner` (`trap`, `at`, `su -c`) is
    /// one by definition, so its command needs no shell-looking arguments.
    static func quotedCommand(_ l: [UInt8], _ a: Int, runner: Bool) -> Range<Int>? {
        let n = l.count
        var k = a
        while k < n && k < a + 120 {
            let c = l[k]
            if c == 59 || c == 124 || c == 38 || c == 10 || c == 13 || c == 96 { return nil }
            if (c == 39 || c == 34) && (k == a || isSpace(l[k - 1])) {
                guard let close = l[(k + 1)...].prefix(200).firstIndex(of: c), close > k + 1 else { return nil }
                let inner = Array(l[(k + 1)..<close])
                if judge(inner, at: 0, context: runner ? .prefixed : .separator, depth: 1) != nil
                    || runner && ShellCommands.lookup(readWord(inner, from: 0).0) == .strong
                {
                    return k..<min(n, k + 60)
                }
                k = close + 1
                continue
            }
            k += 1
        }
        return nil
    }

    /// stdbuf -o0 id, taskset 1 id, nice -n 19 id, setarch x86_64 id: the command after a
    /// prefix's options, numbers and one machine word.
    static func judgeAfterOptions(_ l: [UInt8], _ a: Int, context: Context) -> Range<Int>? {
        let n = l.count
        var k = a
        for _ in 0..<3 {
            guard k < n else { return nil }
            let c = l[k]
            let option = c == 45 && k + 1 < n && (isAlnum(l[k + 1]) || l[k + 1] == 45)
            guard option || isDigit(c) || l.matches("x86_64", at: k) || l.matches("i386", at: k) else { return nil }
            while k < n && !isSpace(l[k]) {
                if l[k] == 59 || l[k] == 124 || l[k] == 38 { return nil }
                k += 1
            }
            while k < n && isSpace(l[k]) { k += 1 }
            if k < n, let r = judge(l, at: k, context: context, depth: 1) { return r }
        }
        return nil
    }

    /// Where the argument after the plain word at `a` starts, when there is one before an operator.
    static func secondArg(_ l: [UInt8], _ a: Int) -> Int? {
        let n = l.count
        var j = a
        while j < n && (isAlnum(l[j]) || l[j] == 45 || l[j] == 95) { j += 1 }
        guard j < n, isSpace(l[j]) else { return nil }
        while j < n && isSpace(l[j]) { j += 1 }
        guard j < n, l[j] != 59, l[j] != 124, l[j] != 38, l[j] != 35 else { return nil }
        return j
    }

    /// cmd.exe verbs with the objects they act on: `route print`, `query user`, `copy con x`,
    /// `ren a.txt a.bat`, `del x.txt`, `sc query`. Returns where the object ends.
    static func windowsVerb(_ verb: UInt8, _ l: [UInt8], _ a: Int) -> Int? {
        func oneOf(_ ws: [[UInt8]]) -> Int? {
            ws.first { w in l.matches(w, at: a) && (a + w.count >= l.count || !isAlnum(l[a + w.count])) }.map { a + $0.count }
        }
        switch verb {
        case 1: return oneOf([u8("print"), u8("add"), u8("delete"), u8("change"), u8("-n")])
        case 2: return oneOf([u8("user"), u8("session"), u8("process"), u8("termserver")])
        case 4:
            return oneOf([
                u8("query"), u8("queryex"), u8("qc"), u8("create"), u8("config"), u8("delete"), u8("stop"), u8("start"),
                u8("sdshow"),
            ])
        case 3:
            if let e = oneOf([u8("con"), u8("nul")]) { return e }
            // a file name with a short extension: x.bat, a.txt
            var e = a
            var dot = -1
            while e < l.count && (isAlnum(l[e]) || l[e] == 46 || l[e] == 95 || l[e] == 45) {
                if l[e] == 46 { dot = e }
                e += 1
            }
            return dot > a && e - dot - 1 >= 2 && e - dot - 1 <= 4 && (e >= l.count || isSpace(l[e]))
                && l[(dot + 1)..<e].allSatisfy(isAlpha) ? e : nil
        default: return nil
        }
    }

    /// A host name (`e.example`, `localhost`) or an IPv4 address as the argument at `a`.
    static func hostArg(_ l: [UInt8], _ a: Int) -> Bool {
        let n = l.count
        var j = a
        var dots = 0
        var lastDot = -1
        while j < n && (isAlnum(l[j]) || l[j] == 45 || l[j] == 46 || l[j] == 95) {
            if l[j] == 46 { dots += 1; lastDot = j }
            j += 1
        }
        guard j > a, j >= n || isSpace(l[j]) || l[j] == 59 || l[j] == 124 || l[j] == 38 || l[j] == 58 || l[j] == 47 else {
            return false
        }
        if l.matches("localhost", at: a) && j == a + 9 { return true }
        // a.b with a letter top-level name of two or more, or a dotted quad
        guard dots >= 1, lastDot > a, lastDot < j - 1, l[lastDot - 1] != 46 else { return false }
        if dots == 3 && l[a..<j].allSatisfy({ isDigit($0) || $0 == 46 }) { return true }
        return j - lastDot - 1 >= 2 && l[(lastDot + 1)..<j].allSatisfy(isAlpha)
    }

    static func isScriptExtension(_ e: ArraySlice<UInt8>) -> Bool {
        [u8("sh"), u8("py"), u8("pl"), u8("rb"), u8("php"), u8("exe"), u8("bat"), u8("cmd"), u8("ps1"), u8("vbs")].contains {
            e.elementsEqual($0)
        }
    }

    /// A script file name (`x.sh`, `run.py`) as the argument at `a`, followed by nothing, an
    /// operator or shell arguments.
    static func scriptArg(_ l: [UInt8], _ a: Int) -> Bool {
        var e = a
        var dot = -1
        while e < l.count && (isAlnum(l[e]) || l[e] == 46 || l[e] == 95 || l[e] == 45 || l[e] == 47) {
            if l[e] == 46 { dot = e }
            e += 1
        }
        guard dot > a, e > dot + 1, isScriptExtension(l[(dot + 1)..<e]) else { return false }
        return nothingOrShellAfter(l, e)
    }

    /// The end of the value, an operator, or shell-looking arguments after `end`.
    static func nothingOrShellAfter(_ l: [UInt8], _ end: Int) -> Bool {
        var a = end
        while a < l.count && isSpace(l[a]) { a += 1 }
        // (a lone `&` after a blank is prose: "route print & scan")
        return a >= l.count || l[a] == 59 || l[a] == 124 || l[a] == 10
            || l[a] == 38 && (a == end || a + 1 < l.count && l[a + 1] == 38)
            || (a > end && shellish(l, a) && strongArgs(l, a))
    }

    /// `x.exe`, `run.bat`, `s.ps1`, `a.vbs`: a Windows program or script by its file name.
    static func isProgram(_ w: [UInt8]) -> Bool {
        guard let dot = w.lastIndex(of: 46), dot >= 1, w.count - dot == 4 else { return false }
        let ext = w[(dot + 1)...]
        return [u8("exe"), u8("bat"), u8("cmd"), u8("ps1"), u8("vbs"), u8("hta"), u8("msi"), u8("scr")].contains {
            ext.elementsEqual($0)
        } && w[..<dot].allSatisfy { isAlnum($0) || $0 == 95 || $0 == 45 || $0 == 46 }
    }

    /// The switch of `dir/s`, `whoami/priv`: one or two letters (or `?`), or a longer known
    /// switch; a strong command that is no prose word also takes any short word (`bcdboot/r`).
    static func gluedSwitch(_ s: ArraySlice<UInt8>, strong: Bool) -> Bool {
        guard let f = s.first, isAlpha(f) || f == 63, s.count <= 12, s.allSatisfy({ isAlnum($0) || $0 == 63 || $0 == 58 })
        else { return false }
        if s.count <= 2 { return true }
        return strong && s.count <= 5
            || [u8("all"), u8("priv"), u8("user"), u8("groups"), u8("svc"), u8("displaydns"), u8("flushdns")].contains {
                s.elementsEqual($0)
            }
    }

    /// Arguments after an unknown command word that only a command line has: a system
    /// directory as the first argument, or options followed by one (`-rf /etc/…`).
    static func unknownCommandArgs(_ l: [UInt8], _ end: Int) -> Bool {
        let n = l.count
        var a = end
        guard a < n, isSpace(l[a]) else { return false }
        while a < n && isSpace(l[a]) { a += 1 }
        guard a < n else { return false }
        func systemPath(_ k: Int) -> Bool {
            guard k < n, l[k] == 47 else { return false }
            let d = systemDirLength(l, k)
            return d > 0 && k + d < n && isAlpha(l[k + d])
        }
        if systemPath(a) { return true }
        guard l[a] == 45, a + 1 < n, isAlpha(l[a + 1]) || l[a + 1] == 45 else { return false }
        var k = a
        var words = 0
        while k < n && words < 6 {
            let c = l[k]
            if c == 59 || c == 124 || c == 38 || c == 10 || c == 13 || c == 96 { return false }
            if isSpace(c) {
                while k < n && isSpace(l[k]) { k += 1 }
                words += 1
                if k < n && systemPath(k) { return true }
                continue
            }
            k += 1
        }
        return false
    }

    /// Length of the system directory prefix at `k` (`/etc/`), 0 when there is none.
    static func systemDirLength(_ l: [UInt8], _ k: Int) -> Int {
        systemDirs.first(where: { l.matches($0, at: k) })?.count ?? 0
    }

    /// A `>`, `>>` or `>&` redirection to a path, home, variable or descriptor among the
    /// arguments starting at `a` (up to the next operator).
    static func redirectsToFile(_ l: [UInt8], _ a: Int) -> Bool {
        let n = l.count
        var k = a
        while k < n && k < a + 200 {
            let c = l[k]
            if c == 59 || c == 124 || c == 10 || c == 13 || c == 96 { return false }
            if c == 38 && !(k > 0 && l[k - 1] == 62) { return false }
            if c == 60, k + 1 < n, isSpace(l[k + 1]) || l[k + 1] == 47 {  // < /etc/x
                var m = k + 1
                while m < n && isSpace(l[m]) { m += 1 }
                return m + 1 < n && l[m] == 47 && isAlpha(l[m + 1])
            }
            if c == 62 {
                var m = k + 1
                if m < n && l[m] == 62 { m += 1 }
                if m + 1 < n && l[m] == 38 && isDigit(l[m + 1]) { return true }
                while m < n && isSpace(l[m]) { m += 1 }
                guard m + 1 < n else { return false }
                // > /var/x  >> ~/.bashrc  > $HOME/x  > ${f}  > shell.php  >> ftp.txt
                return l[m] == 47 && (isAlpha(l[m + 1]) || l[m + 1] == 46) || l[m] == 126 && l[m + 1] == 47
                    || l[m] == 36 && (isAlpha(l[m + 1]) || l[m + 1] == 123) || writtenFile(l, m)
            }
            k += 1
        }
        return false
    }

    /// A file name with the extension of a script, a page the server runs, or a text file, at `m`.
    static func writtenFile(_ l: [UInt8], _ m: Int) -> Bool {
        var e = m
        var dot = -1
        while e < l.count && (isAlnum(l[e]) || l[e] == 46 || l[e] == 95 || l[e] == 45) {
            if l[e] == 46 { dot = e }
            e += 1
        }
        guard dot > m, e < l.count ? isSpace(l[e]) || l[e] == 59 || l[e] == 38 || l[e] == 124 : true else { return false }
        let ext = l[(dot + 1)..<e]
        return [
            u8("php"), u8("phtml"), u8("jsp"), u8("jspx"), u8("asp"), u8("aspx"), u8("sh"), u8("bat"), u8("cmd"),
            u8("ps1"), u8("py"), u8("pl"), u8("cgi"), u8("txt"), u8("exe"), u8("vbs"), u8("hta"), u8("html"),
        ].contains { ext.elementsEqual($0) }
    }

    /// Options, paths, addresses, numbers, redirections, variables, quotes: not prose.
    static func shellish(_ l: [UInt8], _ a: Int) -> Bool {
        let c = l[a]
        if isAlpha(c), a + 2 < l.count, l[a + 1] == 58, l[a + 2] == 92 || l[a + 2] == 47 { return true }  // C:\ C:/
        if c == 45 || c == 47 || c == 92 || c == 36 || c == 126 || c == 62 || c == 60 || c == 46 || c == 42 || c == 63 {
            return true
        }
        if c == 39 || c == 34 { return true }
        // The first argument word: a number, a dotted name or address, a path.
        var j = a
        var sawDot = false
        var allDigits = true
        while j < l.count && !isSpace(l[j]) && l[j] != 59 && l[j] != 124 && l[j] != 38 {
            if l[j] == 46 || l[j] == 47 || l[j] == 92 || l[j] == 58 && j + 1 < l.count && l[j + 1] == 47 {
                sawDot = true
            }
            if !isDigit(l[j]) { allDigits = false }
            j += 1
        }
        return allDigits || sawDot && j - a > 3
    }

    /// Arguments for a command that is also an English word: options, paths, redirections.
    static func weakArgs(_ l: [UInt8], _ a: Int) -> Bool {
        let c = l[a]
        // `> 5`, `< $10`: a comparison in prose, not a redirection.
        if c == 62 || c == 60 {
            var m = a + 1
            if m < l.count && (l[m] == 62 || l[m] == 61) { m += 1 }
            while m < l.count && isSpace(l[m]) { m += 1 }
            if m >= l.count || isDigit(l[m]) || l[m] == 36 && m + 1 < l.count && isDigit(l[m + 1]) { return false }
        }
        if isAlpha(c), a + 2 < l.count, l[a + 1] == 58, l[a + 2] == 92 || l[a + 2] == 47 { return true }  // C:\
        if c == 45, a + 1 < l.count, isAlpha(l[a + 1]) || l[a + 1] == 45 { return true }
        if c == 47 || c == 92 || c == 36 || c == 62 || c == 60 || c == 126 || c == 37 { return true }
        var j = a
        // a/b with a letter (not 24/7, 1/2)
        var letter = false
        var slash = false
        while j < l.count && !isSpace(l[j]) {
            if l[j] == 47 && j > a { slash = true } else if isAlpha(l[j]) { letter = true }
            j += 1
        }
        if slash && letter { return true }
        return false
    }

    /// Arguments that only a command line has (for a command at the very start).
    static func strongArgs(_ l: [UInt8], _ a: Int) -> Bool {
        let c = l[a]
        if c == 45, a + 1 < l.count, isAlpha(l[a + 1]) || l[a + 1] == 45 { return true }
        if c == 47 || c == 62 || c == 60 || c == 36 || c == 92 { return true }
        return shellish(l, a) && (l[a...].contains(47) || l[a...].contains(46) || l[a...].contains(92))
    }

    static func isPlainWordArgs(_ l: [UInt8], _ a: Int) -> Bool {
        var j = a
        while j < l.count && isAlpha(l[j]) { j += 1 }
        return j > a && (j >= l.count || l[j] == 32 || l[j] == 44 || l[j] == 46 || l[j] == 33 || l[j] == 63)
    }

    static let systemDirs: [[UInt8]] = [
        "/etc/", "/bin/", "/usr/", "/sbin/", "/dev/", "/proc/", "/var/", "/tmp/", "/home/", "/root/", "/???/", "/??/",
        "/?/", "/*/",
    ].map { Array($0.utf8) }

    /// /???/c?t  /e??/p*d  /etc/[!abc]asswd: shell globbing in a path to a system file.
    static func globPath(_ l: [UInt8]) -> Range<Int>? {
        var from = 0
        while let s = l.find([47], from: from) {
            from = s + 1
            if s > 0, isAlnum(l[s - 1]) || l[s - 1] == 58 || l[s - 1] == 47 || l[s - 1] == 46 { continue }
            var i = s
            var globs = 0
            var segments = 0
            while i < l.count && !isSpace(l[i]) && l[i] != 61 && l[i] != 38 {
                let c = l[i]
                if c == 47 { segments += 1 } else if c == 63 || c == 42 || c == 91 { globs += 1 }
                i += 1
            }
            // "What is /etc/passwd?": a question mark that ends a sentence is no glob.
            if i > s, l[i - 1] == 63, globs == 1, i >= l.count || i - 2 > s && isAlpha(l[i - 2]) && l[(s..<(i - 1))].firstIndex(where: { $0 == 63 || $0 == 42 || $0 == 91 }) == nil {
                continue
            }
            if globs >= 1, segments >= 2, systemDirs.contains(where: { l.matches($0, at: s) }) || globs >= 2 {
                return s..<min(l.count, s + 40)
            }
        }
        return nil
    }
}
