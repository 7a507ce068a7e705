/// Cross-site scripting: a small HTML tokenizer finds tags and their attributes the way a
/// browser would (case-insensitive, `/` as attribute separator, unquoted values), and flags
/// script-capable tags, event-handler attributes, script URLs in URL attributes, and
/// attribute break-outs (`" onfocus=…`). Script-context break-outs (`';alert(1)//`) are
/// flagged when a quote or `</script` is followed by a call to a sink.
enum XSSDetector {
    static let scriptTags: [[UInt8]] = [
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "svg", "math", "meta", "link",
        "style", "xml", "import", "isindex", "template", "portal", "xss", "vmlframe", "event-source", "bgsound",
        "layer", "ilayer", "handler", "animate", "set", "use", "image", "img", "video", "audio", "form", "button",
        "input", "body", "html", "details", "marquee", "a", "div", "table", "td", "textarea", "select", "keygen",
        "object", "param", "source", "track", "x", "title", "br", "p", "span", "plaintext", "comment", "noscript",
        "noembed", "xmp", "listing", "foreignobject", "feimage", "discard", "audio", "picture", "col",
    ].map { Array($0.utf8) }

    static let alwaysBad: [[UInt8]] = [
        "script", "iframe", "frameset", "frame", "object", "embed", "applet", "base", "isindex", "xss", "vmlframe",
        "import", "portal", "bgsound", "layer", "ilayer", "html", "head", "meta", "link", "style", "noscript", "form",
        "xmp", "plaintext", "listing", "template", "body", "xml",
    ].map { Array($0.utf8) }

    static let urlSchemes: [[UInt8]] = [
        u8("javascript:"), u8("vbscript:"), u8("livescript:"), u8("data:text/html"), u8("data:image/svg"),
        u8("data:application/"),
    ]

    static func detect(_ t: ScanText) -> Range<Int>? {
        let l = t.l
        if t.flags.contains(.lt), let r = tags(l) { return r }
        if t.flags.contains(.colon), let r = scriptURL(l) { return r }
        if t.flags.contains(.equals),
            t.flags.contains(.squote) || t.flags.contains(.dquote) || t.flags.contains(.backtick)
                || t.flags.contains(.gt) || t.role == .key,
            let r = attributeBreakout(l)
        {
            return r
        }
        if t.flags.contains(.paren) || t.flags.contains(.backtick), let r = scriptBreakout(l, t.flags) { return r }
        if t.role != .path,
            t.flags.contains(.dot) || t.flags.contains(.bracket) || t.flags.contains(.paren)
                || t.flags.contains(.backtick), let r = jsSinks(l)
        {
            return r
        }
        return nil
    }

    /// `<tag …>`: the tag and its attributes.
    static func tags(_ l: [UInt8]) -> Range<Int>? {
        var from = 0
        var scanned = 0
        while let lt = l.find([60], from: from), scanned < 256 {
            scanned += 1
            from = lt + 1
            var i = lt + 1
            if i < l.count && l[i] == 47 { i += 1 }  // </script
            // Browsers ignore NUL and accept some junk before the name only in old engines; allow spaces? no.
            let nameStart = i
            while i < l.count && (isAlnum(l[i]) || l[i] == 45 || l[i] == 58 || l[i] == 0) { i += 1 }
            guard i > nameStart, isAlpha(l[nameStart]) else {
                if i < l.count, l[nameStart] == 33,
                    l.matches("!--", at: nameStart) || l.matches("![cdata[", at: nameStart)
                {
                    continue
                }
                if i < l.count, l[nameStart] == 63 { continue }  // <?xml … ?>
                continue
            }
            var name = Array(l[nameStart..<i]).filter { $0 != 0 }
            if let colon = name.lastIndex(of: 58) { name = Array(name[(colon + 1)...]) }
            let closing = l[lt + 1] == 47
            if alwaysBad.contains(name) {
                // "<script" even without ">" (the browser's parser will close it later).
                if !closing || name == u8("script") { return lt..<min(l.count, lt + 60) }
            }
            // </style> </title> </textarea>: leaving a raw-text element the value was put in.
            if closing, rawText.contains(name) { return lt..<min(l.count, lt + 60) }
            if closing { continue }
            // Attributes.
            let known = scriptTags.contains(name) || name.count >= 1
            guard known else { continue }
            if let r = attributes(l, from: i, tag: name) { return lt..<max(r.upperBound, lt + 1) }
        }
        return nil
    }

