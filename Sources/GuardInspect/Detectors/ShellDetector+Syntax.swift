/// Shell syntax that is a command injection without a known command name: cmd.exe `FOR`
/// and `IF` forms, parameter and arithmetic expansion, Shellshock, fork bombs, variable
/// concatenation, `sh -c`, PowerShell cmdlets, and language calls that run a shell.
extension ShellDetector {
    static func syntax(_ l: [UInt8], _ f: CharFlags) -> Range<Int>? {
        let n = l.count
        func hit(_ i: Int) -> Range<Int> { i..<min(n, i + 60) }
        // Server-side includes: <!--#exec cmd="…" -->
        if f.has(.lt), let i = l.find("<!--#") {
            for d in [u8("exec"), u8("include"), u8("echo"), u8("config"), u8("printenv"), u8("fsize"), u8("flastmod")]
            where l.matches(d, at: i + 5) { return hit(i) }
        }
        if f.has(.dollar) {
            if let i = l.find("$((") ?? l.find("$[") { return hit(i) }
            // $'\x69\x64'  $'\151\144'  $'\u0069' : ANSI-C quoting spells a word in escapes.
            var q = 0
            while let i = l.find("$'\\", from: q) {
                q = i + 3
                if i + 3 < n, l[i + 3] == 120 || l[i + 3] == 117 || (l[i + 3] >= 48 && l[i + 3] <= 55) { return hit(i) }
            }
            var from = 0
            while let i = l.find("${", from: from) {
                from = i + 2
                var j = i + 2
                while j < n && (isAlnum(l[j]) || l[j] == 95) { j += 1 }
                guard j > i + 2, j < n else { continue }
                let c = l[j]
                // ${x#…} ${x%…} ${x/…}: parameter expansion operators
                if c == 35 || c == 37 || c == 47 || c == 94 || c == 44 || c == 64 { return hit(i) }
                if c == 58, j + 1 < n,
                    l[j + 1] == 45 || l[j + 1] == 61 || l[j + 1] == 63 || l[j + 1] == 43 || isDigit(l[j + 1])
                {
                    return hit(i)
                }
                if c == 125, l.matches("${shell}", at: i) || l.matches("${cmd}", at: i) { return hit(i) }
            }
            // $a$b$c… or $c1$c2: a command assembled from variables.
            if let i = l.find("$shell"), l[(i + 6)...].prefix(6).find("-c") != nil { return hit(i) }
            var run = 0
            var k = 0
            while k < n {
                if l[k] == 36, k + 1 < n, isAlpha(l[k + 1]) {
                    var e = k + 1
                    while e < n && isAlnum(l[e]) { e += 1 }
                    run += 1
                    if run >= 3 { return hit(max(0, k - 20)) }
                    k = e
                    continue
                }
                run = 0
                k += 1
            }
        }
        if f.has(.paren) {
            // Shellshock and fork bombs.
            if let i = l.find("() {") ?? l.find("(){") {
                var j = i + 3
                while j < n && (isSpace(l[j]) || l[j] == 123) { j += 1 }
                if i == 0 || (j < n && l[j] == 58) || (j + 1 < n && l[j] == 58 && l[j + 1] == 59) { return hit(i) }
                var a = i
                while a > 0 && (isAlnum(l[a - 1]) || l[a - 1] == 46 || l[a - 1] == 95 || l[a - 1] == 58) { a -= 1 }
                if a < i {
                    // A function that pipes into or backgrounds itself: a fork bomb.
                    let name = Array(l[a..<i])
                    let body = Array(l[j...].prefix(80))
                    for tail in [
                        [124], [38], [32, 124], [32, 38], [40, 41, 32, 124], [40, 41, 32, 38], [40, 41, 124],
                        [40, 41, 38],
                    ] as [[UInt8]] where body.find(name + tail) != nil {
                        return hit(a)
                    }
                }
            }
            var exec: Int? = nil
            codeExec.forEach(in: l) { k, i in
                let fn = codeExec.needles[k]
                if i > 0, isAlnum(l[i - 1]) || l[i - 1] == 95 { return false }
                var j = i + fn.count
                while j < n && isSpace(l[j]) { j += 1 }
                if fn.isWord("phpinfo(") || fn.isWord("phpversion(")
                    || j < n && (l[j] == 39 || l[j] == 34 || l[j] == 96 || l[j] == 36)
                {
                    exec = i
                    return true
                }
                return false
            }
            if let exec { return hit(exec) }
        }
        // Ruby's %x(id) %x{id} %x[id]: a command in backticks by another name.
        if f.has(.percent), let i = l.find("%x(") ?? l.find("%x{") ?? l.find("%x["), i + 3 < n,
            l[i + 3] == 39 || l[i + 3] == 34 || ShellCommands.lookup(readWord(l, from: i + 3).0) != nil
        {
            return hit(i)
        }
        // Ghostscript's %pipe%cmd opens a pipe to a command.
        if f.has(.percent), let i = l.find("%pipe%") { return hit(i) }
        // Spreadsheet DDE: =cmd|' /C calc'!A0, @SUM(1)*cmd|'…', =MSEXCEL|'…cmd.exe'!'' ;
        // and Word's DDEAUTO field.
        if f.has(.pipe), f.has(.squote) || f.has(.dquote), let r = dde(l) { return r }
        if f.has(.dquote), let i = l.find("ddeauto ") { return hit(i) }
        // ~+ ~- : tilde expansions (the working directories) as a value or after an operator
        if f.has(.tilde), let i = l.find([126]), i + 1 < l.count, l[i + 1] == 43 || l[i + 1] == 45,
            i == 0 || l[i - 1] == 59 || l[i - 1] == 124 || l[i - 1] == 38 || isSpace(l[i - 1]),
            (l[(i + 2)...].firstIndex(where: { !isDigit($0) }).map { isSpace(l[$0]) || l[$0] == 47 || l[$0] == 59 }
                ?? true)
        {
            return hit(i)
        }
        if f.has(.percent) || f.has(.bracket) || f.has(.dquote) || f.has(.equals)
            || f.has(.paren)
            || batchWords.first(in: l) != nil, let r = batch(l, f)
        {
            return r
        }
        // find … -exec cmd, vim's \!cmd, less's !cmd
        if let i = l.find(" -exec "), ShellCommands.lookup(readWord(l, from: i + 7).0) != nil { return hit(i) }
        if l.matches("-exec ", at: 0), ShellCommands.lookup(readWord(l, from: 6).0) != nil { return hit(0) }
        // Argument injection: options of ordinary tools that run a command or write a file
        // (tar --checkpoint-action=exec=…, ssh -oProxyCommand=…, git --upload-pack=…, sendmail -X…).
        if f.has(.equals) || f.has(.minus) && l.find("--") != nil, let (_, i) = argInjection.first(in: l) {
            return hit(i)
        }
        if f.has(.minus), l.find("-e") != nil || l.find("-c") != nil, let r = netcatExec(l) { return r }
        if f.has(.excl) {
            var from = 0
            while let i = l.find([33], from: from) {
                from = i + 1
                guard i == 0 || l[i - 1] == 92 || isSpace(l[i - 1]) else { continue }
                let (w, e) = readWord(l, from: i + 1)
                if ShellCommands.table.lookup(w) == .strong, w.count >= 2, e >= n || isSpace(l[e]) { return hit(i) }
            }
        }
        if f.has(.minus), let r = powershell(l) { return r }
        if f.has(.paren) || f.has(.dollar) || f.has(.bracket), let r = powershellCalls(l) { return r }
        // %COMSPEC:~-7,1%  %PATH:~0,1%: cmd.exe substrings build commands out of variables.
        if f.has(.percent), f.has(.tilde) {
            var from = 0
            while let i = l.find(":~", from: from) {
                from = i + 2
                var a = i
                while a > 0 && (isAlnum(l[a - 1]) || l[a - 1] == 95) { a -= 1 }
                guard a < i, a > 0, l[a - 1] == 37 else { continue }
                var j = i + 2
                if j < n && l[j] == 45 { j += 1 }
                let d = j
                while j < n && isDigit(l[j]) { j += 1 }
                guard j > d else { continue }
                if j < n && l[j] == 44 {
                    j += 1
                    if j < n && l[j] == 45 { j += 1 }
                    while j < n && isDigit(l[j]) { j += 1 }
                }
                if j < n, l[j] == 37 { return hit(a - 1) }
            }
        }
        if f.has(.brace), let r = braceExpansion(l) { return r }
        return nil
    }

