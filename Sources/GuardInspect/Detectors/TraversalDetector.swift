/// Path traversal: the decoded value is read as a path (both slashes, `;` and NUL as the
/// separators servers have split on) and flagged when it climbs out of its directory twice,
/// or once towards a known sensitive file, or names such a file absolutely.
enum TraversalDetector {
    static let sensitive: [[UInt8]] = [
        "etc/passwd", "etc/shadow", "etc/group", "etc/hosts", "etc/issue", "etc/master.passwd", "etc/security/",
        "etc/sudoers", "etc/crontab", "etc/fstab", "etc/mysql", "etc/httpd", "etc/apache", "etc/nginx", "etc/ssh",
        "etc/hostname", "etc/resolv.conf", "etc/motd", "etc/profile", "etc/environment", "proc/self/", "proc/version",
        "proc/cpuinfo", "proc/meminfo", "proc/mounts", "proc/net/", "proc/1/", "proc/sched_debug", "var/log/", "var/www/",
        "var/lib/", "var/run/", "var/mail/", "usr/local/", "root/", ".ssh/", "id_rsa", "id_dsa", "authorized_keys",
        ".bash_history", ".bashrc", ".profile", ".htaccess", ".htpasswd", ".git/", ".svn/", ".aws/credentials",
        ".docker/", "boot.ini", "win.ini", "system.ini", "windows/", "winnt/", "system32", "inetpub", "web.config",
        "web-inf/", "meta-inf/", "wp-config", "config.php", "php.ini", "httpd.conf", "my.cnf", "my.ini",
        "repair/sam", "autoexec.bat", "config.sys", "desktop.ini", "etc/", "bin/sh", "cmd.exe", ".env", "localstart.asp",
        "applicationhost.config", "appcmd", "global.asa", "server.xml", "tomcat-users.xml", "shadow", "passwd",
    ].map { Array($0.utf8) }

    static let absolute: [[UInt8]] = [
        "/etc/passwd", "/etc/shadow", "/etc/group", "/etc/hosts", "/etc/issue", "/etc/master.passwd", "/etc/sudoers",
        "/proc/self/", "/proc/version", "/proc/1/", "/var/log/", "/var/www/logs", "/root/.", "/.ssh/", "/id_rsa",
        "/.bash_history", "/.htpasswd", "/.aws/credentials", "/boot.ini", "/win.ini", "/system.ini", ":/windows/",
        ":\\windows\\", ":/winnt/", ":\\winnt\\", "/windows/system32", "\\windows\\system32", "/winnt/system32",
        "/web-inf/web.xml", "/etc/httpd/", "/etc/apache", "/etc/nginx/", "/etc/mysql/", "/usr/local/apache",
        "/etc/crontab", "/etc/fstab", "/var/run/secrets", "/etc/resolv.conf", "/etc/hostname", "/etc/motd",
        "c:/boot.ini", "c:\\boot.ini", "/var/lib/mysql", "/etc/security/", "/etc/ssh/", "/usr/local/etc/",
        "/opt/lampp/", "/xampp/", "/etc/profile", "/etc/environment", "/var/mail/", "/var/spool/", "/etc/php",
        "/proc/cpuinfo", "/proc/meminfo", "/proc/mounts", "/proc/net/", "/proc/sched_debug",
    ].map { Array($0.utf8) }

    @inline(__always) static func isSep(_ c: UInt8) -> Bool { c == 47 || c == 92 || c == 59 || c == 0 }

    static func detect(_ t: ScanText) -> Range<Int>? {
        let l = t.l
        let f = t.flags
        if f.contains(.dot) {
            var ups = 0
            var first = -1
            var last = 0
            var i = 0
            let n = l.count
            while let d = l.find([46, 46], from: i), ups < 64 {
                // `..` as a whole segment: separator (or start) before, separator (or end, or a
                // leftover `2f`/`5c` of a half-decoded escape, or more dots) after.
                var a = d
                while a > 0 && l[a - 1] == 46 { a -= 1 }
                var b = d + 2
                while b < n && l[b] == 46 { b += 1 }
                let before = a == 0 || isSep(l[a - 1]) || l[a - 1] == 37 || l[a - 1] == 61 || isSpace(l[a - 1]) || l[a - 1] >= 0x80 || l[a - 1] == 34 || l[a - 1] == 39 || l[a - 1] == 58
                let after = (b >= n && a > 0 && (l[a - 1] == 47 || l[a - 1] == 92)) || (b < n && isSep(l[b])) || l.matches(u8("2f"), at: b) || l.matches(u8("5c"), at: b)
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
                let rest = Array(l[last...]).map { $0 == 92 ? 47 : $0 }
                for s in sensitive where rest.find(s) != nil { return first..<min(n, first + 60) }
            }
        }
        if f.contains(.slash) || f.contains(.backslash) {
            for s in absolute {
                if let i = l.find(s) {
                    // At the start, after a separator, a quote, `=`, `:` (file:) or a space.
                    if i == 0 || s[0] == 58 || !isAlnum(l[i - 1]) && l[i - 1] != 46 && l[i - 1] != 45 {
                        if i > 0, l[i - 1] == 47, i > 1, isAlnum(l[i - 2]) { continue }  // a URL path on a host
                        return i..<min(l.count, i + 60)
                    }
                }
            }
            if f.contains(.nul), let z = l.firstIndex(of: 0), z > 0, l[..<z].contains(46) || l[..<z].contains(47) {
                return 0..<min(l.count, 60)  // NUL-terminated path
            }
        }
        return nil
    }
}
