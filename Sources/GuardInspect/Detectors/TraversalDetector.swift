/// Path traversal: the decoded value is read as a path (both slashes, `;` and NUL as the
/// separators servers have split on) and flagged when it climbs out of its directory twice,
/// or once towards a known sensitive file, or names such a file absolutely.
enum TraversalDetector {
    static let sensitive = NeedleSet([
        "etc/passwd", "etc/shadow", "etc/group", "etc/hosts", "etc/issue", "etc/master.passwd", "etc/security/",
        "etc/sudoers", "etc/crontab", "etc/fstab", "etc/mysql", "etc/httpd", "etc/apache", "etc/nginx", "etc/ssh",
        "etc/hostname", "etc/resolv.conf", "etc/motd", "etc/profile", "etc/environment", "proc/self/", "proc/version",
        "proc/cpuinfo", "proc/meminfo", "proc/mounts", "proc/net/", "proc/1/", "proc/sched_debug", "var/log/",
        "var/www/",
        "var/lib/", "var/run/", "var/mail/", "usr/local/", "root/", ".ssh/", "id_rsa", "id_dsa", "authorized_keys",
        ".bash_history", ".bashrc", ".profile", ".htaccess", ".htpasswd", ".git/", ".svn/", ".aws/credentials",
        ".docker/", "boot.ini", "win.ini", "system.ini", "windows/", "winnt/", "system32", "inetpub", "web.config",
        "web-inf/", "meta-inf/", "wp-config", "config.php", "php.ini", "httpd.conf", "my.cnf", "my.ini",
        "repair/sam", "autoexec.bat", "config.sys", "desktop.ini", "etc/", "bin/sh", "cmd.exe", ".env",
        "localstart.asp",
        "applicationhost.config", "appcmd", "global.asa", "server.xml", "tomcat-users.xml", "shadow", "passwd",
    ])

    static let absolute = NeedleSet([
        "/etc/passwd", "/etc/shadow", "/etc/group", "/etc/hosts", "/etc/issue", "/etc/master.passwd", "/etc/sudoers",
        "/proc/self/", "/proc/version", "/proc/1/", "/var/log/", "/var/www/logs", "/root/.", "/.ssh/", "/id_rsa",
        "/.bash_history", "/.htpasswd", "/.aws/credentials", "/boot.ini", "/win.ini", "/system.ini", ":/windows/",
        ":\\windows\\", ":/winnt/", ":\\winnt\\", "/windows/system32", "\\windows\\system32", "/winnt/system32",
        "/web-inf/web.xml", "/etc/httpd/", "/etc/apache", "/etc/nginx/", "/etc/mysql/", "/usr/local/apache",
        "/etc/crontab", "/etc/fstab", "/var/run/secrets", "/etc/resolv.conf", "/etc/hostname", "/etc/motd",
        "c:/boot.ini", "c:\\boot.ini", "/var/lib/mysql", "/etc/security/", "/etc/ssh/", "/usr/local/etc/",
        "/opt/lampp/", "/xampp/", "/etc/profile", "/etc/environment", "/var/mail/", "/var/spool/", "/etc/php",
        "/proc/cpuinfo", "/proc/meminfo", "/proc/mounts", "/proc/net/", "/proc/sched_debug",
    ])

    @inline(__always) static func isSep(_ c: UInt8) -> Bool { c == 47 || c == 92 || c == 59 || c < 32 }

    /// Locations a path may start with that belong to the system, not the application.
    static let systemRoots: [[UInt8]] = [
        "/etc/", "/proc/", "/sys/", "/var/", "/usr/", "/var/www/", "/var/run/", "/var/mail", "/var/spool",
        "/root/", "/boot/", "/dev/", "/usr/local/apache", "/usr/local/etc", "/usr/local/nginx", "/opt/lampp",
        "/xampp", "/windows/", "/winnt/", "/inetpub/", "/apache/", "/apache2/", "/logs/", "/log/",
        "/private/etc", "/private/var", "/library/", "/.ssh", "/.aws", "/.docker", "/.kube", "/.git/",
        "c:/windows", "c:/winnt", "c:/inetpub", "c:/xampp", "c:/apache", "c:/mysql", "c:/php", "c:/boot.ini",
    ].map { Array($0.utf8) }

