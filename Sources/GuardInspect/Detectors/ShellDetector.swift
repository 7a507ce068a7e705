/// Command injection: a shell lexer finds the places a command can start — after `;`, `|`,
/// `&`, a newline, inside `$(…)`, `` `…` ``, `<(…)`, and at the start of the value — reads the
/// word there the way the shell would (quotes, backslashes, `$@`, `${x}`, `^` and `${IFS}`
/// removed or read as blanks) and judges it with its arguments: a known command followed
/// by shell-looking arguments (options, paths, addresses, numbers, redirections).
enum ShellDetector {
    enum Tier: UInt8 { case strong, weak }

    static var commands: WordTable<Tier> { ShellCommands.table }

    static func detect(_ t: ScanText) -> Range<Int>? {
        var l = t.flags.contains(.backtick) ? blankCodeSpans(t.l) : t.l
        if t.flags.contains(.pipe) && t.flags.contains(.newline) { l = blankTables(l) }
        let f = t.flags
        // Reverse shells and blank tricks are signs on their own.
        if f.contains(.slash), let i = t.find("/dev/tcp/") ?? t.find("/dev/udp/") { return i..<min(l.count, i + 40) }
        if f.contains(.dollar), let i = t.find("${ifs") ?? t.find("$ifs"), nearCommand(l, i) {
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
        guard
            f.contains(.semicolon) || f.contains(.pipe) || f.contains(.amp) || f.contains(.newline)
                || f.contains(.backtick) || f.contains(.dollar) || f.contains(.lt) || f.contains(.gt)
                || f.contains(.brace)
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
                && (isAlpha(l[i + 1]) || l[i + 1] == 44 || l[i + 1] == 36 || l[i + 1] == 39 || l[i + 1] == 34):
                start = i + 1
                while start < n && l[start] == 44 { start += 1 }
                ctx = .brace
            default: break
            }
            if start >= 0 {
                checked += 1
                if let r = judge(l, at: start, context: ctx) { return r }
            }
            i += 1
        }
        return globPath(l)
    }

    enum Context { case start, separator, substitution, brace, prefixed, quoted }

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

    static let binDirs: [[UInt8]] = [
        "/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/", "/usr/local/bin/", "/usr/local/sbin/", "bin/", "sbin/",
        "usr/bin/", "usr/sbin/", "usr/local/bin/",
        "c:/windows/system32/", "c:\\windows\\system32\\", "%systemroot%\\system32\\", "%windir%\\system32\\",
        "%systemroot%/system32/", "%windir%/system32/", "c:\\windows\\syswow64\\",
    ].map { Array($0.utf8) }

    static func judge(_ l: [UInt8], at start: Int, context: Context, depth: Int = 0) -> Range<Int>? {
        var i = start
        let n = l.count
        while i < n
            && (isSpace(l[i]) || l[i] == 43 || l[i] == 40 || l[i] == 123 || l[i] == 33 || l[i] == 64
                || (context != .start && (l[i] == 39 || l[i] == 34 || l[i] == 96)))
        { i += 1 }
        // `. file` is `source file`: look at what follows.
        if context != .start, i + 1 < n, l[i] == 46, isSpace(l[i + 1]) {
            i += 1; while i < n && (isSpace(l[i]) || l[i] == 92 || l[i] == 34) { i += 1 }
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
            // garb=adduse[r];$garb x : a command assembled in a variable first
            if !name.isEmpty, l.find(Array(name) + [61]) != nil { return i..<min(n, i + 60) }
        }
        // $(<file): the shell reads the file.
        if raw.isEmpty, context == .substitution, i < n, l[i] == 60 { return i..<min(n, i + 60) }
        guard raw.count >= 1 else { return nil }
        // FOO=bar cmd, LD_PRELOAD=/x.so cmd: an assignment in front of a command.
        if depth == 0, let eq = raw.firstIndex(of: 61), eq > 0, raw[..<eq].allSatisfy({ isAlnum($0) || $0 == 95 }),
            end < n, isSpace(l[end])
        {
            return judge(l, at: end, context: context == .start ? .prefixed : context, depth: 1)
        }
        // %COMSPEC% is cmd.exe.
        if raw == u8("%comspec%") { raw = u8("cmd") }
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
        let binPath = isPath && binDirs.contains { raw.starts(with: $0) } && word.count >= 2
        // images/2024/cat: a relative path names a file, not the `cat` command.
        if !isPath, raw.contains(47) || raw.contains(92), !(raw.starts(with: "./") || raw.starts(with: ".\\")) {
            return nil
        }
        // ;./run.sh  |.\\x.exe : a program from the working directory, after an operator.
        if !isPath, context != .start, context != .quoted, raw.starts(with: "./") || raw.starts(with: ".\\"),
            let dot = word.lastIndex(of: 46),
            [u8("sh"), u8("py"), u8("pl"), u8("rb"), u8("exe"), u8("bat"), u8("cmd"), u8("ps1"), u8("elf"), u8("bin")]
                .contains(where: { word[(dot + 1)...].elementsEqual($0) })
        {
            return hit
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
            return nil
        }
        if obfuscated && word.count >= 2 { return hit }
        // `base64,xyz` and `id(` are one word to the shell, not the command.
        if end < n, l[end] == 44 || l[end] == 40 || l[end] == 123 || l[end] == 61 || l[end] == 46, context != .brace {
            return nil
        }
        // The arguments up to the next operator.
        var a = end
        while a < n
            && (isSpace(l[a]) || (l[a] == 43 && a == end) || l.matches("${ifs}", at: a) || l.matches("$ifs", at: a))
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
        {
            return r
        }
        if word == u8("sh") || word == u8("bash") || word == u8("cmd") || word == u8("zsh") || word == u8("powershell")
            || word == u8("pwsh")
        {
            if l.matches("-c", at: a) || l.matches("/c", at: a) || l.matches("-e", at: a) || l.matches("/k", at: a)
                || l.matches("-i", at: a)
            {
                return hit
            }
        }
        if word == u8("alias"), !argsEnd, l[a...].prefix(40).contains(61) { return hit }
        if word == u8("net"), !argsEnd,
            [
                u8("user"), u8("localgroup"), u8("group"), u8("share"), u8("use"), u8("view"), u8("accounts"),
                u8("session"), u8("stop"), u8("start"),
            ].contains(where: { l.matches($0, at: a) })
        {
            return hit
        }
        // sleep takes a number (sleep 5, sleep '5', sleep $n, sleep `…`), not an option word.
        if word == u8("sleep"), !argsEnd, context != .substitution, context != .brace {
            var b = a
            while b < n && (l[b] == 39 || l[b] == 34) { b += 1 }
            if b >= n || !(isDigit(l[b]) || l[b] == 36 || l[b] == 96 || l[b] == 46) { return nil }
        }
        // kill -9 1, ps aux: a signal number, the BSD option bundles of ps
        if context != .start, !argsEnd, word == u8("kill"), l[a] == 45, a + 1 < n, isDigit(l[a + 1]) || l.matches("kill", at: a + 1) || l.matches("sig", at: a + 1) {
            return hit
        }
        if context != .start, !argsEnd, word == u8("ps"),
            [u8("aux"), u8("ax"), u8("auxf"), u8("auxww"), u8("axjf"), u8("ef"), u8("elf")].contains(where: { w in
                l.matches(w, at: a) && (a + w.count >= n || !isAlnum(l[a + w.count]))
            })
        {
            return hit
        }
        if word == u8("cd"), !argsEnd, l[a] == 47 || l[a] == 92 || l[a] == 126 || l.matches("..", at: a) { return hit }
        // reg add …, reg query …: the Windows registry tool with its verbs, in any position
        if word == u8("reg"), !argsEnd,
            [u8("add"), u8("query"), u8("delete"), u8("save"), u8("export"), u8("import"), u8("load")].contains(
                where: { l.matches($0, at: a) })
        {
            return hit
        }
        // ; echo x > /var/www/s.php   | cat >> ~/.ssh/authorized_keys : output sent to a file.
        if context != .start, context != .brace, !argsEnd, redirectsToFile(l, a) { return hit }
        switch context {
        case .substitution:
            return hit
        case .brace:
            // {cat,/etc/passwd} {,id}: expansion needs a comma; `{id}` alone is a placeholder.
            return end < n && (l[end] == 44 || l[end] == 125 && l[i - 1] == 44) && (end > i + 1) ? hit : nil
        case .separator, .prefixed:
            if isPath || shellArgs { return hit }
            if argsEnd {
                // ;id  |whoami  & dir   (a prose word after "& " stays prose: "copy & paste")
                if tier == .strong { return hit }
                let sep = start > 0 ? l[start - 1] : 0
                return i == start && sep != 38 || context == .prefixed ? hit : nil
            }
            // A command followed by a plain word: `; ping me` stays prose, `; nc x 80` not.
            if tier == .strong, !isPlainWordArgs(l, a) || ShellCommands.prose.lookup(word) == nil { return hit }
            if context == .prefixed || word == u8("which") || word == u8("type") {
                if ShellCommands.lookup(readWord(l, from: a).0) != nil { return hit }
            }
            return nil
        case .quoted:
            return tier == .strong && (argsEnd || shellArgs || isPath) ? hit : nil
        case .start:
            if binPath && (argsEnd || shellArgs) { return hit }
            if shellArgs && tier == .strong && strongArgs(l, a) { return hit }
            if tier == .weak, !argsEnd, weakArgs(l, a), l[a] == 45 || l[a] == 37 { return hit }
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
            if word == u8("which") || word == u8("whereis") || word == u8("type"), !argsEnd,
                ShellCommands.lookup(readWord(l, from: a).0) == .strong
            {
                return hit
            }
            if word == u8("sleep") || word == u8("ping"), !argsEnd, shellish(l, a) { return hit }
            // netsh firewall set …, ansible all -m ping, cscli alerts list: a command that is no
            // English word, with arguments, as the whole (short) value.
            if tier == .strong, !argsEnd, word.count >= 4, ShellCommands.prose.lookup(word) == nil,
                ShellCommands.verbs.lookup(word) == nil
            {
                let words = l.reduce(1) { $0 + ($1 == 32 ? 1 : 0) }
                if words <= 8 { return hit }
            }
            return nil
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
                // > /var/x  >> ~/.bashrc  > $HOME/x  > ${f}
                return l[m] == 47 && (isAlpha(l[m + 1]) || l[m + 1] == 46) || l[m] == 126 && l[m + 1] == 47
                    || l[m] == 36 && (isAlpha(l[m + 1]) || l[m + 1] == 123)
            }
            k += 1
        }
        return false
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
        while j < l.count && !isSpace(l[j]) { if l[j] == 47 && j > a { return true }; j += 1 }
        return false
    }

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
            if (isSpace(before) || before == 40) && open > 0
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
            if globs >= 1, segments >= 2, systemDirs.contains(where: { l.matches($0, at: s) }) || globs >= 2 {
                return s..<min(l.count, s + 40)
            }
        }
        return nil
    }
}
