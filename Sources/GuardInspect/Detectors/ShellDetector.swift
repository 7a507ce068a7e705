/// Command injection: a shell lexer finds the places a command can start — after `;`, `|`,
/// `&`, a newline, inside `$(…)`, `` `…` ``, `<(…)`, and at the start of the value — reads the
/// word there the way the shell would (quotes, backslashes, `$@`, `${x}`, `^` and `${IFS}`
/// removed or read as blanks) and judges it with its arguments: a known command followed
/// by shell-looking arguments (options, paths, addresses, numbers, redirections).
enum ShellDetector {
    enum Tier: UInt8 { case strong, weak }

    static let commands: [[UInt8]: Tier] = {
        var d: [[UInt8]: Tier] = [:]
        let strong = """
            whoami uname ifconfig ipconfig netstat nslookup wget curl nc ncat netcat bash sh zsh ksh csh tcsh dash \
            powershell pwsh cmd python python2 python3 perl ruby php irb lua luajit telnet chmod chown passwd useradd \
            crontab systeminfo tasklist taskkill certutil bitsadmin wmic nmap socat xterm busybox base64 xxd rmt c89 \
            c99 gcc cc jrunscript jjs osascript tftp printenv id pwd ls ps dir awk gawk nawk sed grep egrep fgrep \
            rm sudo su nohup xargs wc od strings whereis lsof arp traceroute tracert dig getent uptime dmesg \
            ping ip hostname cat echo sleep net reg ver env vi vim nano tail head more less type find touch \
            kill killall mkdir rmdir cp mv ln tar zip unzip gzip gunzip dd timeout expr eval exec openssl \
            mysql psql sqlite3 mongo nohup setsid chroot ssh scp sftp ftp mail sendmail node java javac ncat \
            systemctl service shutdown reboot mount umount fdisk mkfs iptables tcpdump who w last finger route \
            set del copy start call powershell.exe cmd.exe wsl rundll32 regsvr32 mshta cscript wscript schtasks \
            at cut sort uniq tr tee nl rev tac diff file which history jobs sh.exe bash.exe git docker kubectl \
            pip npm apt yum apk dnf make cmake uname32 php-cgi pkill pgrep ls.exe nc.exe wget.exe curl.exe \
            net.exe ipconfig.exe whoami.exe systeminfo.exe netstat.exe type.exe xdg-open open explorer
            """
        for w in strong.split(whereSeparator: { $0 == " " || $0 == "\n" }) { d[Array(w.utf8)] = .strong }
        // Commands that are also everyday words: they need shell-looking arguments.
        let weak = """
            type find more less touch kill set del copy start call at cut sort tr tee file which history jobs \
            last who w finger route mail open make time date host man join paste exec eval expr mount service \
            shutdown reboot su uniq diff rev nl explorer head tail
            """
        for w in weak.split(whereSeparator: { $0 == " " || $0 == "\n" }) { d[Array(w.utf8)] = .weak }
        return d
    }()

