/// A small SQL tokenizer covering the dialects attacks target (MySQL, PostgreSQL, MSSQL,
/// Oracle, SQLite): strings with their quoting, numbers (decimal, hex, binary), words
/// classified as keywords or functions, variables, operators and the three comment styles.
/// Comments become one token each; MySQL's executable comments `/*! … */` are read as code.
struct SQLToken {
    enum Kind: UInt8 {
        case string, number, word, function, variable, op, cmp, logic, lparen, rparen, comma, semicolon, dot,
            comment, backtick
    }
    var kind: Kind
    var word: SQLWord
    var start: Int
    var end: Int
    /// Strings: whether the closing quote was found. Comments: whether the comment is terse.
    var closed: Bool
    /// A comment follows this token; a terse one (`--`, `#`, `/**/`, not `-- prose`).
    var commentAfter = false
    var terseAfter = false
}

enum SQLWord: UInt8 {
    case none, union, select, from, whereKw, insert, into, update, set, delete, drop, create, alter, exec, declare,
        waitfor, delay, shutdown, truncate, table, database, order, group, by, having, limit, offset, procedure,
        outfile, all, distinct, top, asKw, and, or, xor, not, like, between, inKw, isKw, null, trueKw, falseKw,
        caseKw, when, then, elseKw, end, values, sensitive, dangerous, function, collate, exists, ifKw, join,
        load, user, analyse, begin, print, goto, grant, replace, rename, nullIfy
}

