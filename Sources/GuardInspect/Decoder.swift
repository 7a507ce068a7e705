/// The decodings a value goes through before the detectors see it. Each function returns
/// nil when it would not change its input, so the common case allocates nothing.
enum Decoder {
    /// The distinct decoded forms of `raw`, `raw` itself first, at most 8.
    static func variants(_ raw: [UInt8]) -> [[UInt8]]? {
        // Most values need no decoding at all: nil means "only the value itself".
        var plain = true
        for c in raw where c == 37 || c == 38 || c == 92 || c >= 0xC0 { plain = false; break }
        if plain && (raw.count < 12 || base64Text(raw) == nil) { return nil }
        var out: [[UInt8]] = [raw]
        var cur = raw
        // URL decoding, repeated for double and triple encoding.
        for _ in 0..<3 {
            guard cur.contains(37), let d = percentDecode(cur) else { break }
            out.append(d)
            cur = d
        }
        var n = out.count
        for i in 0..<n {
            if out[i].contains(38), let h = htmlDecode(out[i]), !out.contains(h) { out.append(h) }
        }
        n = out.count
        for i in 0..<n {
            if out[i].contains(92), let j = escapeDecode(out[i]), !out.contains(j) {
                out.append(j)
                if j.contains(37), let d = percentDecode(j), !out.contains(d) { out.append(d) }
            }
        }
        n = out.count
        for i in 0..<n where out.count < 8 {
            if let f = unicodeFold(out[i]), !out.contains(f) { out.append(f) }
        }
        // A value that is all base64 and decodes to text: the text too.
        if raw.count >= 12, let t = base64Text(raw), !out.contains(t) { out.append(t) }
        return out
    }

