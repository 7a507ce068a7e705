/// SQL injection: the value is tokenized as SQL three times — as it stands (a numeric
/// context), and from just after its first `'` and first `"` (the value closed the string
/// it was put in) — and each token sequence is judged: UNION SELECT, stacked statements,
/// boolean tautologies after AND/OR, comments after a string break-out, time and error
/// functions, SELECT … FROM structure, catalog names. Weaker signs add up.
enum SQLDetector {
    static func detect(_ t: ScanText) -> Range<Int>? {
        let l = t.l
        // Every SQL attack has a word of at least two letters; most need punctuation too.
        let plain = SQLLexer.tokenize(l, from: 0)
        if let r = judge(plain.tokens, plain.firstComment, l, quoteCtx: false) { return r }
        if t.flags.contains(.squote), let q = l.firstIndex(of: 39), let r = judgeQuoted(l, q) { return r }
        if t.flags.contains(.dquote), let q = l.firstIndex(of: 34), let r = judgeQuoted(l, q) { return r }
        // Typographic quotes used as quotes by some sloppy backends.
        return nil
    }

    static func detectInert(_ t: ScanText) -> Range<Int>? {
        for w in [
            u8("information_schema"), u8("xp_cmdshell"), u8("sp_executesql"), u8("sqlite_master"), u8("pg_shadow"),
        ] {
            if let i = t.find(w) { return i..<(i + w.count) }
        }
        return nil
    }

    static func judgeQuoted(_ l: [UInt8], _ q: Int) -> Range<Int>? {
        let r = SQLLexer.tokenize(
            l, from: q + 1, head: SQLToken(kind: .string, word: .none, start: 0, end: q + 1, closed: true))
        return judge(r.tokens, r.firstComment, l, quoteCtx: true)
    }

    static func isLiteral(_ t: SQLToken) -> Bool {
        switch t.kind {
        case .number, .string, .variable: return true
        case .word: return t.word == .null || t.word == .trueKw || t.word == .falseKw
        default: return false
        }
    }

    /// End of an operand starting at `i` (unary signs, literal, word, call, parenthesized),
    /// and whether it is "SQL-valued" (a literal, a call or a subexpression).
    static func operand(_ s: [SQLToken], _ i: Int) -> (end: Int, valued: Bool, isCall: Bool)? {
        var j = i
        while j < s.count,
            (s[j].kind == .op && (s[j].end - s[j].start == 1)) || (s[j].kind == .logic && s[j].word == .not)
        {
            j += 1
        }
        guard j < s.count else { return nil }
        let t = s[j]
        switch t.kind {
        case .number, .string, .variable, .backtick: return (j + 1, t.kind != .backtick, false)
        case .word:
            if t.word == .select { return nil }
            // qualified name a.b
            var k = j + 1
            while k + 1 < s.count, s[k].kind == .dot, s[k + 1].kind == .word || s[k + 1].kind == .function { k += 2 }
            if k > j + 1, k - 1 < s.count, s[k - 1].kind == .function { return (skipParens(s, k), true, true) }
            return (k, isLiteral(t), false)
        case .function: return (skipParens(s, j + 1), true, true)
        case .lparen: return (skipParens(s, j), true, false)
        default: return nil
        }
    }

    /// Index after the parenthesized group starting at `i` (or `i` if none).
    static func skipParens(_ s: [SQLToken], _ i: Int) -> Int {
        guard i < s.count, s[i].kind == .lparen else { return i }
        var depth = 0
        var j = i
        while j < s.count {
            if s[j].kind == .lparen {
                depth += 1
            } else if s[j].kind == .rparen {
                depth -= 1
                if depth == 0 { return j + 1 }
            }
            j += 1
        }
        return j
    }