enum SQLLexer {
    static let words: WordTable<SQLWord> = {
        var d: [([UInt8], SQLWord)] = []
        let plain: [(String, SQLWord)] = [
            ("union", .union), ("select", .select), ("from", .from), ("where", .whereKw), ("insert", .insert),
            ("into", .into), ("update", .update), ("set", .set), ("delete", .delete), ("drop", .drop),
            ("create", .create), ("alter", .alter), ("exec", .exec), ("execute", .exec), ("declare", .declare),
            ("waitfor", .waitfor), ("delay", .delay), ("shutdown", .shutdown), ("truncate", .truncate),
            ("table", .table), ("database", .database), ("order", .order), ("group", .group), ("by", .by),
            ("having", .having), ("limit", .limit), ("offset", .offset), ("procedure", .procedure),
            ("outfile", .outfile), ("dumpfile", .outfile), ("all", .all), ("distinct", .distinct), ("top", .top),
            ("as", .asKw), ("and", .and), ("or", .or), ("xor", .xor), ("not", .not), ("like", .like),
            ("rlike", .like), ("regexp", .like), ("glob", .like), ("sounds", .like), ("between", .between),
            ("in", .inKw), ("is", .isKw), ("null", .null), ("true", .trueKw), ("false", .falseKw),
            ("case", .caseKw), ("when", .when), ("then", .then), ("else", .elseKw), ("end", .end),
            ("values", .values), ("collate", .collate), ("exists", .exists), ("if", .ifKw), ("join", .join),
            ("load", .load), ("analyse", .analyse), ("begin", .begin), ("print", .print), ("goto", .goto),
            ("grant", .grant), ("rename", .rename), ("div", .or), ("mod", .or),
        ]
        for (w, k) in plain { d.append((Array(w.utf8), k)) }
        let sensitive = [
            "information_schema", "sysobjects", "syscolumns", "sysusers", "sysdatabases", "sys.objects",
            "pg_catalog", "pg_shadow", "pg_user", "pg_database", "sqlite_master", "sqlite_schema", "all_tables",
            "all_tab_columns", "user_tables", "user_objects", "msysobjects", "msysaccessobjects", "xp_cmdshell",
            "xp_regread", "xp_dirtree", "xp_fileexist", "sp_executesql", "sp_makewebtask", "sp_oacreate",
            "sp_password", "sp_addlogin", "sp_addsrvrolemember", "sp_configure", "openrowset", "opendatasource",
            "rdb$fields", "rdb$relations",
            "mysql.user", "sys.tables", "v$version", "dba_users", "all_users",
        ]
        for w in sensitive { d.append((Array(w.utf8), .sensitive)) }
        // Functions that have no business in ordinary input.
        let dangerous = [
            "sleep", "benchmark", "pg_sleep", "load_file", "extractvalue", "updatexml", "name_const", "make_set",
            "group_concat", "concat_ws", "utl_inaddr", "utl_http", "dbms_pipe", "dbms_lock", "dbms_xmlgen",
            "sys_context", "lo_import", "lo_export", "lo_get", "pg_read_file", "pg_ls_dir", "xp_cmdshell",
            "waitfor", "uncompress", "unhex", "hex", "db_name", "user_name", "host_name", "suser_name",
            "is_srvrolemember", "has_dbaccess", "current_user", "session_user", "system_user", "version",
            "database", "schema", "sysdate", "randomblob", "load_extension", "json_keys", "geometrycollection",
            "multipoint", "polygon", "linestring", "exp", "ctxsys", "ord", "ascii", "char", "chr", "nchar",
            "substring", "substr", "mid", "concat", "cast", "convert", "iif", "ifnull", "isnull", "nullif",
            "coalesce", "md5", "sha1", "sha2", "length", "len", "count", "floor", "rand", "now", "elt", "instr",
            "locate", "position", "bin", "conv", "lpad", "rpad", "compress", "encode", "decode", "aes_encrypt",
            "aes_decrypt", "des_encrypt", "char_length", "row_count", "found_rows", "last_insert_id",
            "connection_id", "object_id", "object_name", "col_name", "openquery", "string_agg", "array_agg",
            "listagg", "xmltype", "xmlagg", "to_char", "to_number", "unicode", "quotename", "soundex",
            "benchmark", "updatexml", "st_latfromgeohash", "gtid_subset", "json_extract", "if", "user",
        ]
        let taken = Set(d.map(\.0))
        for w in dangerous where !taken.contains(Array(w.utf8)) || w == "if" || w == "user" {
            d.append((Array(w.utf8), w == "if" ? .ifKw : (w == "user" ? .user : .function)))
        }
        for w in [
            "sleep", "benchmark", "pg_sleep", "load_file", "extractvalue", "updatexml", "name_const", "make_set",
            "group_concat", "concat_ws", "utl_inaddr", "utl_http", "dbms_pipe", "dbms_lock", "dbms_xmlgen",
            "lo_import", "lo_export", "lo_get", "pg_read_file", "pg_ls_dir", "db_name", "is_srvrolemember",
            "has_dbaccess", "randomblob", "load_extension", "gtid_subset", "st_latfromgeohash", "sys_context",
            "unhex", "uncompress", "ctxsys", "xmltype", "json_keys", "aes_decrypt", "aes_encrypt",
        ] { d.append((Array(w.utf8), .dangerous)) }
        return WordTable(d)
    }()

    static let maxTokens = 160

