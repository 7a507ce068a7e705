import CJansson
import Glibc

/// Parsing and printing through jansson. This file is the only place that sees `json_t`.
extension JSONValue {
    /// Parses a whole document. `maxDepth` is jansson's own nesting limit (2048); deeper
    /// documents fail with an error rather than exhausting the stack.
    public static func parse(_ bytes: UnsafeRawBufferPointer, allowNUL: Bool = true) throws(JSONError) -> JSONValue {
        var error = json_error_t()
        var flags = JSON_DECODE_ANY | JSON_REJECT_DUPLICATES
        if allowNUL { flags |= JSON_ALLOW_NUL }
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self),
            let root = json_loadb(base, bytes.count, Int(flags), &error)
        else {
            if bytes.isEmpty { throw JSONError(message: "empty document", line: 1, column: 1, offset: 0) }
            throw JSONError(error)
        }
        defer { json_decref(root) }
        return JSONValue(jansson: root)
    }

    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        return try parse(Array(text.utf8))
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        var result: Result<JSONValue, JSONError> = .success(.null)
        bytes.withUnsafeBytes { buf in
            do throws(JSONError) { result = .success(try parse(buf)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    private init(jansson json: UnsafeMutablePointer<json_t>) {
        switch json.pointee.type {
        case JSON_OBJECT:
            var members: [(key: String, value: JSONValue)] = []
            members.reserveCapacity(json_object_size(json))
            var iter = json_object_iter(json)
            while let it = iter {
                let keyLength = json_object_iter_key_len(it)
                let key = json_object_iter_key(it).map {
                    String(decoding: UnsafeRawBufferPointer(start: $0, count: keyLength), as: UTF8.self)
                } ?? ""
                if let value = json_object_iter_value(it) {
                    members.append((key: key, value: JSONValue(jansson: value)))
                }
                iter = json_object_iter_next(json, it)
            }
            self = .object(members)
        case JSON_ARRAY:
            let n = json_array_size(json)
            var items: [JSONValue] = []
            items.reserveCapacity(n)
            for i in 0..<n { if let v = json_array_get(json, i) { items.append(JSONValue(jansson: v)) } }
            self = .array(items)
        case JSON_STRING:
            let n = json_string_length(json)
            if let p = json_string_value(json) {
                self = .string(String(decoding: UnsafeRawBufferPointer(start: p, count: n), as: UTF8.self))
            } else {
                self = .string("")
            }
        case JSON_INTEGER: self = .int(Int64(json_integer_value(json)))
        case JSON_REAL: self = .double(json_real_value(json))
        case JSON_TRUE: self = .bool(true)
        case JSON_FALSE: self = .bool(false)
        default: self = .null
        }
    }

    /// Compact single-line JSON (what a JSON Lines sink writes), keys in order.
    public func serialized() -> String {
        guard let json = makeJansson() else { return "null" }
        defer { json_decref(json) }
        let flags = Int(JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER)
        let size = json_dumpb(json, nil, 0, flags)
        guard size > 0 else { return "null" }
        return String(unsafeUninitializedCapacity: size) { buffer in
            buffer.withMemoryRebound(to: CChar.self) { json_dumpb(json, $0.baseAddress, size, flags) }
        }
    }

    /// Indented JSON for people (`guard check`, written policies).
    public func prettyPrinted() -> String {
        guard let json = makeJansson() else { return "null" }
        defer { json_decref(json) }
        let flags = Int(2 /* JSON_INDENT(2) */ | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER)
        guard let c = json_dumps(json, flags) else { return "null" }
        defer { free(c) }
        return String(cString: c)
    }

    private func makeJansson() -> UnsafeMutablePointer<json_t>? {
        switch self {
        case .null: return json_null()
        case .bool(let b): return b ? json_true() : json_false()
        case .int(let i): return json_integer(json_int_t(i))
        case .double(let d): return d.isFinite ? json_real(d) : json_null()
        case .string(let s):
            return s.withCString { json_stringn_nocheck($0, s.utf8.count) }
        case .array(let items):
            guard let a = json_array() else { return nil }
            for item in items { if let v = item.makeJansson() { json_array_append_new(a, v) } }
            return a
        case .object(let members):
            guard let o = json_object() else { return nil }
            for (key, value) in members {
                guard let v = value.makeJansson() else { continue }
                _ = key.withCString { json_object_setn_new_nocheck(o, $0, key.utf8.count, v) }
            }
            return o
        }
    }
}

extension JSONError {
    init(_ e: json_error_t) {
        var e = e
        let text = withUnsafeBytes(of: &e.text) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        self.init(message: text, line: max(1, Int(e.line)), column: max(1, Int(e.column)), offset: Int(e.position))
    }
}