    static let argInjection = NeedleSet([
        "--checkpoint-action=", "proxycommand=", "localcommand=", "permitlocalcommand=yes", "--upload-pack", "--receive-pack",
        "core.sshcommand", "core.pager=", "core.fsmonitor=", "core.gitproxy", "core.hookspath=", "--use-compress-program",
        "--to-command", "--unzip-command", "-oqueuedirectory", "--rsh=", "--rsync-path=", "diff.external=",
        "--config=core.", "--exec-path=", "sshcommand=", "--info-script", "-oforwardx11",
    ])

    /// nc / ncat / netcat told to run a program (`-e /bin/sh`, `-c bash`, `--exec cmd.exe`),
    /// wherever it stands.
    static func netcatExec(_ l: [UInt8]) -> Range<Int>? {
        let n = l.count
        for name in [u8("nc"), u8("netcat")] {
            var from = 0
            while let i = l.find(name, from: from) {
                from = i + name.count
                guard i == 0 || !isAlnum(l[i - 1]) && l[i - 1] != 46 && l[i - 1] != 45 else { continue }
                var e = i + name.count
                while e < n && (isAlnum(l[e]) || l[e] == 46) { e += 1 }
                guard e < n, isSpace(l[e]) || l[e] == 36,
                    e == i + name.count || [u8("ncat"), u8("nc.exe"), u8("nc64.exe")].contains(where: { l[i..<e].elementsEqual($0) })
                else { continue }
                var k = e
                while k < n && k < i + 120 {
                    let c = l[k]
                    if c == 59 || c == 124 || c == 38 || c == 10 || c == 13 { break }
                    if c == 45, isSpace(l[k - 1]) || l[k - 1] == 125,
                        l.matches("-e", at: k) || l.matches("-c", at: k) || l.matches("--exec", at: k)
                            || l.matches("--sh-exec", at: k) || l.matches("--lua-exec", at: k)
                    {
                        var m = k + 1
                        while m < n && (isAlpha(l[m]) || l[m] == 45) { m += 1 }
                        while m < n && (isSpace(l[m]) || l[m] == 34 || l[m] == 39) { m += 1 }
                        if m < n, l[m] == 47 || l[m] == 36 || ShellCommands.lookup(readWord(l, from: m).0) == .strong {
                            return i..<min(n, i + 60)
                        }
                    }
                    k += 1
                }
            }
        }
        return nil
    }

