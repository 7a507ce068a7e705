/// Command injection: a shell lexer finds the places a command can start — after `;`, `|`,
/// `&`, a newline, inside `$(…)`, `` `…` ``, `<(…)`, and at the start of the value — reads the
/// word there the way the shell would (quotes, backslashes, `$@`, `${x}`, `^` and `${IFS}`
/// removed or read as blanks) and judges it with its arguments: a known command followed
/// by shell-looking arguments (options, paths, addresses, numbers, redirections).
enum ShellDetector {
    enum Tier: UInt8 { case strong, weak }

    static func detect(_ t: ScanText) -> Range<Int>? {
        var l = t.flags.has(.backtick) ? blankCodeSpans(t.l) : t.l
        if t.flags.has(.pipe) && t.flags.has(.newline) { l = blankTables(l) }
        let f = t.flags
        // Reverse shells and blank tricks are signs on their own.
        if f.has(.slash), let i = t.find("/dev/tcp/") ?? t.find("/dev/udp/") { return i..<min(l.count, i + 40) }
        if f.has(.dollar), let i = t.find("${ifs") ?? t.find("$ifs"), nearCommand(l, i) {
            return max(0, i - 10)..<min(l.count, i + 40)
        }
        if let r = syntax(l, f) { return r }
        var checked = 0
        // The start of the value, and after a leading quote (the value left a quoted argument).
        var s0 = 0
        while s0 < l.count && (isSpace(l[s0]) || l[s0] == 34 || l[s0] == 39) { s0 += 1 }
        if t.role != .path, let r = judge(l, at: s0, context: s0 > 0 && (l[0] == 34 || l[0] == 39) ? .quoted : .start) {
            return r
        }
        if t.role != .path, s0 > 0, l[s0 - 1] == 34 || l[s0 - 1] == 39, let r = judge(l, at: s0 - 1, context: .start) {
            return r
        }
        if let r = expansionValue(l, s0, l.count) { return r }
        // Values inside structured text: XML attribute values and text nodes (a SOAP or XML
        // body is one value here), and `key=value` pairs in a header (a Referer's query).
        if s0 < l.count, l[s0] == 60, f.has(.gt), t.role == .body || t.role == .value, let r = xmlValues(l) { return r }
        if t.role == .header, f.has(.equals), let r = headerPairs(l) { return r }
        guard
            f.has(.semicolon) || f.has(.pipe) || f.has(.amp) || f.has(.newline)
                || f.has(.backtick) || f.has(.dollar) || f.has(.lt) || f.has(.gt)
                || f.has(.brace)
        else {
            return globPath(l)
        }
        var i = 0
        let n = l.count
        while i < n && checked < 64 {
            let c = l[i]
            var start = -1
            var ctx = Context.separator
            switch c {
            case 59, 124, 38, 10, 13:
                start = i + 1
                while start < n && (l[start] == 124 || l[start] == 38) { start += 1 }
            case 96: start = i + 1; ctx = .substitution
            case 36 where i + 1 < n && l[i + 1] == 40: start = i + 2; ctx = .substitution
            case 60 where i + 1 < n && l[i + 1] == 40, 62 where i + 1 < n && l[i + 1] == 40:
                start = i + 2; ctx = .substitution
            case 123
            where i + 1 < n
                && (isAlpha(l[i + 1]) || l[i + 1] == 44 || l[i + 1] == 36 || l[i + 1] == 39 || l[i + 1] == 34
                    || l[i + 1] == 47 && i + 2 < n && isAlpha(l[i + 2])):
                start = i + 1
                while start < n && l[start] == 44 { start += 1 }
                ctx = .brace
            default: break
            }
            if start >= 0 {
                checked += 1
                if let r = judge(l, at: start, context: ctx) { return r }
                if ctx == .substitution, c != 96, let r = unknownSubstitution(t.b, l, start) { return r }
            }
            i += 1
        }
        return globPath(l)
    }

    enum Context { case start, separator, substitution, brace, prefixed, quoted }