    /// Files that are only ever asked for by an attacker.
    static let sensitiveFiles = NeedleSet([
        "access.log", "access_log", "error.log", "error_log", "php.ini", "my.cnf", "my.ini", "httpd.conf",
        "apache2.conf", "nginx.conf", ".htaccess", ".htpasswd", "boot.ini", "win.ini", "system.ini", "etc/passwd",
        "etc/shadow", "config.inc", "webalizer.conf", ".docker/", "id_rsa", ".bash_history", "wp-config.php",
        "web.config", "web.xml", "tomcat-users.xml", "applicationhost.config", "sam", "ntuser.dat", "proftpd.conf",
        "vsftpd.conf", "php.ini", ".env", "settings.py", "database.yml", "credentials",
    ])

    /// 0x2e0x2e0x2f → ../, NULs dropped, `\` → `/`.
    static func normalize(_ l: [UInt8], _ f: CharFlags) -> [UInt8] {
        if !f.contains(.backslash) && !f.contains(.nul) && l.find("0x") == nil { return l }
        var out = [UInt8]()
        out.reserveCapacity(l.count)
        var i = 0
        while i < l.count {
            let c = l[i]
            if c == 48, i + 3 < l.count, l[i + 1] == 120 {
                if l[i + 2] == 50, l[i + 3] == 101 { out.append(46); i += 4; continue }
                if l[i + 2] == 50, l[i + 3] == 102 { out.append(47); i += 4; continue }
                if l[i + 2] == 53, l[i + 3] == 99 { out.append(47); i += 4; continue }
            }
            if c == 0 { i += 1; continue }
            out.append(c == 92 ? 47 : c)
            i += 1
        }
        return out
    }

    static func detect(_ t: ScanText) -> Range<Int>? {
        let f = t.flags
        guard f.contains(.dot) || f.contains(.slash) || f.contains(.backslash) else {
            return f.contains(.percent) || f.contains(.high) ? junkSeparated(t.l) : nil
        }
        let l = normalize(t.l, f)
        if let r = dotdot(l) { return r }
        // Nothing but climbs and separators: /../  ..\  /..0x2f
        if l.find("..") != nil, l.allSatisfy({ $0 == 46 || $0 == 47 || $0 == 92 || isSpace($0) }) {
            return 0..<min(l.count, 60)
        }
        if let r = junkSeparated(l) { return r }
        // An absolute path into the system, or a path-looking value that names a sensitive file.
        var s = 0
        while s < l.count && (isSpace(l[s]) || l[s] == 34 || l[s] == 39) { s += 1 }
        if l.matches("file://", at: s) { s += 7 }
        if s < l.count, t.role != .path {
            let head = Array(l[s...].prefix(24))
            if head.first == 47 || head.first == 46 || head.first == 126
                || (head.count > 2 && head[1] == 58 && head[2] == 47)
            {
                var body = head
                // Strip ./ and // runs: /./././etc → /etc
                // Strip ./ segments and doubled slashes in one pass (the head is all that matters).
                var k: [UInt8] = []
                k.reserveCapacity(256)
                var x = s
                while x < l.count && k.count < 256 {
                    let c = l[x]
                    if c == 47, x + 2 < l.count, l[x + 1] == 46, l[x + 2] == 47 { x += 2; continue }  // /./ → /
                    if c == 47, let last = k.last, last == 47 { x += 1; continue }  // // → /
                    k.append(c)
                    x += 1
                }
                while k.starts(with: "./") { k.removeFirst(2) }
                if k.first != 47, k.count > 2, k[1] != 58 { k.insert(47, at: 0) }
                body = k
                for r in systemRoots
                where body.starts(with: r)
                    || (body.count > 2 && body[1] == 58 && r.first == 47 && Array(body.dropFirst(2)).starts(with: r))
                {
                    if r == u8("//") && body.count > 2 && isAlnum(body[2]) { continue }
                    return s..<min(l.count, s + 60)
                }
                if !body.contains(32) || body.count < 60 {
                    var hit = false
                    sensitiveFiles.forEach(in: body) { k, at in
                        let file = sensitiveFiles.needles[k]
                        let e = at + file.count
                        if isAlnum(file[file.count - 1]), e < body.count, isAlnum(body[e]) { return false }
                        if file == u8("sam") && (e < body.count || body.find("/sam") == nil) { return false }
                        hit = true
                        return true
                    }
                    if hit { return s..<min(l.count, s + 60) }
                }
            }
        }
        if f.contains(.slash) || f.contains(.backslash) {
            var found: Range<Int>? = nil
            absolute.forEach(in: l) { k, i in
                let a = absolute.needles[k]
                guard i == 0 || a[0] == 58 || !isAlnum(l[i - 1]) && l[i - 1] != 46 && l[i - 1] != 45 else {
                    return false
                }
                if i > 1, l[i - 1] == 47, isAlnum(l[i - 2]) { return false }  // a URL path on a host
                found = i..<min(l.count, i + 60)
                return true
            }
            if let found { return found }
        }
        if f.contains(.nul), let z = t.l.firstIndex(of: 0), z > 0, t.l[..<z].contains(46) || t.l[..<z].contains(47) {
            return 0..<min(l.count, 60)  // NUL-terminated path
        }
        return nil
    }