    /// `prog|'args'!cell`: a spreadsheet formula that runs a program through DDE.
    static func dde(_ l: [UInt8]) -> Range<Int>? {
        var from = 0
        while let p = l.find([124], from: from) {
            from = p + 1
            var q = p + 1
            while q < l.count && isSpace(l[q]) { q += 1 }
            guard q < l.count, l[q] == 39 || l[q] == 34 else { continue }
            var a = p
            while a > 0 && isSpace(l[a - 1]) { a -= 1 }
            let e = a
            while a > 0 && (isAlnum(l[a - 1]) || l[a - 1] == 46 || l[a - 1] == 95) { a -= 1 }
            guard e > a else { continue }
            let w = Array(l[a..<e])
            if ShellCommands.lookup(w) == .strong || w.isWord("msexcel") || w.isWord("msword") {
                // a formula: `=`, `+`, `-`, `@` or an operator before the program name
                var b = a - 1
                while b >= 0 && isSpace(l[b]) { b -= 1 }
                if b < 0 || [61, 43, 45, 64, 42, 40, 59, 44].contains(l[b]) {
                    return a..<min(l.count, a + 60)
                }
            }
        }
        return nil
    }

    static let codeExec = NeedleSet([
        "system(", "exec(", "shell_exec(", "passthru(", "popen(", "proc_open(", "pcntl_exec(", "os.system(",
        "os.popen(", "subprocess.call(", "subprocess.run(", "subprocess.popen(", "subprocess.check_output(",
        "child_process", "execsync(", "spawnsync(", "phpinfo(", "runtime.getruntime().exec(", "io.popen(",
        "kernel.exec(", "phpversion(", "proc_nice(", "assert(\"", "create_function(", "subprocess.getoutput(",
        "subprocess.getstatusoutput(", "commands.getoutput(", "pty.spawn(", "os.execl(", "os.execlp(", "os.execv(",
        "os.execvp(", "os.execve(", "os.spawnl(", "os.spawnv(", "process.start(", "open3.capture2(", "open3.capture3(",
        "open3.popen3(", "expect_popen(", "processbuilder(", "kernel.system(", "shell.exec(",
    ])