    /// Scans attributes from `i` to the tag's `>`; flags handlers and script URLs.
    static func attributes(_ l: [UInt8], from start: Int, tag: [UInt8]) -> Range<Int>? {
        var i = start
        let n = l.count
        var count = 0
        while i < n && count < 64 {
            count += 1
            while i < n && (isSpace(l[i]) || l[i] == 47 || l[i] == 0 || l[i] == 34 || l[i] == 39 || l[i] == 96) {
                i += 1
            }
            guard i < n, l[i] != 62, l[i] != 60 else { return nil }
            let a = i
            while i < n && !isSpace(l[i]) && l[i] != 61 && l[i] != 62 && l[i] != 47 { i += 1 }
            let attr = l[a..<i]
            var j = i
            while j < n && isSpace(l[j]) { j += 1 }
            var value: Range<Int> = j..<j
            if j < n && l[j] == 61 {
                j += 1
                while j < n && isSpace(l[j]) { j += 1 }
                if j < n && (l[j] == 34 || l[j] == 39 || l[j] == 96) {
                    let q = l[j]
                    var k = j + 1
                    while k < n && l[k] != q { k += 1 }
                    value = (j + 1)..<k
                    i = min(k + 1, n)
                } else {
                    var k = j
                    while k < n && !isSpace(l[k]) && l[k] != 62 { k += 1 }
                    value = j..<k
                    i = k
                }
            } else {
                i = j
            }
            if attr.count > 2, attr.first == 111, attr[attr.startIndex + 1] == 110, isHandlerName(attr) {
                return a..<min(n, a + 50)
            }
            if !value.isEmpty, isURLAttribute(attr) || attr.elementsEqual(u8("style")) {
                let v = Array(l[value]).filter { !isSpace($0) && $0 != 0 }
                for s in urlSchemes where v.starts(with: s) { return a..<min(n, a + 50) }
                if attr.elementsEqual(u8("style")),
                    v.find("expression(") != nil || v.find("javascript:") != nil || v.find("-moz-binding") != nil
                {
                    return a..<min(n, a + 50)
                }
            }
            if tag == u8("meta"), attr.elementsEqual(u8("http-equiv")), value.count > 0 { return a..<min(n, a + 50) }
            // IE data binding and behaviours
            if attr.elementsEqual(u8("datasrc")) || attr.elementsEqual(u8("dataformatas"))
                || attr.elementsEqual(u8("datafld"))
            {
                return a..<min(n, a + 50)
            }
            if attr.elementsEqual(u8("style")), !value.isEmpty {
                let v = l[value]
                // CSS escapes hiding words, and behaviours
                if v.find("behavior") != nil || v.find("\\0") != nil || v.find("&#") != nil {
                    return a..<min(n, a + 50)
                }
            }
            if (tag == u8("link") && attr.elementsEqual(u8("rel"))) || attr.elementsEqual(u8("srcdoc"))
                || attr.elementsEqual(u8("xlink:href")) && !value.isEmpty
            {
                if attr.elementsEqual(u8("srcdoc")) || l[value].elementsEqual(u8("import")) {
                    return a..<min(n, a + 50)
                }
            }
        }
        return nil
    }

    static let rawText: [[UInt8]] = [
        "style", "title", "textarea", "xmp", "noscript", "noembed", "noframes", "iframe", "template", "plaintext",
    ].map { Array($0.utf8) }

    static func isURLAttribute(_ a: ArraySlice<UInt8>) -> Bool {
        for name in [
            "href", "src", "action", "formaction", "data", "xlink:href", "background", "lowsrc", "dynsrc", "poster",
            "code", "codebase", "values", "to", "from", "by", "content", "folder", "ping", "itemtype", "cite",
            "longdesc", "profile", "usemap", "classid", "manifest", "icon", "srcset", "attributename", "xmlns",
        ] {
            if a.elementsEqual(name.utf8) { return true }
        }
        return false
    }

