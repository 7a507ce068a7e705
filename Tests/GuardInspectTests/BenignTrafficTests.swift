import Foundation
import GuardInspect
import Testing

/// Generated realistic traffic (BenignTraffic) in API Gateway events: false positives ≤ 2 %.
@Suite struct BenignTrafficTests {
    static func event(_ value: String, placement: Int) -> [String: Any] {
        var sample = CorpusSample(
            id: "gen", label: "benign", location: "query", payload: value, encoded: nil, part: nil, param: "comment",
            header: nil, contentType: nil, source: "generated")
        switch placement % 4 {
        case 1:
            sample.location = "body"
            if value.hasPrefix("{") {
                sample.contentType = "application/json"
            } else {
                sample.contentType = "application/json"
                sample.payload = String(
                    decoding: try! JSONSerialization.data(withJSONObject: ["comment": value, "id": 7]), as: UTF8.self)
            }
        case 2: sample.location = "body"
        case 3 where !value.contains("\n"):
            sample.location = "header"
            sample.header = "x-comment"
        default: break
        }
        return EventBuilder.v2(sample)
    }

    @Test func generatedTrafficPasses() {
        let inspector = Inspector()
        let values = BenignTraffic.values(count: 2000)
        var flagged: [(String, Finding)] = []
        for (i, v) in values.enumerated() {
            let r = inspector.inspect(event: EventBuilder.bytes(Self.event(v, placement: i)))
            if let f = r.findings.first { flagged.append((v, f)) }
        }
        let rate = Double(flagged.count) / Double(values.count)
        print(
            "generated benign traffic: \(values.count) events, \(flagged.count) flagged (\(String(format: "%.2f", 100 * rate)) %)"
        )
        for (v, f) in flagged.prefix(40) {
            print("  \(f.detectorClass) \(f.location): \(v.prefix(100).debugDescription)")
        }
        #expect(rate <= 0.02)
    }

    /// Whole events of kinds APIs receive every day: GraphQL, S3 and EventBridge
    /// notifications, SQS messages with HTML mail, form posts, search, webhooks, markdown notes.
    static let realisticEvents = #"""
        {"version":"2.0","rawPath":"/graphql","headers":{"content-type":"application/json"},"body":"{\"query\":\"query GetUser($id: ID!) { user(id: $id) { name email posts(first: 10, orderBy: {field: CREATED_AT, direction: DESC}) { edges { node { title } } } } }\",\"variables\":{\"id\":\"42\"}}","isBase64Encoded":false}
        {"version":"2.0","rawPath":"/graphql","headers":{"content-type":"application/json"},"body":"{\"query\":\"mutation { createComment(input: {body: \\\"I don't think so; select another option\\\"}) { id } }\"}","isBase64Encoded":false}
        {"Records":[{"eventSource":"aws:s3","s3":{"bucket":{"name":"uploads"},"object":{"key":"images/2024/11/cat+photo%281%29.jpg","size":1024}}}]}
        {"version":"0","id":"abc","detail-type":"Order Placed","source":"com.example.orders","detail":{"orderId":"o-1","items":[{"sku":"A-1","name":"Rock 'n' Roll T-shirt"}],"note":"Leave at door; dog is friendly"}}
        {"Records":[{"messageId":"1","body":"{\"type\":\"email\",\"to\":\"o'brien@example.com\",\"subject\":\"Your order #123 -- shipped!\",\"html\":\"<p>Hi <b>Sam</b>,</p><p>Track it <a href=\\\"https://track.example.com/?id=123&lang=en\\\">here</a>.</p>\"}"}]}
        {"resource":"/items","path":"/items","httpMethod":"POST","headers":{"Content-Type":"application/x-www-form-urlencoded","User-Agent":"curl/8.4.0"},"body":"name=O%27Reilly+Media&comment=Great+book%3B+5%2F5&tags=sql%2Cshell%2Cpython","isBase64Encoded":false}
        {"version":"2.0","rawPath":"/search","rawQueryString":"q=how+to+use+select+*+from+in+sql&page=2","queryStringParameters":{"q":"how to use select * from in sql","page":"2"}}
        {"version":"2.0","rawPath":"/api/files","rawQueryString":"path=reports%2F2024%2Fq3.pdf","queryStringParameters":{"path":"reports/2024/q3.pdf"}}
        {"version":"2.0","rawPath":"/webhook","headers":{"content-type":"application/json","stripe-signature":"t=1492774577,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd"},"body":"{\"id\":\"evt_1\",\"type\":\"charge.succeeded\",\"data\":{\"object\":{\"amount\":2000,\"description\":\"Order #1 -- 2x T-shirt (size M); 1x mug\"}}}"}
        {"version":"2.0","rawPath":"/api/notes","headers":{"content-type":"application/json"},"body":"{\"title\":\"Shell tips\",\"body\":\"Use `find . -name '*.log' -mtime +7 -delete` to clean up old logs.\\n\\n```bash\\ntar -czf backup.tgz /var/www\\n```\"}"}
        """#

    @Test func realisticEventsPass() {
        let lines = Self.realisticEvents.split(separator: "\n")
        #expect(lines.count == 10)
        for line in lines {
            let r = Inspector().inspect(event: Array(line.utf8))
            #expect(r.findings.isEmpty, "\(r.findings) in \(line.prefix(120))")
            #expect(r.error == nil)
        }
    }
}
