/// Server-side template injection: the expression inside each template delimiter
/// (`{{ }}`, `${ }`, `#{ }`, `*{ }`, `@{ }`, `{% %}`, `<% %>`, `[[ ]]`, FreeMarker and
/// Velocity directives) is judged: arithmetic probes (`7*7`), dunder attribute walks,
/// method calls, and the objects template exploits start from. Mail-merge placeholders
/// (`{{first_name}}`, `{{ name|upper }}`, `${NAME}`) stay clean.
enum TemplateDetector {
    static let openers: [([UInt8], [UInt8])] = [
        ("{{", "}}"), ("${", "}"), ("#{", "}"), ("*{", "}"), ("@{", "}"), ("~{", "}"), ("{%", "%}"), ("<%", "%>"),
        ("[[", "]]"), ("@(", ")"), ("{#", "#}"), ("[=", "]"), ("{$", "}"),
    ].map { (Array($0.0.utf8), Array($0.1.utf8)) }

    static let directives = NeedleSet([
        "<#assign", "<#import", "<#include", "<#list", "<#if", "<#global", "<#macro", "<#setting", "#set(", "#foreach(",
        "#evaluate(", "#include(", "#parse(", "#define(", "{php}", "{/php}", "{system(", "{$smarty", "{self::",
        "$class.inspect",
        "$class.type", "freemarker.template", "?new()", "{{=", "{{#with", "{{#each", "{{this.", "{{constructor",
        "<%@ page", "<%@page",
        "{@math", "{@if", "{{> ", "th:text=", "__${", "{{ [", "mvel", "{{$on", "{{_self", "${=", "<%=_.", "<%= _.",
        "system.diagnostics.process", "@java.lang.", "%{(#", "%{#",
    ])

    static let objects: [[UInt8]] = [
        "config", "self", "request", "lipsum", "cycler", "joiner", "namespace", "url_for", "get_flashed_messages",
        "settings", "range", "dict", "class", "getclass", "forname", "runtime", "processbuilder", "java.", "javax.",
        "system", "process", "exec", "popen", "subprocess", "os.", "import", "builtins", "globals", "mro", "subclasses",
        "getattribute", "application", "session", "servletcontext", "_self", "env", "t(", "new ", "eval", "file",
        "read", "getruntime", "invoke", "constructor", "prototype", "require", "global.", "this.", "_context",
        "beans", "springframework", "facescontext", "out.print", "response", "pagecontext", "include", "debug",
        "attr", "__", "getenv", "params", "cookies", "header", "smarty", "sleep", "product.getclass",
        "applicationscope", "sessionscope", "requestscope", "pagescope", "initparam", "headervalues", "paramvalues",
    ].map { Array($0.utf8) }

    static func detect(_ t: ScanText) -> Range<Int>? {
        let l = t.l
        let f = t.flags
        guard f.contains(.brace) || f.contains(.lt) || f.contains(.bracket) || f.contains(.paren) || f.contains(.hash)
        else { return nil }
        if let (_, i) = directives.first(in: l) { return i..<min(l.count, i + 60) }
        // Polyglot probes open several template syntaxes at once: ${{<%[%'"}}%\.
        var kinds = 0
        for o in [u8("${"), u8("{{"), u8("<%"), u8("#{"), u8("[%"), u8("{%"), u8("*{")] where l.find(o) != nil {
            kinds += 1
        }
        if kinds >= 3 { return 0..<min(l.count, 60) }
        for (open, close) in openers {
            var from = 0
            var count = 0
            while let i = l.find(open, from: from), count < 16 {
                count += 1
                from = i + open.count
                // `@(` and `[=` only open expressions right at a value or word start.
                let innerStart = i + open.count
                let closeAt = l.find(close, from: innerStart) ?? l.count
                let inner = Array(l[innerStart..<min(closeAt, innerStart + 240)])
                let statementTag = open == u8("{%") || open == u8("<%")
                // <% if … %>: ERB, JSP and ASP tags run whatever statement they hold.
                if open == u8("<%"), judgeCodeTag(inner) { return i..<min(l.count, i + 60) }
                if judge(
                    inner,
                    strict: open == u8("@(") || open == u8("[[") || open == u8("{#") || open == u8("[=")
                        || open == u8("{$"), statementTag: statementTag)
                {
                    return i..<min(l.count, i + 60)
                }
            }
        }
        return nil
    }

    static let statements: [[UInt8]] = [
        "set", "extends", "block", "endblock", "for", "endfor", "if", "endif", "elif", "else", "import", "include",
        "macro", "endmacro", "call", "filter", "raw", "with", "endwith", "load", "debug", "autoescape", "csrf_token",
        "templatetag", "ssi", "get_admin_log", "url", "now", "lorem", "spaceless", "end", "each", "while", "require",
        "eval", "exec", "system",
    ].map { Array($0.utf8) }