    /// on + letters (onload, onerror, onpointerrawupdate …).
    static func isHandlerName(_ a: ArraySlice<UInt8>) -> Bool {
        guard a.count >= 5, a.count <= 28 else { return false }
        for c in a.dropFirst(2) where !isAlpha(c) && c != 45 { return false }
        return true
    }

    static let sinkNames = NeedleSet([
        "document.cookie", "document[", "(document)", "document.domain", "document.write", "document.location",
        ".innerhtml", ".outerhtml", ".textcontent=", ".insertadjacenthtml", "window[", "top[", "self[", "parent[",
        "frames[", "globalthis[", "content[", "new function(", ".call`", ".apply`", "[].sort.call", "reflect.apply",
        "reflect.sort", "navigation.navigate", "window.location=", "location.href=", "location=", "location.hash",
        "string.fromcharcode(", "fromcharcode(", "eval(", "settimeout(\"", "settimeout('", "setinterval(\"",
        "setinterval('", "(alert)", "=alert,", "(alert,", ",alert)", "[alert]", ".find(alert", ".map(alert",
        "alert`", "prompt`", "confirm`", "import('", "import(\"", "javascript:", "vbscript:", "livescript:",
        "-moz-binding", "expression(", "xlink:href", "srcdoc=", "onerror=", "onload=", "window.name",
        "url(javascript", "url(vbscript", "url(data:", "newfunction(", "<?import", "\u{BC}script", "\u{BC}/script",
        "document.body", "document.queryselector", "document.getelementby", ".src=", "localstorage", "sessionstorage",
        "postmessage(", "navigator.sendbeacon", "fetch('", "fetch(\"", "fetch(`", "xmlhttprequest",
    ])

    /// JavaScript that only a script-context injection writes.
    static func jsSinks(_ l: [UInt8]) -> Range<Int>? {
        var compact = l
        if l.contains(where: { $0 == 9 || $0 == 10 || $0 == 13 || $0 == 0 || $0 == 32 }) {
            compact = []
            compact.reserveCapacity(l.count)
            for c in l where c != 9 && c != 10 && c != 13 && c != 0 && c != 32 { compact.append(c) }
        }
        var found = false
        sinkNames.forEach(in: compact) { k, i in
            let s = sinkNames.needles[k]
            if isAlpha(s[0]), i > 0, isAlpha(compact[i - 1]) { return false }
            if s == u8("javascript:") || s == u8("vbscript:") || s == u8("livescript:") {
                // "JavaScript: The Good Parts" is a book title.
                if let k = l.find(s), k + s.count + 1 < l.count, l[k + s.count] == 32, isAlpha(l[k + s.count + 1]) {
                    return false
                }
            }
            if s == u8("location=") || s == u8(".src="), i > 0,
                !(compact[i - 1] == 46 || compact[i - 1] == 59 || compact[i - 1] == 39 || compact[i - 1] == 34)
            {
                return false
            }
            found = true
            return true
        }
        return found ? 0..<min(l.count, 60) : nil
    }

    /// javascript:… at the start of the value (after spaces and control bytes), with code.
    static func scriptURL(_ l: [UInt8]) -> Range<Int>? {
        var i = 0
        while i < l.count && (l[i] <= 32) { i += 1 }
        // Letters may be split by tabs, newlines and NULs inside the scheme.
        var compact: [UInt8] = []
        var j = i
        while j < l.count && compact.count < 20 {
            let c = l[j]
            if c != 9 && c != 10 && c != 13 && c != 0 { compact.append(c) }
            j += 1
        }
        for s in urlSchemes where compact.starts(with: s) {
            // "JavaScript: The Good Parts" is a book title; anything else after the scheme is code.
            var k = i
            var letters = 0
            while k < l.count, letters < s.count {
                if l[k] != 9 && l[k] != 10 && l[k] != 13 && l[k] != 0 { letters += 1 }; k += 1
            }
            if k + 1 < l.count, l[k] == 32, isAlpha(l[k + 1]) { return nil }
            return i..<min(l.count, i + 60)
        }
        return nil
    }