    static func judge(_ s: [SQLToken], _ firstComment: Int, _ l: [UInt8], quoteCtx: Bool) -> Range<Int>? {
        guard !s.isEmpty else { return nil }

        let n = s.count
        var weak: UInt16 = 0
        var weakAt = s[0].start
        func evidence(_ i: Int) -> Range<Int> {
            let a = s[min(i, n - 1)].start
            return a..<min(l.count, a + 60)
        }
        func addWeak(_ i: Int, _ category: UInt16) {
            if weak == 0 { weakAt = s[min(i, n - 1)].start }
            trace("sqli: weak \(category) at \(i)")
            weak |= 1 << category
        }
        func next(_ i: Int) -> SQLToken? { i + 1 < n ? s[i + 1] : nil }

        // A string break-out: the head is the closed string the value escaped from.
        if quoteCtx {
            var j = 1
            while j < n && s[j].kind == .rparen { j += 1 }
            let q = s[0].end - 1
            let attached = q == 0 || isWordByte(l[q - 1]) || l[q - 1] == 41
            if attached && (s[0].commentAfter || (j > 1 && s[j - 1].commentAfter)) {
                // admin'--  admin')/*   (a `#` comment must end the value: '#1 fan' is text)
                if firstComment >= 0, l[firstComment] != 35 || lastNonSpace(l) == firstComment {
                    trace("sqli: comment after break-out")
                    return evidence(0)
                }
            }
            if j < n {
                let t = s[j]
                let adjacent = t.start == s[0].end && isAlpha(l[t.start])
                if !adjacent || t.kind == .logic {
                    switch t.kind {
                    case .semicolon:
                        if j + 1 < n && statement(s, j + 1, l) || s[j].commentAfter {
                            trace("sqli: ';' after break-out"); return evidence(j)
                        }
                    case .logic, .cmp, .op:
                        if breakoutExpression(s, from: j, l) {
                            trace("sqli: expression after break-out"); return evidence(j)
                        }
                    case .word where t.word == .order || t.word == .group:
                        if j + 2 < n, s[j + 1].word == .by, s[j + 2].kind == .number { return evidence(j) }
                    case .word where t.word == .having || t.word == .collate || t.word == .waitfor:
                        if j + 1 < n, s[j + 1].kind != .word { return evidence(j) }
                    default: break
                    }
                }
            }
        }

        if let r = fragments(s, l, quoteCtx: quoteCtx) { return r }
        var i = 0
        while i < n {
            let t = s[i]
            switch t.kind {
            case .word, .function:
                switch t.word {
                case .union:
                    if let u = next(i), u.word == .all || u.word == .distinct || u.word == .select || u.kind == .lparen
                    {
                        return evidence(i)
                    }
                case .select:
                    if selectStructure(s, i, l) { return evidence(i) }
                case .sensitive: return evidence(i)
                case .dangerous:
                    if t.kind == .function, !(i > 0 && s[i - 1].kind == .dot), dangerousCall(s, i, l) {
                        return evidence(i)
                    }
                case .waitfor:
                    if let d = next(i), d.word == .delay || d.word == .function { return evidence(i) }
                case .declare:
                    if let v = next(i), v.kind == .variable { return evidence(i) }
                case .into:
                    if let o = next(i), o.word == .outfile { return evidence(i) }
                case .order, .group:
                    if let b = next(i), b.word == .by, i + 2 < n {
                        let x = s[i + 2]
                        if x.kind == .number,
                            (i + 3 >= n || s[i + 3].kind == .comma || s[i + 2].commentAfter || quoteCtx || i > 0)
                        {
                            return evidence(i)
                        }
                        addWeak(i, 1)
                        if t.word == .group, s[(i + 3)...].contains(where: { $0.word == .having }) {
                            return evidence(i)
                        }
                    }
                case .having:
                    if let (e, valued, _) = operand(s, i + 1), valued, e < n, s[e].kind == .cmp { return evidence(i) }
                case .insert:
                    if let x = next(i), x.word == .into, i + 3 < n,
                        s[i + 3].word == .values || s[i + 3].kind == .lparen || s[i + 3].word == .select
                    {
                        return evidence(i)
                    }
                case .delete:
                    if let x = next(i), x.word == .from, i + 2 < n,
                        i + 3 >= n || s[i + 3].word == .whereKw || s[i + 2].commentAfter
                    {
                        return evidence(i)
                    }
                case .update:
                    if i + 4 < n, s[i + 1].kind == .word, s[i + 2].word == .set, s[i + 4].kind == .cmp {
                        return evidence(i)
                    }
                case .caseKw:
                    if s[(i + 1)...].prefix(8).contains(where: { $0.word == .when }) { addWeak(i, 2) }
                case .exec:
                    if let x = next(i),
                        x.word == .sensitive || x.kind == .variable
                            || (x.kind == .word
                                && (l.matches("master", at: x.start) || l.matches("xp_", at: x.start)
                                    || l.matches("sp_", at: x.start)))
                    {
                        return evidence(i)
                    }
                    if let x = next(i), x.kind != .word { addWeak(i, 3) }
                case .collate, .limit, .offset, .procedure:
                    if let x = next(i), x.kind == .number || x.kind == .string || x.word == .analyse { addWeak(i, 4) }
                default:
                    if t.kind == .function, t.word == .function || t.word == .user || t.word == .ifKw,
                        !(i > 0 && (s[i - 1].kind == .dot || s[i - 1].kind == .word || s[i - 1].kind == .function))
                    {
                        addWeak(i, 5)
                    }
                }
            case .variable:
                if t.end - t.start > 2, l[t.start + 1] == 64 { return evidence(i) }  // @@version
            case .number:
                if t.end - t.start >= 6, l[t.start + 1] == 120 { addWeak(i, 6) }  // 0x…
            case .semicolon:
                if i + 1 < n, statement(s, i + 1, l) { return evidence(i) }
            case .logic:
                if t.word != .not, i + 1 < n {
                    if let r = predicate(s, i + 1, l, quoteCtx: quoteCtx) {
                        if r { return evidence(i) }
                        if let (e, valued, _) = operand(s, i + 1), valued,
                            e >= n || s[e].kind == .rparen || s[e].kind == .cmp
                        {
                            addWeak(i, 7)
                        }
                    }
                }
            case .cmp:
                if t.word == .not, i > 0, isLiteral(s[i - 1]), i + 1 < n, isLiteral(s[i + 1]) { addWeak(i, 8) }
            case .comment:
                break
            default: break
            }
            if s[i].terseAfter && i > 0 { addWeak(i, 9) }
            if weak.nonzeroBitCount >= 2 { return weakAt..<min(l.count, weakAt + 60) }
            i += 1
        }
        return nil
    }