    /// cmd.exe: `FOR [/D|/R|/L|/F …] %x IN (…) DO …` and `IF [/I] [NOT] EXIST|DEFINED|ERRORLEVEL …`,
    /// `IF a==b …`, `IF x EQU y …`.
    static let batchWords = NeedleSet(["exist", "defined", "errorlevel", "cmdextversion"])

    static func batch(_ l: [UInt8], _ f: CharFlags) -> Range<Int>? {
        let n = l.count
        var from = 0
        while f.has(.percent), let i = l.find("for", from: from) {
            from = i + 3
            guard wordStart(l, i), i + 3 < n, isSpace(l[i + 3]) else { continue }
            var j = i + 3
            var steps = 0
            while j < n && steps < 12 {
                while j < n && isSpace(l[j]) { j += 1 }
                guard j < n else { break }
                if l[j] == 37 { break }
                if l[j] == 47 || l[j] == 34 || l[j] == 92 || (steps > 0 && steps < 4) {  // /F "tokens=…" C:\dir options
                    var q = j + 1
                    if l[j] == 34 || l[j] == 92 { while q < n && l[q] != 34 { q += 1 }; q += 1 }
                    while q < n && !isSpace(l[q]) { q += 1 }
                    j = q
                    steps += 1
                    continue
                }
                break
            }
            guard j < n, l[j] == 37 else { continue }
            // %x or %%x, then IN (
            var k = j + 1
            if k < n && l[k] == 37 { k += 1 }
            if k < n && !isSpace(l[k]) { k += 1 }  // %G %~ %[ …
            while k < n && isAlnum(l[k]) && k < j + 24 { k += 1 }
            while k < n && isSpace(l[k]) { k += 1 }
            if l.matches("in", at: k) { return i..<min(n, i + 60) }
        }
        from = 0
        while let i = l.find("if", from: from) {
            from = i + 2
            guard wordStart(l, i), i + 2 < n, isSpace(l[i + 2]) else { continue }
            // Only at a command position: the value start or after an operator.
            var p = i - 1
            while p >= 0 && isSpace(l[p]) { p -= 1 }
            guard p < 0 || l[p] == 38 || l[p] == 124 || l[p] == 59 || l[p] == 40 || l[p] == 10 else { continue }
            var j = i + 2
            func skip() { while j < n && isSpace(l[j]) { j += 1 } }
            skip()
            if l.matches("/i", at: j) { j += 2; skip() }
            if l.matches("not", at: j) { j += 3; skip() }
            for w in [u8("exist"), u8("defined"), u8("errorlevel"), u8("cmdextversion")] where l.matches(w, at: j) {
                if j + w.count < n, isSpace(l[j + w.count]) { return i..<min(n, i + 60) }
            }
            // IF x==y cmd, IF x EQU y cmd, IF %1 …, IF [%1] …, IF "%v" …
            if j < n, l[j] == 37 || l[j] == 91 || l[j] == 34 { return i..<min(n, i + 60) }
            if j < n, l[j] == 40 {
                // IF (2 GEQ 15) …, IF (a) == (b) …, but not JavaScript's if (a > b) {
                let close = l[j...].firstIndex(of: 41) ?? n
                let inside = Array(l[j..<close])
                if [u8(" equ "), u8(" neq "), u8(" lss "), u8(" leq "), u8(" gtr "), u8(" geq ")].contains(where: {
                    inside.find($0) != nil
                }) || inside.contains(37) {
                    return i..<min(n, i + 60)
                }
                var k = close + 1
                while k < n && isSpace(l[k]) { k += 1 }
                for w in [u8("equ "), u8("neq "), u8("lss "), u8("leq "), u8("gtr "), u8("geq "), u8("==")]
                where l.matches(w, at: k) {
                    return i..<min(n, i + 60)
                }
                continue
            }
            var e = j
            while e < n && !isSpace(l[e]) { e += 1 }
            if l[j..<e].find("==") != nil { return i..<min(n, i + 60) }
            var k = e
            while k < n && isSpace(l[k]) { k += 1 }
            for w in [u8("equ"), u8("neq"), u8("lss"), u8("leq"), u8("gtr"), u8("geq"), u8("==")]
            where l.matches(w, at: k) {
                return i..<min(n, i + 60)
            }
        }
        return nil
    }