    /// A quote (or the start) followed by an event handler: `" onmouseover=alert(1) x="`.
    static func attributeBreakout(_ l: [UInt8]) -> Range<Int>? {
        var from = 0
        while let i = l.find("on", from: from) {
            from = i + 2
            guard i == 0 || !isAlnum(l[i - 1]) else { continue }
            var k = i + 2
            while k < l.count && isAlpha(l[k]) { k += 1 }
            guard k - i >= 5 else { continue }
            var e = k
            while e < l.count && isSpace(l[e]) { e += 1 }
            guard e < l.count, l[e] == 61 else { continue }
            // What precedes the handler must end an attribute or tag: a quote, `/`, or a space
            // after one.
            var p = i - 1
            while p >= 0 && (isSpace(l[p]) || l[p] == 47 || l[p] == 0) { p -= 1 }
            if p < 0 || l[p] == 34 || l[p] == 39 || l[p] == 96 || l[p] == 62 || l[p] == 59 {
                if p < 0 && i > 0 && l[i - 1] != 47 && !isSpace(l[i - 1]) { continue }
                // The handler's value must look like code, or be a bare probe (`"onzoom=`).
                var v = e + 1
                while v < l.count && isSpace(l[v]) { v += 1 }
                if p >= 0 || v >= l.count || hasCode(l[v...]) { return (max(p, 0))..<min(l.count, max(p, 0) + 60) }
            }
        }
        return nil
    }

    static func hasCode(_ s: ArraySlice<UInt8>) -> Bool {
        s.contains(40) || s.contains(96) || s.contains(61) || s.contains(59)
    }

    static let sinks = NeedleSet([
        "alert", "prompt", "confirm", "eval", "document.", "window.", "fetch", "settimeout", "setinterval", "top[",
        "self[", "parent[", "location", "import(", "constructor", "atob", "string.fromcharcode", "function(", "print(",
    ])

    /// `';alert(1)//`, `"-prompt(1)-"`, `</script><script>`: leaving a JavaScript string.
    static func scriptBreakout(_ l: [UInt8], _ flags: CharFlags) -> Range<Int>? {
        var result: Range<Int>? = nil
        sinks.forEach(in: l) { k, i in
            let s = sinks.needles[k]
            do {
                guard i == 0 || !isAlnum(l[i - 1]) || l[i - 1] == 95 else { return false }
                var k = i + s.count
                while k < l.count && isSpace(l[k]) { k += 1 }
                let called =
                    s.last == 46 || s.last == 91 || s.last == 40
                    || (k < l.count && (l[k] == 40 || l[k] == 96 || l[k] == 61 && s == u8("location")))
                guard called else { return false }
                // Something before it must leave a string or statement: a quote, ; , + - * / ( { or `
                var p = i - 1
                while p >= 0 && isSpace(l[p]) { p -= 1 }
                if p < 0 {
                    if k < l.count, l[k] == 40 || l[k] == 96, looksLikeCall(l, k) {
                        result = i..<min(l.count, i + 60); return true
                    }
                    return false
                }
                let c = l[p]
                if c == 34 || c == 39 || c == 96 || c == 59 || c == 43 || c == 45 || c == 42 || c == 124 || c == 38
                    || c == 123 || c == 62 || c == 40 || c == 61 || c == 44 || c == 58 || c == 33 || c == 126 || c == 94
                    || c == 37 || c == 92 || c == 91 || c == 125
                {
                    if looksLikeCall(l, k) || s.last == 46 || s.last == 91 {
                        result = max(0, p)..<min(l.count, p + 60); return true
                    }
                }
                return false
            }
        }
        return result
    }

    /// alert(1) alert`1` alert(document.cookie): an argument list that closes.
    static func looksLikeCall(_ l: [UInt8], _ k: Int) -> Bool {
        guard k < l.count else { return false }
        if l[k] == 96 { return true }
        if l[k] == 61 { return true }
        guard l[k] == 40 else { return false }
        var depth = 0
        var j = k
        while j < l.count && j < k + 200 {
            if l[j] == 40 { depth += 1 } else if l[j] == 41 { depth -= 1; if depth == 0 { return true } }
            j += 1
        }
        return false
    }
}