    static let risky: Set<[UInt8]> = Set(
        [
            "set", "extends", "include", "import", "debug", "load", "macro", "call", "ssi", "templatetag",
            "get_admin_log", "require", "eval", "exec", "system", "block", "filter",
        ].map { Array($0.utf8) })

    static func judgeCodeTag(_ inner: [UInt8]) -> Bool {
        // <%= `id` %>, <%= %x(id) %>: Ruby's command substitution inside the tag.
        if let b = inner.firstIndex(of: 96), inner[(b + 1)...].contains(96) { return true }
        if inner.find("%x(") != nil || inner.find("%x{") != nil { return true }
        var h = 0
        while h < inner.count && (isSpace(inner[h]) || inner[h] == 61 || inner[h] == 45) { h += 1 }
        for w in statements
        where inner.matches(w, at: h) && (h + w.count >= inner.count || !isWordByte(inner[h + w.count])) {
            var k = h + w.count
            while k < inner.count && isSpace(inner[k]) { k += 1 }
            return k < inner.count
        }
        return false
    }

    static func judge(_ inner: [UInt8], strict: Bool, statementTag: Bool = false) -> Bool {
        let s = inner
        guard !s.isEmpty else { return false }
        // {% for … %}, <% if … %>: a template statement (the tag kind is decided by the caller's opener).
        var h0 = 0
        while h0 < s.count && (isSpace(s[h0]) || s[h0] == 45 || s[h0] == 61) { h0 += 1 }
        for w in statements
        where s.matches(w, at: h0) && (h0 + w.count >= s.count || !isWordByte(s[h0 + w.count])) && !strict {
            // with an argument: `{% block %}` in prose about templates is not a tag anyone runs
            var k = h0 + w.count
            while k < s.count && isSpace(s[k]) { k += 1 }
            if statementTag && k < s.count {
                // Tags that load, define or run something; control flow only with code in it.
                if risky.contains(w) { return true }
                let rest = s[k...]
                if rest.contains(40) || rest.contains(61) || rest.find("__") != nil { return true }
            }
        }
        // filters with numeric arguments: {{364|add:733}}
        if let bar = s.firstIndex(of: 124), let colon = s[bar...].firstIndex(of: 58), colon + 1 < s.count,
            isDigit(s[colon + 1]), s[..<bar].contains(where: isDigit)
        {
            return true
        }
        // 7*7, 7*'7', 3*3: arithmetic between literals.
        var i = 0
        while i < s.count {
            if s[i] == 42 || s[i] == 43 || s[i] == 47 || s[i] == 45 {
                var a = i - 1
                while a >= 0 && (isSpace(s[a]) || s[a] == 39 || s[a] == 34) { a -= 1 }
                var b = i + 1
                while b < s.count && (isSpace(s[b]) || s[b] == 39 || s[b] == 34) { b += 1 }
                if a >= 0, b < s.count, isDigit(s[a]), isDigit(s[b]), s[i] == 42 || !strict { return true }
            }
            i += 1
        }
        if strict { return s.find("__") != nil || s.find(".getclass") != nil }
        // Dunder walks and calls.
        if s.find("__") != nil { return true }
        // {{ user.password }}, {{ settings.secret_key }}, {{ …signer.key }}: reading secrets off objects.
        for w in Self.secretAttributes {
            guard let p = s.find(w) else { continue }
            let e = p + w.count
            // the attribute itself, not a longer name (`.password_hint`, `.secretary`); any
            // `.secret_…` (`.secret_key`, `.secret_token`)
            if e >= s.count || !isWordByte(s[e]) || w.last == UInt8(ascii: "_") { return true }
        }
        var k = 0
        while let p = s.find([40], from: k) {
            k = p + 1
            if p > 0, isWordByte(s[p - 1]) || s[p - 1] == 46 || s[p - 1] == 41 { return true }
        }
        // Starting objects, as the head of the expression.
        var h = 0
        // (`<%= x %>`, `<%- x %>`, `{{- x }}`: output and whitespace markers before the expression)
        while h < s.count && (isSpace(s[h]) || s[h] == 40 || s[h] == 35 || s[h] == 36 || s[h] == 61 || s[h] == 45) {
            h += 1
        }
        for o in objects where s.matches(o, at: h) {
            let e = h + o.count
            if o.last == 46 || o.last == 40 || o.last == 32 || e >= s.count || !isWordByte(s[e]) { return true }
        }
        if s.contains(91) && s.contains(46) && s.find("][") != nil { return true }
        return false
    }
}

extension TemplateDetector {
    static let secretAttributes = [".password", ".passwd", ".secret", ".secret_", ".signer", ".private_key", ".api_key"].map(u8)
}
