/// The head of an HTTP/1.1 request or response: start line and header fields, in order,
/// names as received (matching is case-insensitive).
struct HTTPHead {
    /// Request: method, target, version. Response: version, status code, reason phrase.
    var first: String
    var second: String
    var third: String
    var fields: [(name: String, value: String)]

    var method: String { first }
    var target: String { second }
    var status: Int { Int(second) ?? 0 }

    /// The value of the last field named `name`, if any.
    func value(_ name: String) -> String? {
        fields.last(where: { $0.name.lowercasedASCII() == name.lowercasedASCII() })?.value
    }

    /// All values of `name`, comma lists split and trimmed, lowercased (for tokens).
    func tokens(_ name: String) -> [String] {
        let lower = name.lowercasedASCII()
        var result: [String] = []
        for field in fields where field.name.lowercasedASCII() == lower {
            for part in field.value.split(separator: ",") {
                let token = part.trimmingOWS().lowercasedASCII()
                if !token.isEmpty { result.append(token) }
            }
        }
        return result
    }

    /// Whether the connection must close after this message (HTTP/1.0 without keep-alive,
    /// or `Connection: close`).
    var wantsClose: Bool {
        let connection = tokens("connection")
        if connection.contains("close") { return true }
        let version = first.hasPrefix("HTTP/") ? first : third
        return version == "HTTP/1.0" && !connection.contains("keep-alive")
    }

    /// Fields that describe this connection, not the message: handled by the proxy itself,
    /// never passed through. Also the framing fields, which the proxy sets on each hop.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te",
        "transfer-encoding", "upgrade", "content-length", "expect", "host",
    ]

    /// The end-to-end fields: hop-by-hop ones removed, and any field the `Connection` field names.
    func endToEndFields() -> [(name: String, value: String)] {
        let named = Set(tokens("connection"))
        return fields.filter {
            let lower = $0.name.lowercasedASCII()
            return !HTTPHead.hopByHop.contains(lower) && !named.contains(lower)
        }
    }

    /// Parses a head (the bytes before the blank line, without it). Lines end in CRLF or LF.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> HTTPHead? {
        // Split on bytes: as Characters, CR LF is one grapheme and would not split on LF.
        var lines: [Substring] = []
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            let trimmed = line.last == 0x0D ? line.dropLast() : line
            lines.append(Substring(String(decoding: UnsafeRawBufferPointer(rebasing: trimmed), as: UTF8.self)))
        }
        guard let start = lines.first else { return nil }
        let parts = start.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        var head = HTTPHead(
            first: String(parts[0]), second: String(parts[1]), third: parts.count > 2 ? String(parts[2]) : "",
            fields: [])
        for line in lines.dropFirst() where !line.isEmpty {
            // Obsolete line folding and fields without a colon are refused (RFC 9112 5.2).
            guard let first = line.first, first != " ", first != "\t", let colon = line.firstIndex(of: ":") else {
                return nil
            }
            let name = line[..<colon]
            guard !name.isEmpty, !name.contains(" "), !name.contains("\t") else { return nil }
            head.fields.append((String(name), String(line[line.index(after: colon)...].trimmingOWS())))
        }
        return head
    }

    /// The head serialized, ending with the blank line, appended to `out`.
    func serialize(into out: inout [UInt8]) {
        out.append(contentsOf: first.utf8)
        out.append(0x20)
        out.append(contentsOf: second.utf8)
        if !third.isEmpty {
            out.append(0x20)
            out.append(contentsOf: third.utf8)
        }
        out.append(contentsOf: [0x0D, 0x0A])
        for field in fields {
            out.append(contentsOf: field.name.utf8)
            out.append(contentsOf: [0x3A, 0x20])
            out.append(contentsOf: field.value.utf8)
            out.append(contentsOf: [0x0D, 0x0A])
        }
        out.append(contentsOf: [0x0D, 0x0A])
    }
}

/// How a message's body is delimited.
enum BodyFraming: Equatable {
    case none
    case length(Int)
    case chunked
    /// A response body that ends when the upstream closes the connection.
    case untilClose

    /// The framing of a request (RFC 9112 6.3): chunked wins over a length; a bad or
    /// conflicting length is an error.
    static func ofRequest(_ head: HTTPHead) -> BodyFraming? {
        let codings = head.tokens("transfer-encoding")
        if !codings.isEmpty { return codings.last == "chunked" ? .chunked : nil }
        return contentLength(head).map { $0 == 0 ? .none : .length($0) } ?? (hasLength(head) ? nil : BodyFraming.none)
    }

    /// The framing of a response to a request with `method`.
    static func ofResponse(_ head: HTTPHead, method: String) -> BodyFraming? {
        let status = head.status
        if method == "HEAD" || status == 204 || status == 304 || (100...199).contains(status) {
            return BodyFraming.none
        }
        let codings = head.tokens("transfer-encoding")
        if !codings.isEmpty { return codings.last == "chunked" ? .chunked : .untilClose }
        if hasLength(head) { return contentLength(head).map { $0 == 0 ? .none : .length($0) } }
        return .untilClose
    }

    private static func hasLength(_ head: HTTPHead) -> Bool { head.value("content-length") != nil }

    /// The Content-Length, nil when absent, malformed or conflicting.
    private static func contentLength(_ head: HTTPHead) -> Int? {
        var result: Int? = nil
        for field in head.fields where field.name.lowercasedASCII() == "content-length" {
            for part in field.value.split(separator: ",") {
                let digits = part.trimmingOWS()
                guard !digits.isEmpty, digits.count <= 15, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                    let n = Int(digits)
                else { return nil }
                if let r = result, r != n { return nil }
                result = n
            }
        }
        return result
    }
}

extension StringProtocol {
    func lowercasedASCII() -> String {
        var bytes = Array(utf8)
        for i in bytes.indices where bytes[i] >= 0x41 && bytes[i] <= 0x5A { bytes[i] += 0x20 }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingOWS() -> Substring {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return s
    }
}
