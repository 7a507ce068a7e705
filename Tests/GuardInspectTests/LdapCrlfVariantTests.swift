import GuardInspect
import Testing

/// LDAP filter and CRLF injection written for these tests from the technique families, not
/// taken from the corpus.
@Suite struct LdapCrlfVariantTests {
    static func classes(_ payload: String) -> Set<DetectorClass> {
        Set(Inspector().inspect(payload: payload, location: "/queryStringParameters/user").findings.map(\.detectorClass))
    }

    static let ldap: [String] = [
        "admin*)((|userPassword=*)", "*)(|(mail=*))", "admin)(!(&(1=0)", "x*)(objectClass=*", "admin))(|(cn=*",
        "*)(&(objectClass=user)(description=*pass*)", "*)(uid=*)(|(uid=*", "admin*)(|(password=*)", "*(|(objectclass=*))",
        "x)(|(1=1)", "admin)(|(&(userPassword=*)", "admin)(userPassword=a*", "(|(uid=*)(uid=admin))",
        "(&(uid=admin)(!(userPassword=x))", "(|(uid=*)(cn=x))", "jdoe)(|(sn=*", "*)(cn~=adm*", "x)(telephoneNumber>=0",
        "admin)(&)", "*))(|(objectClass=*", "bob)(!(uid=bob)",
    ]

    static let crlf: [String] = [
        "x\r\nSet-Cookie:admin=1", "x\nSet-Cookie: a=b", "x%0aSet-Cookie:%20a=b",
        "x%0D%0AContent-Length:%200%0D%0A%0D%0AHTTP/1.1%20200%20OK", "/%0d%0aX-Forwarded-For: 127.0.0.1",
        "x\r\n\r\n<script>alert(1)</script>", "x\r\nLocation: https://e.example", "x\rSet-Cookie: a=1",
        "x\r\nAccess-Control-Allow-Origin: *", "x\r\nContent-Type: text/html", "x\r\nX-XSS-Protection: 0",
        "x\r\n\tSet-Cookie:a=1", "x\r\nRefresh: 0; url=http://e.example",
        "x\r\nContent-Disposition: attachment; filename=a.exe", "x\u{560A}\u{560D}Set-Cookie: a=1",
        "x\u{560D}\u{560A}Location: http://e.example/", "en%0d%0aSet-Cookie:%20sid=evil",
        "x\r\nLocation: //e.example", "x\r\nServer: evil/6.6\r\n", "x\r\n\r\nHTTP/1.1 200 OK",
    ]

    static let nearMisses: [String] = [
        "(see page 2)", "smile :-)(wink)", "a (b) (c)", "f(x)(y)", "(1) first (2) second", "Line one\r\nLine two",
        "Note:\nSee below", "Address:\r\n1 Main St", "Hello\nWorld: greetings", "嘊嘍", "x (a|b) y", "(&) sign", "(&(objectClass=person)(sn=Smith))",
    ]

    @Test(arguments: ldap)
    func detectsLDAP(_ payload: String) {
        #expect(Self.classes(payload).contains(.ldap), "ldap missed: \(payload)")
    }

    @Test(arguments: crlf)
    func detectsCRLF(_ payload: String) {
        #expect(Self.classes(payload).contains(.crlf), "crlf missed: \(payload)")
    }

    @Test(arguments: nearMisses)
    func passes(_ payload: String) {
        #expect(Self.classes(payload).isEmpty, "flagged: \(payload) as \(Self.classes(payload))")
    }
}