    /// A value that is only a shell expansion: `~+`, `~-`, `~2` (the directory stack), `!3`,
    /// `!-1` (history). Blanks and quotes around it are ignored.
    static func expansionValue(_ l: [UInt8], _ from: Int, _ to: Int) -> Range<Int>? {
        var a = from
        var b = to
        while a < b && (isSpace(l[a]) || l[a] == 34 || l[a] == 39) { a += 1 }
        while b > a && (isSpace(l[b - 1]) || l[b - 1] == 34 || l[b - 1] == 39) { b -= 1 }
        guard b - a >= 2, b - a <= 5, l[a] == 126 || l[a] == 33 else { return nil }
        var k = a + 1
        if l[k] == 43 || l[k] == 45 { k += 1 }
        let d = k
        while k < b && isDigit(l[k]) { k += 1 }
        guard k == b else { return nil }
        // ~+ ~- stand alone; history needs a number
        return l[a] == 126 && (k > d || d > a + 1) || l[a] == 33 && k > d ? a..<b : nil
    }

    /// XML attribute values (`="…"`) and text nodes (`>…<`) judged as whole values.
    static func xmlValues(_ l: [UInt8]) -> Range<Int>? {
        let n = l.count
        var k = 0
        var seen = 0
        while k < n && seen < 64 {
            var a = -1
            var close: UInt8 = 0
            if l[k] == 61, k + 1 < n, l[k + 1] == 34 || l[k + 1] == 39 {
                a = k + 2
                close = l[k + 1]
            } else if l[k] == 62, k + 1 < n, l[k + 1] != 60 {
                a = k + 1
                close = 60
            }
            guard a >= 0 else { k += 1; continue }
            var b = a
            while b < n && l[b] != close { b += 1 }
            seen += 1
            if b > a, b - a <= 256 {
                if let r = expansionValue(l, a, b) { return r }
                let v = Array(l[a..<b])
                var s = 0
                while s < v.count && isSpace(v[s]) { s += 1 }
                if s < v.count, isAlnum(v[s]) || v[s] == 47 || v[s] == 46, let r = judge(v, at: s, context: .start) {
                    return (a + r.lowerBound)..<min(n, a + r.upperBound)
                }
            }
            k = max(b, k + 1)
        }
        return nil
    }

    /// `key=value` pairs in a header value (`https://e.example/?args=perf --version`), each value
    /// judged as a whole value up to the next `&` or `;`.
    static func headerPairs(_ l: [UInt8]) -> Range<Int>? {
        let n = l.count
        var from = 0
        var seen = 0
        while seen < 16, let eq = l.find([61], from: from) {
            from = eq + 1
            seen += 1
            guard eq > 0, isAlnum(l[eq - 1]) || l[eq - 1] == 95, eq + 1 < n, isAlpha(l[eq + 1]) || l[eq + 1] == 46 || l[eq + 1] == 47
            else { continue }
            var b = eq + 1
            while b < n && l[b] != 38 && l[b] != 59 && l[b] != 44 { b += 1 }
            let v = Array(l[(eq + 1)..<b])
            if let r = judge(v, at: 0, context: .start) { return (eq + 1 + r.lowerBound)..<min(n, eq + 1 + r.upperBound) }
        }
        return nil
    }

    /// jQuery's usual arguments: `$(this)`, `$(document)`.
    static let jsNames = WordTable(words: "this document window selector el element event self body html", value: true)

    /// `$(foo)`, `x$(foo -x bar)`, `;<(foo)`: a command substitution of a command we do not know,
    /// as the value, glued to a word, or after an operator, quote or `=` (not "use $(selector)
    /// to …" in prose). The name is written in lower case (not Make's `$(CC)`), has no dot (not
    /// `$(Build.Id)`), and the substitution is not followed by a method call (not jQuery's
    /// `$(document).ready`).
    static func unknownSubstitution(_ b: [UInt8], _ l: [UInt8], _ start: Int) -> Range<Int>? {
        let n = l.count
        var k = start
        guard k < n, b[k] >= 97 && b[k] <= 122, start >= 2 else { return nil }
        if start >= 3 {
            let p = l[start - 3]
            guard isAlnum(p) || p == 59 || p == 124 || p == 38 || p == 39 || p == 34 || p == 61 || p == 96 || p == 40
            else { return nil }
        }
        while k < n && (isAlnum(l[k]) || l[k] == 45 || l[k] == 95) { k += 1 }
        guard k - start >= 2, k - start <= 24, k < n, !jsNames.contains(l[start..<k]) else { return nil }
        if isSpace(l[k]) {
            // arguments up to the closing parenthesis, on one line, without quotes or calls
            while k < n && k < start + 80 && l[k] != 41 {
                if l[k] == 10 || l[k] == 40 || l[k] == 34 || l[k] == 39 || l[k] == 44 || l[k] == 61 { return nil }
                k += 1
            }
        }
        guard k < n, l[k] == 41, k + 1 >= n || l[k + 1] != 46 && l[k + 1] != 91 && l[k + 1] != 40 else { return nil }
        return max(0, start - 2)..<min(n, k + 1)
    }

