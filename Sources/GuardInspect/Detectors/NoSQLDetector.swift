/// NoSQL (MongoDB) injection: query operators where names or values are expected
/// (`{"$ne": …}`, `user[$regex]=…`, `$where`), and server-side JavaScript after a string
/// break-out (`'; return true; //`, `' || '1'=='1`, `this.password.match(…)`).
enum NoSQLDetector {
    static let operators: [[UInt8]] = [
        "ne", "eq", "gt", "gte", "lt", "lte", "in", "nin", "regex", "where", "exists", "or", "and", "nor", "not",
        "expr",
        "elemmatch", "all", "size", "mod", "text", "search", "comment", "function", "accumulator", "lookup",
        "jsonschema",
        "options", "type", "set", "unset", "push", "inc", "rename", "match", "group", "merge", "out", "addfields",
        "project", "unwind", "graphlookup", "facet", "sample",
    ].map { Array($0.utf8) }

    static func isOperator(_ l: [UInt8], at i: Int) -> Int? {
        for op in operators where l.matches(op, at: i) {
            let e = i + op.count
            if e >= l.count || !isWordByte(l[e]) { return e }
        }
        return nil
    }

    static let jsMarkers = NeedleSet([
        "this.", "return true", "return 1", "new date()", "db.", "sleep(", "while(", "while (", "tojson(", "mapreduce",
        "process.",
    ])

    static func detect(_ t: ScanText) -> Range<Int>? {
        let l = t.l
        let f = t.flags
        if f.contains(.dollar) {
            var from = 0
            while let d = l.find([36], from: from) {
                from = d + 1
                guard let e = isOperator(l, at: d + 1) else { continue }
                let before = d == 0 ? UInt8(0) : l[d - 1]
                let after = e < l.count ? l[e] : UInt8(0)
                // A key `$ne`, `[$ne]`, `{"$ne":`, `$where:`, `'$gt'`.
                if t.role == .key && d == 0 && (e == l.count || after == 93) { return d..<min(l.count, d + 40) }
                if before == 91 && after == 93 { return d..<min(l.count, d + 40) }
                if (before == 34 || before == 39) && (after == 34 || after == 39)
                    && l[(e + 1)...].prefix(3).contains(58)
                {
                    return d..<min(l.count, d + 40)
                }
                if before == 123 || (before == 32 || before == 44 || d == 0) && after == 58
                    || l.matches("where", at: d + 1) && t.role != .key
                {
                    if after == 58 || after == 34 || after == 39 || before == 123 || after == 32 {
                        return d..<min(l.count, d + 40)
                    }
                }
            }
        }
        guard f.contains(.squote) || f.contains(.dquote) || f.contains(.semicolon) else { return nil }
        // Server-side JavaScript.
        var jsHit: Range<Int>? = nil
        jsMarkers.forEach(in: l, limit: 16) { k, i in
            let marker = jsMarkers.needles[k]
            var p = i - 1
            while p >= 0 && isSpace(l[p]) { p -= 1 }
            let prev = p >= 0 ? l[p] : UInt8(0)
            // After a quote, `;`, `||`, `&&` or `{`: code, not prose.
            guard prev == 39 || prev == 34 || prev == 59 || prev == 124 || prev == 38 || prev == 123 || prev == 61
            else { return false }
            if marker == u8("db."),
                l[i...].find(".find") == nil && l[i...].find(".drop") == nil && l[i...].find(".insert") == nil
            {
                return false
            }
            if marker == u8("this."), l[i...].find([40]) == nil && l[i...].find("==") == nil { return false }
            jsHit = max(0, p)..<min(l.count, max(0, p) + 60)
            return true
        }
        if let jsHit { return jsHit }
        // '; return …: a statement after leaving a string
        var from = 0
        while let i = t.find("return", from: from) {
            from = i + 6
            var p = i - 1
            while p >= 0 && isSpace(l[p]) { p -= 1 }
            guard p >= 0, l[p] == 59 else { continue }
            p -= 1
            while p >= 0 && isSpace(l[p]) { p -= 1 }
            if p >= 0, l[p] == 39 || l[p] == 34 { return p..<min(l.count, p + 60) }
        }
        // ' || '1'=='1    " && "a"=="a
        if let i = t.find("'=='") ?? t.find("\"==\"") ?? t.find("' == '") {
            return max(0, i - 10)..<min(l.count, i + 40)
        }
        return nil
    }
}
