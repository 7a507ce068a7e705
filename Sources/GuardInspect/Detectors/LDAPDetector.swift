/// LDAP filter injection: input that closes the filter it was put in and opens another
/// (`*)(uid=*`, `)(|(cn=*`, `)(&)`), or starts an OR/AND/NOT group of filters.
enum LDAPDetector {
    static func detect(_ t: ScanText) -> Range<Int>? {
        let l = t.l
        guard t.flags.contains(.paren) else { return nil }
        let n = l.count
        // (&(uid=a)(!(pw=x)), (|(cn=*)…: the value opens a filter group it does not close (a
        // complete, balanced filter is what search forms legitimately send) or matches all.
        var s0 = 0
        while s0 < n && isSpace(l[s0]) { s0 += 1 }
        if s0 + 3 < n, l[s0] == 40, l[s0 + 1] == 38 || l[s0 + 1] == 124 || l[s0 + 1] == 33, l[s0 + 2] == 40,
            filterItem(l, s0 + 3),
            l.reduce(0, { $0 + ($1 == 40 ? 1 : $1 == 41 ? -1 : 0) }) != 0 || l.find("=*)") != nil
        {
            return hit(s0, n)
        }
        var i = 0
        var checked = 0
        var depth = 0
        while i < n && checked < 128 {
            let c = l[i]
            if c == 40 { depth += 1 } else if c == 41 { depth -= 1 }
            // Only input that closes a filter it did not open can start a new one.
            if c == 41 && depth < 0 {  // )
                checked += 1
                var j = i + 1
                while j < n && isSpace(l[j]) { j += 1 }
                var op = false
                if j < n, l[j] == 124 || l[j] == 38 || l[j] == 33 {
                    op = true; j += 1; while j < n && isSpace(l[j]) { j += 1 }
                }
                if j < n, l[j] == 40 {
                    var k = j + 1
                    while k < n && isSpace(l[k]) { k += 1 }
                    if k >= n { return hit(i, n) }
                    let d = l[k]
                    if d == 124 || d == 38 || d == 33 || d == 41 || d == 40 { return hit(i, n) }  // )(| )(&) )()
                    if filterItem(l, k) { return hit(i, n) }
                } else if op && (j >= n || isAlpha(l[j])) && filterItem(l, j) {
                    return hit(i, n)
                }
            } else if c == 40 && i > 0 && l[i - 1] == 42 {  // *(|( *(&(
                checked += 1
                var j = i + 1
                while j < n && isSpace(l[j]) { j += 1 }
                if j < n, l[j] == 124 || l[j] == 38 || l[j] == 33 {
                    var k = j + 1
                    while k < n && isSpace(l[k]) { k += 1 }
                    if k >= n || l[k] == 40 || l[k] == 41 { return hit(i, n) }
                }
            } else if c == 42, i + 1 < n, l[i + 1] == 41 || l[i + 1] == 40, i == 0 || l[i - 1] == 40 || l[i - 1] == 61 {
                // *)(… or *(|(…: a wildcard that closes or opens a filter
                var j = i + 1
                while j < n && (l[j] == 40 || l[j] == 41 || l[j] == 124 || l[j] == 38 || isSpace(l[j])) { j += 1 }
                // A NUL ends the filter for C-string LDAP libraries.
                if j >= n || filterItem(l, j) || l[j] == 39 || l[j] == 0 { return hit(i, n) }
            }
            i += 1
        }
        return nil
    }

    /// `attr=…`, `attr~=…`, `attr>=…`, `attr<=…`, `attr=*`.
    static func filterItem(_ l: [UInt8], _ k: Int) -> Bool {
        var j = k
        while j < l.count && (isAlnum(l[j]) || l[j] == 45 || l[j] == 59 || l[j] == 46 || l[j] == 95) { j += 1 }
        guard j > k, isAlpha(l[k]) else { return false }
        if j < l.count && l[j] == 61 { return true }
        if j + 1 < l.count && (l[j] == 126 || l[j] == 62 || l[j] == 60) && l[j + 1] == 61 { return true }
        return false
    }

    static func hit(_ i: Int, _ n: Int) -> Range<Int> { max(0, i - 10)..<min(n, i + 40) }
}
