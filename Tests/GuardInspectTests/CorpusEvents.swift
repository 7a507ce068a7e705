import Foundation

/// One labelled corpus sample (../shared/corpus/README.md).
struct CorpusSample {
    var id: String
    var label: String
    var location: String
    var payload: String
    var encoded: String?
    var part: String?
    var param: String
    var header: String?
    var contentType: String?
    var source: String

    /// 20 % of the corpus, chosen by a stable hash of the id, is never looked at while tuning.
    var isHeldOut: Bool { Self.fnv1a(id) % 5 == 0 }

    static func fnv1a(_ s: String) -> UInt32 {
        var h: UInt32 = 0x811C_9DC5
        for b in s.utf8 { h = (h ^ UInt32(b)) &* 0x0100_0193 }
        return h
    }

    /// `<package>/../shared/corpus/corpus.jsonl`, or `$GUARD_CORPUS`.
    static var corpusURL: URL {
        if let env = ProcessInfo.processInfo.environment["GUARD_CORPUS"] { return URL(fileURLWithPath: env) }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return package.deletingLastPathComponent().appendingPathComponent("shared/corpus/corpus.jsonl")
    }

    static func load() throws -> [CorpusSample] {
        let text = try String(contentsOf: corpusURL, encoding: .utf8)
        var out: [CorpusSample] = []
        for line in text.split(separator: "\n") {
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            out.append(
                CorpusSample(
                    id: o["id"] as! String, label: o["class"] as! String, location: o["location"] as! String,
                    payload: o["payload"] as! String, encoded: o["encoded"] as? String, part: o["part"] as? String,
                    param: o["param"] as? String ?? "q", header: o["header"] as? String,
                    contentType: o["content_type"] as? String, source: o["source"] as! String))
        }
        return out
    }
}

/// Builds API Gateway HTTP API (v2) events the way Benchmarks/inspect/make_events.py does.
enum EventBuilder {
    static let userAgent =
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"

    /// Python's quote(s, safe=…) and quote_plus(s).
    static func quote(_ s: String, safe: String = "", plus: Bool = false) -> String {
        var out = ""
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~".utf8).union(safe.utf8)
        for b in s.utf8 {
            if unreserved.contains(b) {
                out.append(Character(UnicodeScalar(b)))
            } else if plus && b == 32 {
                out.append("+")
            } else {
                out += String(format: "%%%02X", b)
            }
        }
        return out
    }

    static func unquotePlus(_ s: Substring) -> String {
        let spaced = s.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    static func v2(_ r: CorpusSample) -> [String: Any] {
        var headers: [String: Any] = [
            "host": "api.example.com", "user-agent": userAgent, "accept": "*/*", "x-forwarded-for": "203.0.113.7",
            "x-forwarded-proto": "https", "x-amzn-trace-id": "Root=1-67891233-abcdef012345678912345678",
        ]
        var ev: [String: Any] = [
            "version": "2.0", "routeKey": "$default", "rawPath": "/api/items", "rawQueryString": "",
        ]
        var qsp: [String: String]? = nil
        var body: String? = nil
        var method = "GET"
        var path = "/api/items"
        switch r.location {
        case "query":
            if r.part == "name" {
                ev["rawQueryString"] = (r.encoded ?? quote(r.payload)) + "=1"
                qsp = [r.payload: "1"]
            } else if r.part == "raw" {
                ev["rawQueryString"] = r.encoded ?? r.payload
                var q: [String: String] = [:]
                for pair in r.payload.split(separator: "&") {
                    let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    let k = unquotePlus(kv[0])
                    let v = kv.count > 1 ? unquotePlus(kv[1]) : ""
                    q[k] = q[k].map { $0 + "," + v } ?? v
                }
                qsp = q
            } else {
                ev["rawQueryString"] = r.param + "=" + (r.encoded ?? quote(r.payload, plus: true))
                qsp = [r.param: r.payload]
            }
        case "body":
            method = "POST"
            if let ct = r.contentType {
                headers["content-type"] = ct
                body = r.payload
            } else {
                headers["content-type"] = "application/x-www-form-urlencoded"
                if r.part == "name" {
                    body = (r.encoded ?? quote(r.payload, plus: true)) + "=1"
                } else if r.part == "raw" {
                    body = r.encoded ?? r.payload
                } else {
                    body = r.param + "=" + (r.encoded ?? quote(r.payload, plus: true))
                }
            }
        case "header":
            let name = (r.header ?? "x-test").lowercased()
            if name == "cookie" {
                ev["cookies"] = r.payload.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }
            } else {
                headers[name] = r.payload
            }
        case "path":
            path = r.payload.hasPrefix("/") ? r.payload : "/" + r.payload
            ev["rawPath"] = r.encoded ?? quote(path, safe: "/")
        default: break
        }
        ev["headers"] = headers
        if let qsp { ev["queryStringParameters"] = qsp }
        ev["requestContext"] =
            [
                "accountId": "123456789012", "apiId": "abc123xyz", "domainName": "api.example.com",
                "domainPrefix": "api",
                "http": [
                    "method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7",
                    "userAgent": userAgent,
                ],
                "requestId": "JKJaXmPLvHcESHA=", "routeKey": "$default", "stage": "$default",
                "time": "26/Nov/2026:16:00:00 +0000", "timeEpoch": 1_795_708_800_000,
            ] as [String: Any]
        if let body { ev["body"] = body }
        ev["isBase64Encoded"] = false
        return ev
    }

    static func bytes(_ ev: [String: Any]) -> [UInt8] {
        Array(try! JSONSerialization.data(withJSONObject: ev, options: [.withoutEscapingSlashes]))
    }
}