    /// etc%bg%qfpasswd, etc0x5cpasswd: a system file behind separators of any spelling;
    /// boot.ini and win.ini wherever they appear.
    static func junkSeparated(_ l: [UInt8]) -> Range<Int>? {
        for target in [u8("passwd"), u8("shadow")] {
            var from = 0
            while let i = l.find(target, from: from) {
                from = i + 1
                // "etc", then up to 12 bytes of separators in any spelling, then the file.
                let lo = max(0, i - 15)
                if let k = l[lo..<i].find("etc") {
                    let junk = l[(k + 3)..<i]
                    if !junk.isEmpty, junk.count <= 12, junk.contains(where: { !isAlnum($0) }), !junk.contains(32) {
                        return k..<min(l.count, i + 10)
                    }
                }
            }
        }
        for file in [u8("boot.ini"), u8("win.ini"), u8("system.ini")] {
            if let i = l.find(file) { return max(0, i - 20)..<min(l.count, i + 20) }
        }
        return nil
    }

    /// `..` segments: two climbs, or one towards a sensitive file.
    static func dotdot(_ l: [UInt8]) -> Range<Int>? {
        var ups = 0
        var first = -1
        var last = 0
        var i = 0
        let n = l.count
        func hexSep(_ k: Int) -> Bool { l.matches("2f", at: k) || l.matches("5c", at: k) }
        while let d = l.find([46, 46], from: i), ups < 64 {
            var a = d
            while a > 0 && l[a - 1] == 46 { a -= 1 }
            var b = d + 2
            while b < n && l[b] == 46 { b += 1 }
            let before =
                a == 0 || isSep(l[a - 1]) || l[a - 1] == 37 || l[a - 1] == 61 || isSpace(l[a - 1]) || l[a - 1] >= 0x80
                || l[a - 1] == 34 || l[a - 1] == 39 || l[a - 1] == 58 || (a >= 2 && hexSep(a - 2))
            let after =
                (b >= n && a > 0 && l[a - 1] == 47) || (b < n && isSep(l[b])) || hexSep(b)
                || b < n && (l[b] == 37 || l[b] >= 0x80 || l[b] == 63 && b + 1 < n && isSep(l[b + 1]))
            if before && after {
                ups += 1
                if first < 0 { first = a }
                last = b
            }
            i = b
        }
        if ups >= 2 { return first..<min(n, first + 60) }
        if ups == 1 {
            let rest = Array(l[last...])
            if sensitive.first(in: rest) != nil || sensitiveFiles.first(in: rest) != nil {
                return first..<min(n, first + 60)
            }
        }
        return nil
    }
}