    static func lastNonSpace(_ l: [UInt8]) -> Int {
        var j = l.count - 1
        while j > 0 && isSpace(l[j]) { j -= 1 }
        return j
    }

    /// After a logic operator: nil when nothing SQL-like follows, false when something
    /// weakly SQL-like does, true for a predicate that only injected SQL would write.
    static func predicate(_ s: [SQLToken], _ i: Int, _ l: [UInt8], quoteCtx: Bool) -> Bool? {
        let n = s.count
        if s[i].kind == .lparen, i + 1 < n, s[i + 1].word == .select { return true }
        guard let (e1, v1, call1) = operand(s, i) else { return nil }
        if call1, s[i].word == .dangerous || s[i].word == .function && dangerousCall(s, i, l) { return true }
        if e1 < n, s[e1].kind == .cmp {
            if let (e2, v2, call2) = operand(s, e1 + 1) {
                if v1 && v2 { return true }
                if call1 || call2 { return true }
                // x=x
                if e1 == i + 1, e2 == e1 + 2, s[i].kind == .word, s[e2 - 1].kind == .word,
                    l[s[i].start..<s[i].end] == l[s[e2 - 1].start..<s[e2 - 1].end]
                {
                    return true
                }
                if quoteCtx || (e2 - 1 < n && s[e2 - 1].commentAfter) { return true }
                return false
            }
            if e1 + 1 >= n, quoteCtx { return true }  // ' or x=
            return false
        }
        if v1 {
            // ' or 1--   ' or 'x    1 or true#
            if s[e1 - 1].commentAfter { return true }
            let open = s[e1 - 1].kind == .string && !s[e1 - 1].closed
            if quoteCtx, !open, e1 >= n || s[e1].kind == .rparen || s[e1].kind == .semicolon || s[e1].kind == .logic {
                return true
            }
            return false
        }
        return nil
    }