    static let psVerbs = NeedleSet([
        "invoke-", "start-", "new-object", "get-wmiobject", "get-process", "get-content", "set-content", "add-type",
        "set-executionpolicy", "remove-item", "out-file", "get-childitem", "set-mppreference", "iwmi", "iex ", "iwr ",
        "downloadstring", "downloadfile", "frombase64string", "-encodedcommand", "-enc ", "-executionpolicy", "-nop ",
        "-noprofile", "-windowstyle hidden",
    ])

    static let psCalls = NeedleSet([
        "iex(", "iex (", "[system.diagnostics.process]::", "[diagnostics.process]::", "$env:comspec",
        "[scriptblock]::create", "[system.convert]::frombase64", "[convert]::frombase64", "[system.text.encoding]::",
        "[io.file]::", "[system.io.file]::", "[system.net.webclient]", "[net.webclient]",
    ])

    /// PowerShell without a `-`: `iex(iwr …)`, `[Diagnostics.Process]::Start(…)`, `$env:ComSpec`.
    static func powershellCalls(_ l: [UInt8]) -> Range<Int>? {
        var found: Int? = nil
        psCalls.forEach(in: l) { k, i in
            let v = psCalls.needles[k]
            guard wordStart(l, i) || v[0] == 91 || v[0] == 36 else { return false }
            if v[0] == 105 {  // iex( : what it runs must be code, not prose in parentheses (IEX (Investors Exchange))
                var j = i + v.count
                while j < l.count && isSpace(l[j]) { j += 1 }
                guard j < l.count else { return false }
                let ok =
                    l[j] == 36 || l[j] == 39 || l[j] == 34 || l[j] == 91 || l[j] == 40
                    || [u8("iwr "), u8("irm "), u8("new-object"), u8("invoke-"), u8("(iwr"), u8("(irm")].contains {
                        l.matches($0, at: j)
                    }
                guard ok else { return false }
            }
            found = i
            return true
        }
        return found.map { $0..<min(l.count, $0 + 60) }
    }

    static func powershell(_ l: [UInt8]) -> Range<Int>? {
        var found: Int? = nil
        psVerbs.forEach(in: l) { k, i in
            let v = psVerbs.needles[k]
            guard wordStart(l, i) || v[0] == 45 else { return false }
            if v.last == 45 {  // Verb-Noun
                var e = i + v.count
                let s = e
                while e < l.count && isAlpha(l[e]) { e += 1 }
                guard e - s >= 3 else { return false }
            }
            found = i
            return true
        }
        return found.map { $0..<min(l.count, $0 + 60) }
    }

    /// c{a,oun}t, {l,-lh}s, {cat,/etc/passwd}: brace expansion glued to a word.
    static func braceExpansion(_ l: [UInt8]) -> Range<Int>? {
        var from = 0
        while let i = l.find([123], from: from) {
            from = i + 1
            let glued = i > 0 && isAlpha(l[i - 1])
            if !glued {
                // {a,b}word at a word start
                guard i == 0 || isSpace(l[i - 1]) || l[i - 1] == 59 || l[i - 1] == 124 || l[i - 1] == 38 else {
                    continue
                }
                var j = i + 1
                var commas = 0
                while j < l.count && j < i + 40 && l[j] != 125 && !isSpace(l[j]) && l[j] != 34 && l[j] != 39
                    && l[j] != 58
                { if l[j] == 44 { commas += 1 }; j += 1 }
                if j < l.count, l[j] == 125, commas >= 1, j + 1 < l.count, isAlpha(l[j + 1]), l[i + 1] != 34 {
                    return i..<min(l.count, i + 40)
                }
                continue
            }
            var j = i + 1
            var commas = 0
            while j < l.count && j < i + 40 && l[j] != 125 && !isSpace(l[j]) && l[j] != 34 && l[j] != 39 {
                if l[j] == 44 { commas += 1 }; j += 1
            }
            if j < l.count, l[j] == 125, commas >= 1, j + 1 < l.count, isAlpha(l[j + 1]) {
                return (i - 1)..<min(l.count, i + 40)
            }
        }
        return nil
    }
}
