/// SQL fragments that only make sense as injected SQL: the probes rule sets and scanners
/// send to see what a parameter does with SQL (`database(`, `OR name = "`, `) AS x FROM`,
/// `; select`, PostgreSQL casts and JSON operators), judged on the token stream.
extension SQLDetector {
    static let pgTypes = WordTable(
        words: """
            int integer int2 int4 int8 bigint smallint text varchar char numeric decimal real float float4 float8 double \
            json jsonb bool boolean regclass regproc oid bytea date timestamp uuid xml money inet cidr interval
            """, value: true)
    static let objects = WordTable(
        words: "table function procedure view trigger index database user schema sequence login role", value: true)

    static func fragments(_ s: [SQLToken], _ l: [UInt8], quoteCtx: Bool) -> Range<Int>? {
        let n = s.count
        func ev(_ i: Int) -> Range<Int> { let a = s[min(i, n - 1)].start; return a..<min(l.count, a + 60) }
        func word(_ i: Int) -> SQLWord { i < n ? s[i].word : .none }
        func kind(_ i: Int) -> SQLToken.Kind? { i < n ? s[i].kind : nil }
        func isValue(_ t: SQLToken) -> Bool { isLiteral(t) || t.kind == .word || t.kind == .backtick }
        let start = quoteCtx ? 1 : 0
        guard start < n else { return nil }
        let f = s[start]

        if !quoteCtx {
            // database(   COALESCE(   sleep (: a function opened and nothing else.
            if f.kind == .function, f.word != .none, f.word != .exec, kind(1) == .lparen, n <= 3 { return ev(0) }
            // OR name = "   xor 99>   ||(c=!1   AND uid!=(
            if f.kind == .logic, f.word != .not {
                var j = 1
                while kind(j) == .lparen { j += 1 }
                if j < n, isValue(s[j]), kind(j + 1) == .cmp {
                    if j + 2 >= n || kind(j + 2) == .string || kind(j + 2) == .lparen || isValue(s[j + 2])
                        || kind(j + 2) == .logic
                    {
                        return ev(0)
                    }
                }
            }
            // 42 like 42   '1' not regexp '2'   (pattern comparisons between literals)
            if n <= 5, isLiteral(f) {
                var j = 1
                if word(j) == .not { j += 1 }
                if kind(j) == .cmp, s[j].word == .like {
                    j += 1
                    if word(j) == .not { j += 1 }
                    if j == n - 1, isLiteral(s[j]) { return ev(0) }
                }
            }
            // FROM t WHERE a = …   FROM t LIMIT   FROM t GROUP BY
            if f.word == .from, kind(1) == .word || kind(1) == .backtick {
                var j = 2
                while kind(j) == .dot, kind(j + 1) == .word || kind(j + 1) == .backtick { j += 2 }
                switch word(j) {
                case .whereKw: if kind(j + 2) == .cmp { return ev(0) }
                case .limit: if j + 1 >= n || kind(j + 1) == .number { return ev(0) }
                case .group, .order: if word(j + 1) == .by { return ev(0) }
                default: break
                }
            }
            // DROP t;--   DELETE FROM users;--
            if f.word == .drop || f.word == .delete || f.word == .truncate || f.word == .insert || f.word == .update {
                for j in 1..<min(n, 6) where s[j].kind == .semicolon && (s[j].commentAfter || j == n - 1) {
                    return ev(0)
                }
            }
            // in (2147483647,-1)
            if f.word == .inKw, kind(1) == .lparen, n > 3, isLiteral(s[2]), kind(3) == .comma { return ev(0) }
        }
        var i = start
        while i < n {
            let t = s[i]
            switch t.word {
            case .asKw:
                // ) AS alias FROM   ` AS `x` from
                if i > 0, [.rparen, .backtick, .string, .number].contains(s[i - 1].kind), i + 2 < n,
                    s[i + 1].kind == .word || s[i + 1].kind == .backtick || s[i + 1].kind == .string
                        || s[i + 1].word == .not, s[i + 2].word == .from
                {
                    return ev(i)
                }
            case .create, .alter, .drop:
                // CREATE TABLE Persons   ALTER TABLE `t` CHANGE   CREATE FUNCTION f (
                if i + 2 < n || i + 2 == n, i + 1 < n, objects.contains(l[s[i + 1].start..<s[i + 1].end]) {
                    let k = i + 2
                    if k >= n || k + 1 >= n || s[k].kind == .backtick || kind(k + 1) == .lparen
                        || kind(k + 1) == .semicolon
                        || kind(k + 1) == .backtick
                        || (kind(k) == .word && k + 1 < n && s[k + 1].kind == .word
                            && [u8("change"), u8("add"), u8("modify"), u8("rename"), u8("returns"), u8("engine")]
                                .contains(Array(l[s[k + 1].start..<s[k + 1].end])))
                    {
                        return ev(i)
                    }
                }
            case .values:
                if kind(i + 1) == .lparen, i + 3 < n, isLiteral(s[i + 2]),
                    s[i + 3].kind == .comma || s[i + 3].kind == .rparen
                {
                    return ev(i)
                }
            case .exec:
                if i + 1 < n, l.matches("immediate", at: s[i + 1].start) { return ev(i) }
                if kind(i + 1) == .lparen, kind(i + 2) == .variable || kind(i + 2) == .string { return ev(i) }
            case .ifKw:
                if t.kind == .function, kind(i + 1) == .lparen, i + 3 < n, isLiteral(s[i + 2]), s[i + 3].kind == .cmp {
                    return ev(i)
                }
            case .set:
                if kind(i + 1) == .variable { return ev(i) }
            case .select:
                if i > 0, s[i - 1].kind == .lparen, i == n - 1 { return ev(i) }  // …(select
            default: break
            }
            switch t.kind {
            case .semicolon:
                // ; select"   ;drop   ;truncate[
                if i + 1 < n,
                    [.select, .drop, .truncate, .delete, .insert, .update, .alter, .create, .exec, .declare, .shutdown]
                        .contains(s[i + 1].word),
                    i + 2 >= n || (s[i + 2].kind != .word && s[i + 2].kind != .logic && s[i + 2].kind != .number)
                {
                    return ev(i)
                }
            case .op where t.end - t.start == 2 && l[t.start] == 58 && l[t.start + 1] == 58:
                // password::int   (…)::jsonb   '…'::json
                if i + 1 < n, t.start > 0, !isSpace(l[t.start - 1]), pgTypes.contains(l[s[i + 1].start..<s[i + 1].end])
                {
                    return ev(i)
                }
            case .function where quoteCtx && t.word == .dangerous:
                // '.sleep(12).'  " sleep(10) "
                if let arg = i + 2 < n ? s[i + 2] : nil, arg.kind == .number { return ev(i) }
            case .cmp
            where t.end - t.start >= 2 && t.word == .not
                && (l[t.start] == 64 || l[t.start] == 35 || l[t.start] == 63 || l[t.start] == 45 && l[t.start + 1] == 62
                    || l[t.start] == 60 && l[t.start + 1] == 64):
                // '{"b":2}' @> '…'   '…' ?| array[…]   -> '$.c'
                if i > 0, s[i - 1].kind == .string, i + 1 < n,
                    s[i + 1].kind == .string || s[i + 1].kind == .word || s[i + 1].kind == .number
                {
                    return ev(i)
                }
            default: break
            }
            i += 1
        }
        return nil
    }
}