    /// %XX and %uXXXX decoding. `+` is left alone (the form parser handles it).
    static func percentDecode(_ s: [UInt8]) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity(s.count)
        var i = 0
        var changed = false
        while i < s.count {
            let c = s[i]
            if c == 37 {
                if i + 2 < s.count, let h = hexValue(s[i + 1]), let l = hexValue(s[i + 2]) {
                    out.append(UInt8(h << 4 | l))
                    i += 3
                    changed = true
                    continue
                }
                if i + 5 < s.count, s[i + 1] | 0x20 == 117, let a = hexValue(s[i + 2]), let b = hexValue(s[i + 3]),
                    let c2 = hexValue(s[i + 4]), let d = hexValue(s[i + 5])
                {
                    appendUTF8(&out, UInt32(a << 12 | b << 8 | c2 << 4 | d))
                    i += 6
                    changed = true
                    continue
                }
            }
            out.append(c)
            i += 1
        }
        return changed ? out : nil
    }

    /// Form decoding of one name or value: `+` is a space, then %XX.
    static func formDecode(_ s: ArraySlice<UInt8>) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(s.count)
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c == 43 {
                out.append(32)
            } else if c == 37, i + 2 < s.endIndex, let h = hexValue(s[i + 1]), let l = hexValue(s[i + 2]) {
                out.append(UInt8(h << 4 | l))
                i += 3
                continue
            } else if c == 37, i + 5 < s.endIndex, s[i + 1] | 0x20 == 117, let a = hexValue(s[i + 2]),
                let b = hexValue(s[i + 3]),
                let c2 = hexValue(s[i + 4]), let d = hexValue(s[i + 5])
            {
                appendUTF8(&out, UInt32(a << 12 | b << 8 | c2 << 4 | d))
                i += 6
                continue
            } else {
                out.append(c)
            }
            i += 1
        }
        return out
    }

    static func appendUTF8(_ out: inout [UInt8], _ cp: UInt32) {
        var v = cp
        if v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) { v = 0xFFFD }
        switch v {
        case 0..<0x80: out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (v >> 18)))
            out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    static let entities: [([UInt8], UInt8)] = [
        ("lt", "<"), ("gt", ">"), ("amp", "&"), ("quot", "\""), ("apos", "'"), ("nbsp", " "), ("tab", "\t"),
        ("newline", "\n"), ("colon", ":"), ("lpar", "("), ("rpar", ")"), ("lbrace", "{"), ("rbrace", "}"),
        ("lcub", "{"), ("rcub", "}"), ("lsqb", "["), ("rsqb", "]"), ("lbrack", "["), ("rbrack", "]"),
        ("sol", "/"), ("bsol", "\\"), ("period", "."), ("comma", ","), ("semi", ";"), ("excl", "!"),
        ("num", "#"), ("dollar", "$"), ("percnt", "%"), ("equals", "="), ("plus", "+"), ("ast", "*"),
        ("grave", "`"), ("hat", "^"), ("lowbar", "_"), ("verbar", "|"), ("vert", "|"), ("quest", "?"),
        ("commat", "@"),
    ].map { (Array($0.0.utf8), Character($0.1).asciiValue!) }

    /// HTML character references: numeric (decimal/hex, `;` optional) and the named ones
    /// that matter for markup and code (`;` optional, as browsers accept for the old ones).
    static func htmlDecode(_ s: [UInt8]) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity(s.count)
        var i = 0
        var changed = false
        while i < s.count {
            let c = s[i]
            if c == 38, i + 2 < s.count {
                if s[i + 1] == 35 {
                    var j = i + 2
                    var hex = false
                    if j < s.count, s[j] | 0x20 == 120 { hex = true; j += 1 }
                    var v: UInt32 = 0
                    let start = j
                    while j < s.count, j - start < 10 {
                        if hex, let h = hexValue(s[j]) {
                            v = v &* 16 &+ UInt32(h)
                        } else if !hex, isDigit(s[j]) {
                            v = v &* 10 &+ UInt32(s[j] - 48)
                        } else {
                            break
                        }
                        j += 1
                    }
                    if j > start {
                        if j < s.count, s[j] == 59 { j += 1 }
                        appendUTF8(&out, v == 0 ? 0xFFFD : min(v, 0x110000))
                        i = j
                        changed = true
                        continue
                    }
                } else if isAlpha(s[i + 1]) {
                    var matched = false
                    for (name, ch) in entities where s.matches(name, at: i + 1) {
                        var j = i + 1 + name.count
                        if j < s.count, isAlnum(s[j]) { continue }
                        if j < s.count, s[j] == 59 { j += 1 }
                        out.append(ch)
                        i = j
                        matched = true
                        changed = true
                        break
                    }
                    if matched { continue }
                }
            }
            out.append(c)
            i += 1
        }
        return changed ? out : nil
    }

    /// Backslash escapes as JSON and JavaScript write them: \uXXXX, \u{X}, \xHH, \NNN octal.
    static func escapeDecode(_ s: [UInt8]) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity(s.count)
        var i = 0
        var changed = false
        while i < s.count {
            if s[i] == 92, i + 1 < s.count {
                let k = s[i + 1] | 0x20
                if k == 117, i + 5 < s.count, let a = hexValue(s[i + 2]), let b = hexValue(s[i + 3]),
                    let c = hexValue(s[i + 4]), let d = hexValue(s[i + 5])
                {
                    appendUTF8(&out, UInt32(a << 12 | b << 8 | c << 4 | d))
                    i += 6
                    changed = true
                    continue
                }
                if k == 110 || k == 114 || k == 116, s[i + 1] == k, i + 2 >= s.count || !isAlpha(s[i + 2]) || k == 110 {
                    out.append(k == 110 ? 10 : k == 114 ? 13 : 9)
                    i += 2
                    changed = true
                    continue
                }
                if k == 120, i + 3 < s.count, let a = hexValue(s[i + 2]), let b = hexValue(s[i + 3]) {
                    out.append(UInt8(a << 4 | b))
                    i += 4
                    changed = true
                    continue
                }
            }
            out.append(s[i])
            i += 1
        }
        return changed ? out : nil
    }

    /// Folds look-alikes to ASCII: overlong UTF-8 encodings of ASCII (C0 AE is '.'),
    /// full-width forms (U+FF01–FF5E), division and set-minus slashes, circled digits and
    /// letters, and U+FFFD dropped. Nil when there is nothing to fold.
    static func unicodeFold(_ s: [UInt8]) -> [UInt8]? {
        guard s.contains(where: { $0 >= 0xC0 }) else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(s.count)
        var i = 0
        var changed = false
        while i < s.count {
            let c = s[i]
            if c == 0xC0 || c == 0xC1, i + 1 < s.count, s[i + 1] & 0xC0 == 0x80 {
                out.append(((c & 0x1F) << 6 | (s[i + 1] & 0x3F)) & 0x7F)
                i += 2
                changed = true
                continue
            }
            if c == 0xE0, i + 2 < s.count, s[i + 1] & 0xE0 == 0x80, s[i + 2] & 0xC0 == 0x80 {
                // Overlong three-byte form of an ASCII or two-byte character.
                let v = UInt32(s[i + 1] & 0x3F) << 6 | UInt32(s[i + 2] & 0x3F)
                if v < 0x80 { out.append(UInt8(v)); i += 3; changed = true; continue }
            }
            if c >= 0xE0 && c < 0xF0, i + 2 < s.count {
                let v = UInt32(c & 0x0F) << 12 | UInt32(s[i + 1] & 0x3F) << 6 | UInt32(s[i + 2] & 0x3F)
                var mapped: UInt8? = nil
                switch v {
                case 0xFF01...0xFF5E: mapped = UInt8(v - 0xFF01 + 0x21)
                case 0x2215, 0x2044: mapped = 47
                case 0x2216, 0xFE68: mapped = 92
                case 0x2024, 0xFE52, 0x3002, 0xFF61: mapped = 46
                case 0x2460...0x2468: mapped = UInt8(v - 0x2460 + 49)
                case 0x24EA, 0x24FF: mapped = 48
                case 0x24B6...0x24CF: mapped = UInt8(v - 0x24B6 + 97)
                case 0x24D0...0x24E9: mapped = UInt8(v - 0x24D0 + 97)
                case 0x2000...0x200B, 0x3000: mapped = 32
                case 0x560A: mapped = 10  // 嘊 and 嘍 become LF and CR where a server keeps only the low byte
                case 0x560D: mapped = 13
                case 0xFFFD: mapped = 0
                default: break
                }
                if let m = mapped {
                    if m != 0 { out.append(m) }
                    i += 3
                    changed = true
                    continue
                }
            }
            out.append(c)
            i += 1
        }
        return changed ? out : nil
    }

    /// The decoded text of a value that is base64 throughout and decodes to printable ASCII.
    static func base64Text(_ s: [UInt8]) -> [UInt8]? {
        var letters = 0
        for c in s {
            if base64Table[Int(c)] == 255 && c != 61 { return nil }
            if isAlpha(c) { letters += 1 }
        }
        guard letters > 0, let d = base64Decode(s[...]), d.count >= 6 else { return nil }
        var printable = 0
        for c in d where (c >= 32 && c < 127) || c == 10 || c == 13 || c == 9 || c == 0 { printable += 1 }
        return printable * 10 >= d.count * 9 ? d : nil
    }

    static let base64Table: [UInt8] = {
        var t = [UInt8](repeating: 255, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            t[Int(c)] = UInt8(i)
        }
        t[Int(UInt8(ascii: "-"))] = 62
        t[Int(UInt8(ascii: "_"))] = 63
        return t
    }()

    /// Standard or URL-safe base64, whitespace and padding ignored; nil on other bytes.
    static func base64Decode(_ s: ArraySlice<UInt8>) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity(s.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        for c in s {
            if c == 61 || isSpace(c) { continue }
            let v = base64Table[Int(c)]
            if v == 255 { return nil }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((acc >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }
}