    static func detect(_ t: ScanText) -> Range<Int>? {
        let l = t.l
        let f = t.flags
        // Reverse shells and blank tricks are signs on their own.
        if f.contains(.slash), let i = t.find(u8("/dev/tcp/")) ?? t.find(u8("/dev/udp/")) { return i..<min(l.count, i + 40) }
        if f.contains(.dollar), let i = t.find(u8("${ifs")) ?? t.find(u8("$ifs")), nearCommand(l, i) { return max(0, i - 10)..<min(l.count, i + 40) }
        var checked = 0
        // The start of the value, and after a leading quote (the value left a quoted argument).
        var s0 = 0
        while s0 < l.count && (isSpace(l[s0]) || l[s0] == 34 || l[s0] == 39) { s0 += 1 }
        if let r = judge(l, at: s0, context: s0 > 0 && (l[0] == 34 || l[0] == 39) ? .separator : .start) { return r }
        guard f.contains(.semicolon) || f.contains(.pipe) || f.contains(.amp) || f.contains(.newline)
            || f.contains(.backtick) || f.contains(.dollar) || f.contains(.lt) || f.contains(.gt) || f.contains(.brace)
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
            case 59, 124, 38, 10, 13: start = i + 1
                while start < n && (l[start] == 124 || l[start] == 38) { start += 1 }
            case 96: start = i + 1; ctx = .substitution
            case 36 where i + 1 < n && l[i + 1] == 40: start = i + 2; ctx = .substitution
            case 60 where i + 1 < n && l[i + 1] == 40, 62 where i + 1 < n && l[i + 1] == 40: start = i + 2; ctx = .substitution
            case 123 where i + 1 < n && isAlpha(l[i + 1]): start = i + 1; ctx = .brace
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

    enum Context { case start, separator, substitution, brace }

    /// Whether a known command word sits right before or after position `i` (`${IFS}`).
    static func nearCommand(_ l: [UInt8], _ i: Int) -> Bool {
        var a = i - 1
        while a >= 0 && (isAlnum(l[a]) || l[a] == 39 || l[a] == 34 || l[a] == 92) { a -= 1 }
        let (w, _) = readWord(l, from: a + 1)
        if commands[w] != nil { return true }
        var j = i
        while j < l.count && l[j] != 125 && j < i + 8 { j += 1 }
        let (w2, _) = readWord(l, from: j + 1)
        return commands[w2] != nil
    }

    /// Reads a shell word from `i`, dropping quotes, backslashes, `$@`, `$*`, `${…}` pieces
    /// and `^`, up to a blank or an operator. Returns the word and where it ended.
    static func readWord(_ l: [UInt8], from start: Int) -> ([UInt8], Int) {
        var w: [UInt8] = []
        var i = start
        let n = l.count
        while i < n && w.count < 48 {
            let c = l[i]
            if isSpace(c) || c == 59 || c == 124 || c == 38 || c == 60 || c == 62 || c == 40 || c == 41 || c == 96 || c == 44 || c == 125 || c == 123 || c == 0 {
                break
            }
            if c == 39 || c == 34 || c == 92 || c == 94 { i += 1; continue }
            if c == 36 {
                if i + 1 < n, l[i + 1] == 64 || l[i + 1] == 42 || isDigit(l[i + 1]) { i += 2; continue }  // $@ $* $1
                if l.matches(u8("${ifs}"), at: i) || l.matches(u8("$ifs"), at: i) { break }
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

    static func judge(_ l: [UInt8], at start: Int, context: Context) -> Range<Int>? {
        var i = start
        let n = l.count
        while i < n && (isSpace(l[i]) || l[i] == 40 || l[i] == 123 || l[i] == 33 || (context != .start && (l[i] == 39 || l[i] == 34))) { i += 1 }
        guard i < n else { return nil }
        if l.matches(u8("${ifs}"), at: i) { i += 6 }
        let (raw, end) = readWord(l, from: i)
        guard raw.count >= 1 else { return nil }
        var word = raw
        var isPath = false
        if let slash = raw.lastIndex(where: { $0 == 47 || $0 == 92 }), slash + 1 < raw.count {
            isPath = raw.first == 47 || raw.first == 92 || (raw.count > 2 && raw[1] == 58)
            word = Array(raw[(slash + 1)...])
        }
        guard let tier = commands[word] else { return nil }
        // The arguments up to the next operator.
        var a = end
        while a < n && (isSpace(l[a]) || l.matches(u8("${ifs}"), at: a) || l.matches(u8("$ifs"), at: a)) {
            if l[a] == 36 { a += l.matches(u8("${ifs}"), at: a) ? 6 : 4 } else { a += 1 }
        }
        let argsEnd = a >= n || l[a] == 59 || l[a] == 124 || l[a] == 38 || l[a] == 96 || l[a] == 41 || l[a] == 10 || l[a] == 35
        let shellArgs = !argsEnd && shellish(l, a)
        let hit = i..<min(n, i + 60)
        switch context {
        case .substitution:
            return hit
        case .brace:
            // {cat,/etc/passwd}
            return end < n && l[end] == 44 ? hit : nil
        case .separator:
            if isPath || shellArgs { return hit }
            if argsEnd { return tier == .strong ? hit : nil }
            // A strong command followed by a plain word: `; ping me` stays prose, `; nc x 80` not.
            if tier == .strong, !isPlainWordArgs(l, a) { return hit }
            return nil
        case .start:
            if isPath && (argsEnd || shellArgs) && raw.count > word.count + 3 { return hit }
            if shellArgs && tier == .strong && strongArgs(l, a) { return hit }
            return nil
        }
    }

    /// Options, paths, addresses, numbers, redirections, variables, quotes: not prose.
    static func shellish(_ l: [UInt8], _ a: Int) -> Bool {
        let c = l[a]
        if c == 45 || c == 47 || c == 92 || c == 36 || c == 126 || c == 62 || c == 60 || c == 46 || c == 42 || c == 63 { return true }
        if c == 39 || c == 34 { return true }
        // The first argument word: a number, a dotted name or address, a path.
        var j = a
        var sawDot = false
        var allDigits = true
        while j < l.count && !isSpace(l[j]) && l[j] != 59 && l[j] != 124 && l[j] != 38 {
            if l[j] == 46 || l[j] == 47 || l[j] == 92 || l[j] == 58 && j + 1 < l.count && l[j + 1] == 47 { sawDot = true }
            if !isDigit(l[j]) { allDigits = false }
            j += 1
        }
        return allDigits || sawDot && j - a > 3
    }

    /// Arguments that only a command line has (for a command at the very start).
    static func strongArgs(_ l: [UInt8], _ a: Int) -> Bool {
        let c = l[a]
        if c == 45, a + 1 < l.count, isAlpha(l[a + 1]) || l[a + 1] == 45 { return true }
        if c == 47 || c == 62 || c == 60 || c == 36 || c == 92 { return true }
        return shellish(l, a) && (l[a...].contains(47) || l[a...].contains(46))
    }

    static func isPlainWordArgs(_ l: [UInt8], _ a: Int) -> Bool {
        var j = a
        while j < l.count && isAlpha(l[j]) { j += 1 }
        return j > a && (j >= l.count || l[j] == 32 || l[j] == 44 || l[j] == 46 || l[j] == 33 || l[j] == 63)
    }

    /// /???/c?t  /e??/p*d  /etc/[!abc]asswd: shell globbing in a path to a system file.
    static func globPath(_ l: [UInt8]) -> Range<Int>? {
        guard let s = l.firstIndex(of: 47) else { return nil }
        if s > 0, isAlnum(l[s - 1]) || l[s - 1] == 58 || l[s - 1] == 47 { return nil }
        var i = s
        var globs = 0
        var segments = 0
        while i < l.count && !isSpace(l[i]) && l[i] != 61 && l[i] != 38 {
            let c = l[i]
            if c == 47 { segments += 1 } else if c == 63 || c == 42 || c == 91 { globs += 1 }
            i += 1
        }
        return globs >= 2 && segments >= 2 ? s..<min(l.count, s + 40) : nil
    }
}
