/// CRLF injection and response splitting: a line break followed by an HTTP header or a
/// status or request line, and request lines smuggled into a value. Names (query and form
/// parameter names, header names) never legitimately hold line breaks.
enum CRLFDetector {
    static let strongHeaders: [[UInt8]] = [
        "set-cookie", "content-type", "content-length", "transfer-encoding", "refresh", "access-control-",
        "content-security-policy", "x-", "remote-addr", "cookie", "proxy-", "www-authenticate", "content-disposition",
        "cache-control", "user-agent", "authorization", "referer", "strict-transport-security", "last-modified",
        "etag", "pragma", "accept", "content-encoding", "keep-alive", "te", "trailer", "if-modified-since",
        "if-none-match", "forwarded", "true-client-ip", "client-ip",
    ].map { Array($0.utf8) }
    static let weakHeaders: [[UInt8]] = [
        "location", "host", "server", "link", "origin", "connection", "expect", "upgrade", "via", "vary", "date", "age",
    ].map { Array($0.utf8) }
    static let methods: [[UInt8]] = [
        "get ", "post ", "head ", "put ", "delete ", "options ", "connect ", "trace ", "patch ",
    ].map { Array($0.utf8) }

    static func detect(_ t: ScanText) -> Range<Int>? {
        let l = t.l
        let n = l.count
        if t.flags.contains(.slash), let r = requestLine(l) { return r }
        guard t.flags.contains(.newline) else { return nil }
        if t.role == .key || t.role == .path, let i = l.firstIndex(where: { $0 == 10 || $0 == 13 }),
            i > 0 || t.role == .path || n > 1
        {
            return max(0, i - 10)..<min(n, i + 40)
        }
        var i = 0
        var checked = 0
        while i < n && checked < 64 {
            if l[i] == 10 || l[i] == 13 {
                checked += 1
                var j = i
                while j < n && (l[j] == 10 || l[j] == 13 || l[j] == 32 || l[j] == 9) { j += 1 }
                if l.matches("http/1.", at: j) || l.matches("http/2", at: j) { return hit(i, n) }
                if l.matches("<html", at: j) || l.matches("<script", at: j) { return hit(i, n) }
                for m in methods where l.matches(m, at: j) {
                    if l[(j + m.count)...].prefix(200).find(" http/") != nil { return hit(i, n) }
                }
                // A header name then `:`.
                var k = j
                while k < n && (isAlnum(l[k]) || l[k] == 45 || l[k] == 95) { k += 1 }
                var c = k
                while c < n && (l[c] == 32 || l[c] == 9 || l[c] == 13) { c += 1 }
                if k > j, c < n, l[c] == 58 {
                    let name = Array(l[j..<k])
                    for h in strongHeaders where name.starts(with: h) && (h.last == 45 || name.count == h.count) {
                        if h == u8("x-") && name.count < 4 { continue }
                        return hit(i, n)
                    }
                    if weakHeaders.contains(name) {
                        var v = c + 1
                        while v < n && l[v] == 32 { v += 1 }
                        var e = v
                        while e < n && !isSpace(l[e]) { e += 1 }
                        let word = l[v..<e]
                        if (word.contains(46) || word.contains(47)) && (e >= n || l[e] == 13 || l[e] == 10) {
                            return hit(i, n)
                        }
                    }
                }
            }
            i += 1
        }
        return nil
    }

    /// `GET http://host/ HTTP/1.1` inside a value: a smuggled request line.
    static func requestLine(_ l: [UInt8]) -> Range<Int>? {
        guard let h = l.find(" http/") else { return nil }
        var e = h + 6
        guard e < l.count, isDigit(l[e]) else { return nil }
        e += 1
        // Walk back over the target to the method.
        var s = h - 1
        while s >= 0 && !isSpace(l[s]) { s -= 1 }
        guard s > 0 else { return nil }
        for m in methods where s + 1 >= m.count && Array(l[(s + 1 - m.count)...s]) == m {
            let a = s + 1 - m.count
            if a == 0 || !isAlpha(l[a - 1]) { return a..<min(l.count, a + 60) }
        }
        return nil
    }

    static func hit(_ i: Int, _ n: Int) -> Range<Int> { max(0, i - 10)..<min(n, i + 40) }
}