    /// What follows a closing quote: an expression that carries on in SQL — operators and
    /// operands alternating (two operands side by side are prose), ending in a comment, a
    /// stacked statement, or the application's own closing quote, with a literal or a call.
    static func breakoutExpression(_ s: [SQLToken], from j: Int, _ l: [UInt8]) -> Bool {
        let n = s.count
        var k = j
        var expectOperand = false
        var sawLiteral = false
        var strong = false
        var operators = 0
        while k < n && k < j + 40 {
            let t = s[k]
            if expectOperand {
                if t.kind == .lparen, k + 1 < n, s[k + 1].word == .select { return true }
                guard let (e, valued, isCall) = operand(s, k) else { return false }
                if isCall, s[k].word == .dangerous || s[k].word == .function || s[k].word == .user || s[k].word == .ifKw
                {
                    strong = true
                }
                if valued { sawLiteral = true }
                let last = s[e - 1]
                // x'|email--  id'not like id--: an expression closed by a terse comment at the end.
                if last.terseAfter, operators > 0, e >= n { return true }
                // ' or 'a'='a: the application's own quote closes a short last string.
                if e >= n, last.kind == .string, !last.closed {
                    let short = last.end - last.start <= 12 && !l[last.start..<last.end].contains(32)
                    return operators > 0 && (sawLiteral || strong) && (short || strong)
                }
                if s[e - 1].commentAfter { return sawLiteral || strong }
                k = e
                expectOperand = false
                continue
            }
            switch t.kind {
            case .logic where t.word == .not && k + 1 < n && s[k + 1].kind == .cmp:
                break  // NOT LIKE, NOT GLOB: the comparison follows
            case .logic where t.word != .not:
                if k + 1 < n, predicate(s, k + 1, l, quoteCtx: true) == true { return true }
                operators += 1
                expectOperand = true
            case .cmp, .op, .logic:
                operators += 1
                expectOperand = true
            case .semicolon:
                return (k + 1 < n && statement(s, k + 1, l)) || s[k].commentAfter
            case .rparen:
                if s[k].commentAfter { return sawLiteral || strong }
            case .word:
                switch t.word {
                case .union:
                    return k + 1 < n && (s[k + 1].word == .select || s[k + 1].word == .all || s[k + 1].kind == .lparen)
                case .order, .group: return k + 2 < n && s[k + 1].word == .by
                case .collate:
                    return k + 1 < n
                        && (s[k + 1].kind == .word || s[k + 1].kind == .backtick || s[k + 1].kind == .string)
                case .having, .limit, .into, .from, .whereKw: return sawLiteral || strong
                default: return false
                }
            default: return false
            }
            k += 1
        }
        return strong && k >= n
    }

    /// A statement after `;`: what stacked-query injection appends.
    static func statement(_ s: [SQLToken], _ i: Int, _ l: [UInt8]) -> Bool {
        let n = s.count
        guard i < n else { return false }
        let t = s[i]
        func w(_ k: Int) -> SQLWord { k < n ? s[k].word : .none }
        func kind(_ k: Int) -> SQLToken.Kind? { k < n ? s[k].kind : nil }
        switch t.word {
        case .select:
            return selectStructure(s, i, l) || kind(i + 1) == .number || kind(i + 1) == .variable
                || kind(i + 1) == .function
        case .drop, .truncate, .create, .alter:
            return w(i + 1) == .table || w(i + 1) == .database || w(i + 1) == .procedure || w(i + 1) == .user
        case .insert: return w(i + 1) == .into
        case .delete: return w(i + 1) == .from
        case .update: return kind(i + 1) == .word && w(i + 2) == .set
        case .exec:
            guard i + 1 < n else { return false }
            return s[i + 1].kind == .variable || s[i + 1].word == .sensitive
                || (s[i + 1].kind == .lparen && kind(i + 2) == .string)
                || ((s[i + 1].kind == .word || s[i + 1].kind == .function)
                    && (i + 2 >= n || kind(i + 2) == .string || kind(i + 2) == .dot || kind(i + 2) == .semicolon
                        || kind(i + 2) == .lparen))
        case .declare: return kind(i + 1) == .variable
        case .waitfor: return w(i + 1) == .delay || kind(i + 1) == .word
        case .shutdown: return i + 1 >= n || w(i + 1) == .none && kind(i + 1) != .word
        case .set: return kind(i + 1) == .variable
        case .ifKw, .begin:
            return kind(i + 1) == .lparen || kind(i + 1) == .function || w(i + 1) == .not || w(i + 1) == .exists
        case .sensitive: return true
        case .dangerous: return t.kind == .function
        case .print, .goto, .grant, .rename: return kind(i + 1) == .string || kind(i + 1) == .word && i + 2 >= n
        default: return false
        }
    }