    static let binDirs: [[UInt8]] = [
        "/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/", "/usr/local/bin/", "/usr/local/sbin/", "bin/", "sbin/",
        "usr/bin/", "usr/sbin/", "usr/local/bin/",
        "c:/windows/system32/", "c:\\windows\\system32\\", "%systemroot%\\system32\\", "%windir%\\system32\\",
        "%systemroot%/system32/", "%windir%/system32/", "c:\\windows\\syswow64\\",
    ].map { Array($0.utf8) }

    static func judge(_ l: [UInt8], at start: Int, context: Context, depth: Int = 0) -> Range<Int>? {
        var i = start
        let n = l.count
        // ;!!  |!-2  &&!5 : history expansion re-runs an earlier command line.
        if context == .separator {
            var h = i
            while h < n && isSpace(l[h]) { h += 1 }
            if h + 1 < n, l[h] == 33 {
                var e = h + 1
                if l[e] == 33 { e += 1 } else {
                    if l[e] == 45 { e += 1 }
                    let d = e
                    while e < n && isDigit(l[e]) { e += 1 }
                    if e == d { e = h }
                }
                if e > h + 1, e >= n || isSpace(l[e]) || l[e] == 59 || l[e] == 124 || l[e] == 38 { return h..<min(n, h + 40) }
            }
        }
        while i < n
            && (isSpace(l[i]) || l[i] == 43 || l[i] == 40 || l[i] == 123 || l[i] == 33 || l[i] == 64
                || (context != .start && (l[i] == 39 || l[i] == 34 || l[i] == 96)))
        { i += 1 }
        // `. file` is `source file`: look at what follows.
        if context != .start, i + 1 < n, l[i] == 46, isSpace(l[i + 1]) {
            i += 1; while i < n && (isSpace(l[i]) || l[i] == 92 || l[i] == 34) { i += 1 }
            // . /tmp/x  . ~/.x  . $f : the shell reads a file as commands.
            if i + 1 < n, l[i] == 47 && isAlpha(l[i + 1]) || l[i] == 126 && l[i + 1] == 47 || l[i] == 36 && isAlpha(l[i + 1]) {
                return i..<min(n, i + 60)
            }
        }
        // ;$HOME/x.sh  |${TMPDIR}/run : a program under a directory held in a variable.
        if context == .separator || context == .prefixed || context == .substitution, i + 3 < n, l[i] == 36,
            isAlpha(l[i + 1]) || l[i + 1] == 123 && isAlpha(l[i + 2])
        {
            var k = i + 1
            if l[k] == 123 { k += 1 }
            while k < n && (isAlnum(l[k]) || l[k] == 95) { k += 1 }
            if k < n && l[i + 1] == 123 && l[k] == 125 { k += 1 }
            if k + 1 < n, l[k] == 47, isAlnum(l[k + 1]) || l[k + 1] == 46 {
                while k < n && !isSpace(l[k]) && l[k] != 59 && l[k] != 124 && l[k] != 38 { k += 1 }
                var a = k
                while a < n && isSpace(l[a]) { a += 1 }
                if a >= n || l[a] == 59 || l[a] == 124 || l[a] == 38 || l[a] == 10 || a > k && shellish(l, a) {
                    return i..<min(n, i + 60)
                }
            }
        }
        // $a cat x: an unset variable in front of the command expands to nothing.
        if context == .separator, i + 2 < n, l[i] == 36, isAlpha(l[i + 1]) {
            var k = i + 1
            while k < n && isAlnum(l[k]) { k += 1 }
            if k < n, l[k] == 32 {
                var m = k
                while m < n && l[m] == 32 { m += 1 }
                if ShellCommands.lookup(readWord(l, from: m).0) != nil { i = m }
            }
        }
        guard i < n else { return nil }
        if l.matches("${ifs}", at: i) { i += 6 }
        // The common case, a plain word that is no command, without building the word.
        var e0 = i
        while e0 < n, isAlnum(l[e0]) || l[e0] == 95 || l[e0] == 45 { e0 += 1 }
        if e0 > i, e0 - i <= 24,
            e0 >= n || isSpace(l[e0]) || l[e0] == 44 || l[e0] == 46 && (e0 + 1 >= n || isSpace(l[e0 + 1])),
            ShellCommands.table.lookup(l[i..<e0]) == nil, context == .start || context == .quoted
        {
            // Still look closer at command families (ansible-doc) and versions (python3.10).
            let family =
                l[i..<e0].firstIndex(of: 45).map { $0 - i >= 3 && ShellCommands.table.lookup(l[i..<$0]) != nil }
                ?? false
            if !family && !isDigit(l[e0 - 1]) { return nil }
        }
        // $($cmd)  `$_GET[0]` : the substitution runs what a variable holds.
        if context == .substitution, i + 2 < n, l[i] == 36, start > 0,
            l[start - 1] == 40 && (isAlpha(l[i + 1]) || l[i + 1] == 123) || l[start - 1] == 96 && l[i + 1] == 95
        {
            var k = i + 1
            while k < n && (isAlnum(l[k]) || l[k] == 95 || l[k] == 123 || l[k] == 125) { k += 1 }
            // (not jQuery's $($el).hide())
            if k < n, l[k] == 41 || l[k] == 96 || l[k] == 91, k + 1 >= n || l[k + 1] != 46 { return i..<min(n, i + 60) }
        }
        var (raw, end) = readWord(l, from: i)
        // $a -nlvp 555: a command held in a variable, given options.
        if raw.isEmpty, context == .separator, i < n, l[i] == 36 {
            var a = i + 1
            if a < n && l[a] == 123 { a += 1 }
            let nameStart = a
            while a < n && (isAlnum(l[a]) || l[a] == 95) { a += 1 }
            let name = l[nameStart..<a]
            if a < n && l[a] == 125 { a += 1 }
            while a < n && isSpace(l[a]) { a += 1 }
            if !name.isEmpty, a < n, l[a] == 45, a + 1 < n, isAlpha(l[a + 1]) { return i..<min(n, i + 60) }
            // $0<<<id  $SHELL < x : a shell fed a command on its input.
            if !name.isEmpty, a < n, l[a] == 60, name.first.map({ isDigit($0) }) == true || name.elementsEqual(u8("shell"))
                || name.elementsEqual(u8("bash"))
            {
                return i..<min(n, i + 60)
            }
            // garb=adduse[r];$garb x : a command assembled in a variable first
            if !name.isEmpty, l.find(Array(name) + [61]) != nil { return i..<min(n, i + 60) }
        }
        // $(<file): the shell reads the file.
        if raw.isEmpty, context == .substitution, i < n, l[i] == 60 { return i..<min(n, i + 60) }
        guard raw.count >= 1 else { return nil }
        // dir/s  whoami/priv  ipconfig/all: cmd.exe reads a switch glued to the program name.
        if raw.first != 47, let sl = raw.firstIndex(of: 47), sl >= 2, ShellCommands.lookup(Array(raw[..<sl])) == .strong,
            gluedSwitch(raw[(sl + 1)...], strong: ShellCommands.prose.lookup(raw[..<sl]) == nil),
            let at = l[i..<end].firstIndex(of: 47)
        {
            raw = Array(raw[..<sl])
            end = at
        }
        // for …; do id; done   if …; then id; fi : the command inside a compound command.
        if context == .separator, depth == 0, raw.isWord("do") || raw.isWord("then") || raw.isWord("else"),
            compoundOpened(l, before: start, loop: raw.isWord("do"))
        {
            return judge(l, at: end, context: .separator, depth: 1)
        }
        // FOO=bar cmd, LD_PRELOAD=/x.so cmd: an assignment in front of a command.
        if depth == 0, let eq = raw.firstIndex(of: 61), eq > 0, raw[..<eq].allSatisfy({ isAlnum($0) || $0 == 95 }),
            end < n, isSpace(l[end])
        {
            return judge(l, at: end, context: context == .start ? .prefixed : context, depth: 1)
        }
        // %COMSPEC% is cmd.exe.
        if raw.isWord("%comspec%") { raw = u8("cmd") }
        var word = raw
        var isPath = false
        if let slash = raw.lastIndex(where: { $0 == 47 || $0 == 92 }), slash + 1 < raw.count {
            isPath =
                raw.first == 47 || raw.first == 92 || (raw.count > 2 && raw[1] == 58)
                || raw.first == 37 && raw[1..<slash].contains(37)
                || [u8("bin/"), u8("sbin/"), u8("usr/bin/"), u8("usr/sbin/"), u8("usr/local/bin/")].contains {
                    raw.starts(with: $0)
                }
            word = Array(raw[(slash + 1)...])
        }
        let hit = i..<min(n, i + 60)
        let dirs = isPath && raw.first == 47 ? normalizedPath(raw) : raw
        let binPath = isPath && binDirs.contains { dirs.starts(with: $0) } && word.count >= 2
        // images/2024/cat: a relative path names a file, not the `cat` command.
        if !isPath, raw.contains(47) || raw.contains(92), !(raw.starts(with: "./") || raw.starts(with: ".\\")) {
            return nil
        }
        // ;./run.sh  |.\\x.exe : a program from the working directory, after an operator, or as
        // the whole value (alone or with shell arguments).
        if !isPath, context != .quoted, raw.starts(with: "./") || raw.starts(with: ".\\"),
            let dot = word.lastIndex(of: 46), isScriptExtension(word[(dot + 1)...]) || word[(dot + 1)...].elementsEqual(u8("elf"))
                || word[(dot + 1)...].elementsEqual(u8("bin")),
            context != .start || nothingOrShellAfter(l, end)
        {
            return hit
        }
        // ;./x  && ./configure --prefix=/ : a program without an extension, run from here.
        if !isPath, context == .separator || context == .prefixed || context == .substitution,
            raw.starts(with: "./"), word.count >= 1, !word.contains(46), word.allSatisfy({ isAlnum($0) || $0 == 95 || $0 == 45 })
        {
            var a = end
            while a < n && isSpace(l[a]) { a += 1 }
            if a >= n || l[a] == 59 || l[a] == 124 || l[a] == 38 || l[a] == 10 || shellish(l, a) { return hit }
        }
        // Letters split by quotes or backslashes (c'a't, w\hoami) only hide a command.
        let seg = l[i..<end]
        let quotes = seg.reduce(0) { $0 + ($1 == 39 || $1 == 34 ? 1 : 0) }
        // Quotes inside the word (c'a't, 'i'p), not around it ("TRUE").
        let firstQ = seg.firstIndex(where: { $0 == 39 || $0 == 34 }) ?? end
        let lastQ = seg.lastIndex(where: { $0 == 39 || $0 == 34 }) ?? i
        let inner = firstQ > i || lastQ < end - 1
        let obfuscated =
            end - i > raw.count && raw.allSatisfy { isAlnum($0) || $0 == 46 }
            && (quotes >= 2 && quotes % 2 == 0 && inner
                || seg.contains(where: { $0 == 92 || $0 == 36 || $0 == 91 || $0 == 96 }))
        guard let tier = ShellCommands.lookup(word) else {
            if binPath && (context != .start || end - i >= 7) { return hit }
            // ;frobnicate -x /etc/shadow: a command we do not know, used on system files.
            if context == .separator || context == .substitution || context == .prefixed, !isPath, raw.count >= 2,
                raw.count <= 24, raw.allSatisfy({ isAlnum($0) || $0 == 45 || $0 == 95 }),
                unknownCommandArgs(l, end)
            {
                return hit
            }
            // & payload.exe  | \\host\s\x.exe -e cmd  && %TEMP%\x.bat : a Windows program named
            // with its extension, alone or with command-line arguments. (Not after a newline: the
            // unescaped variant of C:\Windows\notepad.exe has one.)
            if context == .separator || context == .substitution || context == .prefixed, isProgram(word),
                start == 0 || l[start - 1] != 10 && l[start - 1] != 13
            {
                var a = end
                while a < n && isSpace(l[a]) { a += 1 }
                if a >= n || l[a] == 59 || l[a] == 124 || l[a] == 38 || l[a] == 10 || l[a] == 13 || shellish(l, a) {
                    return hit
                }
            }
            return nil
        }
        if obfuscated && word.count >= 2 { return hit }
        // `base64,xyz` and `id(` are one word to the shell, not the command.
        if end < n, l[end] == 44 || l[end] == 40 || l[end] == 123 || l[end] == 61 || l[end] == 46, context != .brace {
            return nil
        }
        // The arguments up to the next operator (a newline ends the command line).
        var a = end
        while a < n
            && (isSpace(l[a]) && l[a] != 10 && l[a] != 13 || (l[a] == 43 && a == end) || l.matches("${ifs}", at: a)
                || l.matches("$ifs", at: a))
        {
            if l[a] == 36 { a += l.matches("${ifs}", at: a) ? 6 : 4 } else { a += 1 }
        }
        let argsEnd =
            a >= n || l[a] == 59 || l[a] == 124 || l[a] == 38 || l[a] == 96 || l[a] == 41 || l[a] == 10 || l[a] == 35
            || l[a] == 13
        let shellArgs = !argsEnd && (tier == .strong ? shellish(l, a) : weakArgs(l, a))
        // Tools that are also words (view, install, links): only with arguments.
        if ShellCommands.needsArgs.lookup(word) != nil, context != .substitution {
            if argsEnd { return nil }
            if context == .brace {
                guard end + 1 < n, [45, 47, 36, 46, 126].contains(l[end + 1]) else { return nil }
            }
        }
        // time sh -c …, nohup ifconfig, sudo -u x id: judge the command after the prefix.
        if ShellCommands.prefixes.lookup(word) != nil, depth == 0, !argsEnd,
            let r = judge(l, at: a, context: context == .start ? .prefixed : context, depth: 1)
                ?? judgeAfterOptions(l, a, context: context == .start ? .prefixed : context)
        {
            return r
        }
        // start calc  start /b x.exe  start "" cmd /c …: cmd.exe's `start` runs a program.
        if word.isWord("start"), !argsEnd, context != .start || l[a] == 47 || l[a] == 34 {
            var b = a
            while b < n, l[b] == 47 || l[b] == 34 {  // /b /min /wait "title"
                let q = l[b] == 34
                b += 1
                while b < n && (q ? l[b] != 34 : !isSpace(l[b])) { b += 1 }
                if q { b += 1 }
                while b < n && isSpace(l[b]) { b += 1 }
            }
            let (w, _) = readWord(l, from: b)
            if ShellCommands.lookup(w) == .strong || isProgram(w) || w.isWord("calc") { return hit }
        }
        // trap 'rm -rf x' EXIT   at 2:00 "echo x"   watch "id": a command line given as a quoted argument.
        if depth == 0, !argsEnd, context == .separator || context == .prefixed || context == .substitution,
            let r = quotedCommand(l, a, runner: ShellCommands.runners.lookup(word) != nil)
        {
            return r
        }
        // ; host e.example   | whois 10.0.0.5   ; ping localhost : a network tool given a host.
        if context != .start, context != .quoted, !argsEnd, ShellCommands.netTools.lookup(word) != nil, hostArg(l, a) {
            return hit
        }
        if word.isWord("sh") || word.isWord("bash") || word.isWord("cmd") || word.isWord("zsh") || word.isWord("powershell")
            || word.isWord("pwsh")
        {
            if l.matches("-c", at: a) || l.matches("/c", at: a) || l.matches("-e", at: a) || l.matches("/k", at: a)
                || l.matches("-i", at: a)
            {
                return hit
            }
        }
        if word.isWord("alias"), !argsEnd, l[a...].prefix(40).contains(61) { return hit }
        if word.isWord("net"), !argsEnd, Self.wordAt(l, a, in: Self.netVerbs) { return hit }
        // route print, query user, copy con x.bat, ren a.txt a.bat: cmd.exe verbs with their objects
        // (as the whole value too for route, query and sc: `route print`, `sc query`)
        if !argsEnd, context == .separator || context == .prefixed || context == .start,
            let v = ShellCommands.windowsVerbs.lookup(word), context != .start || v != 3, let e = windowsVerb(v, l, a),
            context != .start || nothingOrShellAfter(l, e)
        {
            return hit
        }
        // sleep takes a number (sleep 5, sleep '5', sleep $n, sleep `…`), not an option word.
        if word.isWord("sleep"), !argsEnd, context != .substitution, context != .brace {
            var b = a
            while b < n && (l[b] == 39 || l[b] == 34) { b += 1 }
            if b >= n || !(isDigit(l[b]) || l[b] == 36 || l[b] == 96 || l[b] == 46) { return nil }
        }
        // kill -9 1, ps aux: a signal number, the BSD option bundles of ps
        if context != .start, !argsEnd, word.isWord("kill"), l[a] == 45, a + 1 < n, isDigit(l[a + 1]) || l.matches("kill", at: a + 1) || l.matches("sig", at: a + 1) {
            return hit
        }
        if !argsEnd, word.isWord("ps"), Self.wordAt(l, a, in: Self.psBundles) { return hit }
        // ip a, ip addr show, ip route: iproute2's objects (the one-letter forms only after an operator)
        if !argsEnd, word.isWord("ip"),
            [u8("a"), u8("r"), u8("l"), u8("n"), u8("addr"), u8("address"), u8("route"), u8("link"), u8("neigh"), u8("-br"), u8("-4"), u8("-6")].contains(where: { w in
                guard l.matches(w, at: a) else { return false }
                var e = a + w.count
                if e < n, !isSpace(l[e]) && l[e] != 59 && l[e] != 124 { return false }
                if context != .start { return true }
                // as a whole value: `ip addr`, `ip route show`, `ip -br a`, not "ip address & mask"
                while e < n && isSpace(l[e]) { e += 1 }
                return w.count > 1 && (e >= n || l[e] == 45 || l[e] == 59 || l[e] == 124 || l.matches("show", at: e) || l.matches("list", at: e))
            })
        {
            return hit
        }
        if word.isWord("cd"), !argsEnd, l[a] == 47 || l[a] == 92 || l[a] == 126 || l.matches("..", at: a) { return hit }
        // reg add …, reg query …: the Windows registry tool with its verbs, in any position
        if word.isWord("reg"), !argsEnd, Self.wordAt(l, a, in: Self.regVerbs) { return hit }
        // ; echo x > /var/www/s.php   | cat >> ~/.ssh/authorized_keys : output sent to a file.
        if context != .start, context != .brace, !argsEnd, redirectsToFile(l, a) { return hit }
        switch context {
        case .substitution:
            return hit
        case .brace:
            // {cat,/etc/passwd} {,id}: expansion needs a comma; `{id}` alone is a placeholder.
            return end < n && (l[end] == 44 || l[end] == 125 && l[i - 1] == 44) && (end > i + 1) ? hit : nil
        case .separator, .prefixed:
            if !isPath, ShellCommands.languages.lookup(word) != nil, !argsEnd, isVersion(l, a) { return nil }
            // "/r/bash", "/docs/cat": a command's name alone at the end of some other path is a link.
            if argsEnd, isPath, !binPath, !raw.contains(42), !raw.contains(63),
                !raw[..<(raw.count - word.count)].reversed().starts(with: u8("/nib"))
            {
                return nil
            }
            if isPath || shellArgs { return hit }
            if argsEnd {
                // ;id  |whoami  & dir   (a prose word after "& " stays prose: "copy & paste";
                // a language alone after a blank is a name: "Perl & Python", "Java; Go")
                if tier == .strong, i == start || ShellCommands.languages.lookup(word) == nil { return hit }
                let sep = start > 0 ? l[start - 1] : 0
                return i == start && sep != 38 || context == .prefixed ? hit : nil
            }
            // A command followed by a plain word: `; ping me` stays prose, `; nc x 80` not.
            if tier == .strong, !isPlainWordArgs(l, a) || ShellCommands.prose.lookup(word) == nil { return hit }
            // x;echo pwned : an echo glued to `;` prints a marker (prose puts a blank after `;`).
            if i == start, start > 0, l[start - 1] == 59, word.isWord("echo") || word.isWord("printf") { return hit }
            // ; git clone https://…  ; tar czf /tmp/a /etc  ; docker run -v /:/m x : a tool and its
            // subcommand, then shell arguments.
            if context == .separator, ShellCommands.subcommands.lookup(word) != nil,
                let b = secondArg(l, a), b + 2 < n,
                l[b] == 45 && (isAlpha(l[b + 1]) || l[b + 1] == 45 && isAlpha(l[b + 2]))
                    || l[b] == 47 && isAlpha(l[b + 1]) || l[b] == 126 && l[b + 1] == 47
                    || l[b] == 36 && (isAlpha(l[b + 1]) || l[b + 1] == 40 || l[b + 1] == 123)
                    || l.matches("http://", at: b) || l.matches("https://", at: b)
            {
                return hit
            }
            if context == .prefixed || word.isWord("which") || word.isWord("type") {
                if ShellCommands.lookup(readWord(l, from: a).0) != nil { return hit }
            }
            return nil
        case .quoted:
            return tier == .strong && (argsEnd || shellArgs || isPath) ? hit : nil
        case .start:
            if binPath && (argsEnd || shellArgs) { return hit }
            if word.isWord("sleep") || word.isWord("ping"), !argsEnd, proseAfterArg(l, a) { return nil }
            // "Python 3.12; Ruby 3.3", "Java; Go": languages named with a version, or in a list.
            let language = ShellCommands.languages.lookup(word) != nil
            if language, argsEnd || isVersion(l, a) { return nil }
            if shellArgs && tier == .strong && strongArgs(l, a) { return hit }
            if tier == .weak, !argsEnd, weakArgs(l, a), l[a] == 45 || l[a] == 37 { return hit }
            // bash x.sh, rc script.sh, perl run.pl -v : a command given a script to run, as the whole value.
            if !argsEnd, scriptArg(l, a) { return hit }
            // find / -name x   find . -type f : a weak command on a directory, with options after it.
            if tier == .weak, !argsEnd, l[a] == 47 || l[a] == 46 || l[a] == 126, optionAfter(l, a) { return hit }
            // type c:\windows\win.ini, more /etc/hosts: a weak command on a system file.
            if tier == .weak, !argsEnd,
                isAlpha(l[a]) && a + 2 < n && l[a + 1] == 58 && (l[a + 2] == 92 || l[a + 2] == 47)
                    || systemDirs.contains(where: { l.matches($0, at: a) })
            {
                return hit
            }
            // whoami;  ifconfig|  (a command then an operator)
            if tier == .strong, a < n, a == end, l[a] == 59 || l[a] == 124 || l[a] == 38 { return hit }
            // which perl, sleep 10
            if word.isWord("which") || word.isWord("whereis") || word.isWord("type"), !argsEnd,
                ShellCommands.lookup(readWord(l, from: a).0) == .strong
            {
                return hit
            }
            // sleep 10, ping 10.0.0.1 (not "sleep 8 hours", "ping 8.8.8.8 returns fine")
            if word.isWord("sleep") || word.isWord("ping"), !argsEnd, shellish(l, a), !proseAfterArg(l, a) { return hit }
            // netsh firewall set …, ansible all -m ping, cscli alerts list: a command that is no
            // English word, with arguments, as the whole (short) value.
            if tier == .strong, !argsEnd, word.count >= 4, ShellCommands.prose.lookup(word) == nil,
                ShellCommands.verbs.lookup(word) == nil, !isProgram(word)
            {
                let words = l.reduce(1) { $0 + ($1 == 32 ? 1 : 0) }
                if words <= 8 { return hit }
            }
            return nil
        }
    }
}

extension ShellDetector {
    /// `net user`, `ps aux`, `reg query`: a tool's verb or option bundle, as a whole word.
    static let netVerbs = [
        "user", "localgroup", "group", "share", "use", "view", "accounts", "session", "stop", "start", "config",
        "statistics", "file",
    ].map(u8)
    static let psBundles = ["aux", "ax", "auxf", "auxww", "axjf", "ef", "elf"].map(u8)
    static let regVerbs = ["add", "query", "delete", "save", "export", "import", "load"].map(u8)

    /// Is one of `words` at `a`, ending there (not the start of a longer word)?
    static func wordAt(_ l: [UInt8], _ a: Int, in words: [[UInt8]]) -> Bool {
        words.contains { w in l.matches(w, at: a) && (a + w.count >= l.count || !isAlnum(l[a + w.count])) }
    }
}