    /// Tokens of `l` (lowercased text) from `start`, at most `maxTokens`. Comments are not
    /// tokens: they set `commentAfter` on the token before them (a comment before any token
    /// becomes one leading comment token). `firstComment` is where the first comment starts.
    static func tokenize(_ l: [UInt8], from start: Int, head: SQLToken? = nil) -> (
        tokens: [SQLToken], firstComment: Int
    ) {
        var toks: [SQLToken] = []
        toks.reserveCapacity(min(maxTokens, l.count / 3 + 4))
        if let head { toks.append(head) }
        var firstComment = -1
        func comment(_ t: SQLToken) {
            if firstComment < 0 { firstComment = t.start }
            if toks.isEmpty {
                var c = t
                c.commentAfter = true
                c.terseAfter = t.closed
                toks.append(c)
            } else {
                toks[toks.count - 1].commentAfter = true
                if t.closed { toks[toks.count - 1].terseAfter = true }
            }
        }
        let n = l.count
        var i = start
        while i < n && toks.count < maxTokens {
            let c = l[i]
            if isSpace(c) || c == 0 { i += 1; continue }
            let s = i
            switch c {
            case 39, 34:  // ' "
                var j = i + 1
                var closed = false
                while j < n {
                    if l[j] == 92 { j += 2; continue }
                    if l[j] == c {
                        if j + 1 < n && l[j + 1] == c { j += 2; continue }
                        closed = true
                        j += 1
                        break
                    }
                    j += 1
                }
                i = min(j, n)
                toks.append(SQLToken(kind: .string, word: .none, start: s, end: i, closed: closed))
            case 96:  // `
                var j = i + 1
                while j < n && l[j] != 96 { j += 1 }
                i = min(j + 1, n)
                toks.append(SQLToken(kind: .backtick, word: .none, start: s, end: i, closed: j < n))
            case 35 where i > 0 && l[i - 1] == 38:  // &#39; is an entity, not a comment
                i += 1
            case 35 where i + 1 < n && l[i + 1] == 62:  // #> #>> (PostgreSQL JSON paths)
                let e = i + 2 < n && l[i + 2] == 62 ? i + 3 : i + 2
                toks.append(SQLToken(kind: .cmp, word: .not, start: s, end: e, closed: true))
                i = e
            case 45 where i + 1 < n && l[i + 1] == 62,
                64
            where i + 1 < n
                && (l[i + 1] == 62 || l[i + 1] == 63 || (l[i + 1] == 64 && (i + 2 >= n || !isWordByte(l[i + 2])))),
                63 where i + 1 < n && (l[i + 1] == 124 || l[i + 1] == 38):  // -> ->> @> @? @@ ?| ?&
                var e = i + 2
                if e < n && l[e] == 62 { e += 1 }
                toks.append(SQLToken(kind: .cmp, word: .not, start: s, end: e, closed: true))
                i = e
            case 45 where i + 1 < n && l[i + 1] == 45, 35:  // -- #
                var j = i
                while j < n && l[j] != 10 { j += 1 }
                i = j
                // A terse comment (`--`, `-- -`, `#`) ends an injection; `-- like this` is a dash in prose.
                var a = s + (c == 35 ? 1 : 2)
                while a < j && isSpace(l[a]) { a += 1 }
                var b = j
                while b > a && isSpace(l[b - 1]) { b -= 1 }
                let terse = b - a <= 12 && !l[a..<b].contains(32)
                comment(SQLToken(kind: .comment, word: .none, start: s, end: i, closed: terse))
            case 47 where i + 1 < n && l[i + 1] == 42:  // /*
                if i + 2 < n && l[i + 2] == 33 {  // /*! executable comment: read on as code
                    i += 3
                    while i < n && isDigit(l[i]) { i += 1 }
                    comment(SQLToken(kind: .comment, word: .none, start: s, end: i, closed: false))
                    continue
                }
                var j = i + 2
                while j + 1 < n && !(l[j] == 42 && l[j + 1] == 47) { j += 1 }
                i = j + 1 < n ? j + 2 : n
                comment(SQLToken(kind: .comment, word: .none, start: s, end: i, closed: true))
            case 42 where i + 1 < n && l[i + 1] == 47:  // stray */
                i += 2
            case 48...57:
                var j = i
                if c == 48, j + 1 < n, l[j + 1] == 120 || l[j + 1] == 98 {
                    j += 2
                    while j < n && hexValue(l[j]) != nil { j += 1 }
                } else {
                    while j < n && (isDigit(l[j]) || l[j] == 46) { j += 1 }
                    if j < n && l[j] == 101, j + 1 < n, isDigit(l[j + 1]) || l[j + 1] == 45 || l[j + 1] == 43 {
                        j += 2
                        while j < n && isDigit(l[j]) { j += 1 }
                    }
                }
                // 1abc is a word in MySQL; keep it a number unless letters follow directly.
                if j < n && (isAlpha(l[j]) || l[j] == 95) {
                    while j < n && isWordByte(l[j]) { j += 1 }
                    toks.append(SQLToken(kind: .word, word: .none, start: s, end: j, closed: true))
                } else {
                    toks.append(SQLToken(kind: .number, word: .none, start: s, end: j, closed: true))
                }
                i = j
            case 46 where i + 1 < n && isDigit(l[i + 1]):
                var j = i + 1
                while j < n && isDigit(l[j]) { j += 1 }
                toks.append(SQLToken(kind: .number, word: .none, start: s, end: j, closed: true))
                i = j
            case 64:  // @var @@var
                var j = i + 1
                if j < n && l[j] == 64 { j += 1 }
                while j < n && (isWordByte(l[j]) || l[j] == 36) { j += 1 }
                toks.append(SQLToken(kind: .variable, word: .none, start: s, end: j, closed: true))
                i = j
            case 40: toks.append(SQLToken(kind: .lparen, word: .none, start: s, end: i + 1, closed: true)); i += 1
            case 41: toks.append(SQLToken(kind: .rparen, word: .none, start: s, end: i + 1, closed: true)); i += 1
            case 44: toks.append(SQLToken(kind: .comma, word: .none, start: s, end: i + 1, closed: true)); i += 1
            case 59: toks.append(SQLToken(kind: .semicolon, word: .none, start: s, end: i + 1, closed: true)); i += 1
            case 46: toks.append(SQLToken(kind: .dot, word: .none, start: s, end: i + 1, closed: true)); i += 1
            case 60 where i + 1 < n && l[i + 1] == 64:  // <@
                toks.append(SQLToken(kind: .cmp, word: .not, start: s, end: i + 2, closed: true))
                i += 2
            case 61, 60, 62, 33:  // = < > !
                var j = i + 1
                while j < n && j - i < 3 && (l[j] == 61 || l[j] == 60 || l[j] == 62) { j += 1 }
                let kind: SQLToken.Kind = (c == 33 && j == i + 1) ? .logic : .cmp
                toks.append(SQLToken(kind: kind, word: .not, start: s, end: j, closed: true))
                i = j
            case 124, 38:  // | & || &&
                if i + 1 < n && l[i + 1] == c {
                    // || is concatenation in standard SQL and OR in MySQL: a logic token either way.
                    toks.append(SQLToken(kind: .logic, word: c == 124 ? .or : .and, start: s, end: i + 2, closed: true))
                    i += 2
                } else {
                    toks.append(SQLToken(kind: .op, word: .none, start: s, end: i + 1, closed: true))
                    i += 1
                }
            case 43, 45, 42, 47, 37, 94, 126, 58:  // + - * / % ^ ~ :
                var j = i + 1
                if c == 58 && j < n && (l[j] == 61 || l[j] == 58) { j += 1 }
                toks.append(SQLToken(kind: .op, word: .none, start: s, end: j, closed: true))
                i = j
            default:
                if isWordByte(c) || c == 36 {
                    var j = i
                    while j < n && (isWordByte(l[j]) || l[j] == 36) { j += 1 }
                    // Qualified names of interest are one word: information_schema.tables stays split.
                    var w = SQLWord.none
                    if j - i >= 2 && j - i <= 20 { w = words.lookup(l[i..<j]) ?? .none }
                    if w == .none, j < n, l[j] == 46, j - i <= 8 {
                        // sys.objects, mysql.user, v$version
                        var k = j + 1
                        while k < n && isWordByte(l[k]) { k += 1 }
                        if k - i <= 20, let q = words.lookup(l[i..<k]), q == .sensitive { w = q; j = k }
                    }
                    var kind = SQLToken.Kind.word
                    switch w {
                    case .and, .or, .xor, .not: kind = .logic
                    case .like, .between, .inKw, .isKw: kind = .cmp
                    default: break
                    }
                    // A word followed by `(` is a call.
                    var k = j
                    while k < n && isSpace(l[k]) { k += 1 }
                    if k < n && l[k] == 40 && kind == .word { kind = .function }
                    toks.append(SQLToken(kind: kind, word: w, start: s, end: j, closed: true))
                    i = j
                } else {
                    i += 1  // other punctuation and bytes: skipped
                }
            }
        }
        return (toks, firstComment)
    }
}