    /// SELECT followed by a select list a person would not write in prose.
    static func selectStructure(_ s: [SQLToken], _ i: Int, _ l: [UInt8]) -> Bool {
        let n = s.count
        var j = i + 1
        while j < n,
            s[j].word == .distinct || s[j].word == .all || s[j].word == .top
                || (j > i + 1 && s[j - 1].word == .top && s[j].kind == .number)
        {
            j += 1
        }
        guard j < n else { return false }
        let first = s[j]
        switch first.kind {
        case .op where first.end - first.start == 1:
            // select * from t   (not "how to use select * from in sql")
            if l[first.start] != 42 { return true }  // select -1, select ~0: unary operators
            guard j + 1 < n else { return false }
            if s[j + 1].kind == .comma { return true }
            return s[j + 1].word == .from && j + 2 < n
                && (s[j + 2].kind == .word || s[j + 2].kind == .backtick || s[j + 2].word == .sensitive
                    || s[j + 2].kind == .lparen)
        case .variable, .function: return true
        case .number, .string:
            guard j + 1 < n else { return first.kind == .number }
            let x = s[j + 1]
            return x.kind == .comma || x.word == .from || x.kind == .rparen || x.kind == .semicolon || x.word == .asKw
                || x.kind == .cmp
        case .lparen: return true
        case .word:
            if first.word == .null || first.word == .caseKw || first.word == .user || first.word == .sensitive {
                return true
            }
            // select a, b from t   select name from users where …
            var k = j
            var columns = 0
            while k < n, s[k].kind == .word || s[k].kind == .backtick, columns < 32 {
                k += 1
                while k + 1 < n, s[k].kind == .dot { k += 2 }
                columns += 1
                if k < n, s[k].kind == .comma { k += 1 } else { break }
            }
            if columns > 1 { return true }
            if k < n, s[k].word == .from, k + 1 < n,
                s[k + 1].kind == .word || s[k + 1].kind == .backtick || s[k + 1].word == .sensitive
            {
                var m = k + 2
                while m + 1 < n, s[m].kind == .dot { m += 2 }
                if m >= n { return false }
                let after = s[m]
                if after.word == .whereKw { return m + 1 < n && s[m + 1].kind != .comment }
                return after.word == .limit || after.word == .order || after.word == .group
                    || after.word == .union || after.kind == .semicolon || after.kind == .rparen || after.word == .join
                    || after.kind == .comma || after.word == .having
            }
            return false
        default: return false
        }
    }

    /// sleep(5), benchmark(…), pg_sleep(…): a call in an expression position.
    static func dangerousCall(_ s: [SQLToken], _ i: Int, _ l: [UInt8]) -> Bool {
        if i > 0 {
            let p = s[i - 1]
            if p.kind == .word && p.word == .none { return false }  // "go to sleep(5 min)" style prose
            if p.kind == .dot { return false }
        }
        if l.matches("sleep", at: s[i].start), s[i].end - s[i].start == 5 {
            // sleep(N) with a number: as a statement it is also a time probe.
            return i + 2 < s.count && (s[i + 2].kind == .number || s[i + 2].kind == .lparen)
        }
        return true
    }
}
