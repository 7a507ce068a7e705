import GuardPolicy
import Testing

@Suite struct GlobTests {
    @Test(arguments: [
        ("/tmp/**", "/tmp/a/b/c", true), ("/tmp/**", "/tmp", true), ("/tmp/**", "/tmpx/a", false),
        ("/usr/bin/python3*", "/usr/bin/python3.11", true), ("/usr/bin/python3*", "/usr/bin/python3/x", false),
        ("/a/*/c", "/a/b/c", true), ("/a/*/c", "/a/b/x/c", false), ("/a/**/c", "/a/c", true),
        ("/a/**/c", "/a/b/x/c", true), ("/a/**/c", "/a/b/x/cd", false), ("/a/**.py", "/a/b/c.py", true),
        ("/etc/shadow", "/etc/shadow", true), ("/etc/shadow", "/etc/shadow-", false), ("/a/?", "/a/b", true),
        ("/a/?", "/a/", false), ("/**", "/", true), ("/**", "/anything/at/all", true),
    ])
    func matching(pattern: String, path: String, expected: Bool) throws {
        #expect(try Glob(pattern).matches(path) == expected)
    }

    @Test func literalPrefix() throws {
        #expect(try Glob("/usr/lib/python3*/**").literalPrefix == "/usr/lib")
        #expect(try Glob("/etc/shadow").literalPrefix == "/etc/shadow")
        #expect(try Glob("/*").literalPrefix == "/")
    }
}

@Suite struct AddressRuleTests {
    func ip(_ s: String, _ port: UInt16) -> SocketAddress { .ip(IPAddress(s)!, port: port) }

    @Test func cidrAndPorts() throws {
        let r = try AddressRule("10.0.0.0/8:5432")
        #expect(r.matches(ip("10.1.2.3", 5432)))
        #expect(!r.matches(ip("10.1.2.3", 5433)))
        #expect(!r.matches(ip("11.0.0.1", 5432)))
        let range = try AddressRule("127.0.0.1:8000-8999")
        #expect(range.matches(ip("127.0.0.1", 8080)))
        #expect(!range.matches(ip("127.0.0.1", 9000)))
    }

    @Test func ipv4MappedIPv6IsTheIPv4Address() throws {
        let metadata = try AddressRule("169.254.169.254:80")
        #expect(metadata.matches(ip("::ffff:169.254.169.254", 80)))
        #expect(!metadata.matches(ip("::1", 80)))
        let v6 = try AddressRule("[::1]:*")
        #expect(v6.matches(ip("::1", 53)))
        #expect(!v6.matches(ip("127.0.0.1", 53)))
        let net6 = try AddressRule("[fd00::]/8:443")
        #expect(net6.matches(ip("fd12::1", 443)))
        #expect(try AddressRule("[fd00::/8]:443") == net6)
    }

    @Test func unixPatterns() throws {
        #expect(try AddressRule("unix:/run/*.sock").matches(.unix("/run/docker.sock")))
        #expect(try !AddressRule("unix:/run/*.sock").matches(.unix("/var/run/x.sock")))
        #expect(try AddressRule("unix:@guard-*").matches(.unix("@guard-1")))
        #expect(try !AddressRule("unix:/run/**").matches(.unix("@abstract")))
        #expect(try AddressRule("*").matches(.unix("@x")))
        #expect(try AddressRule("unix:*").matches(.unix("/any/where.sock")))
        #expect(try !AddressRule("unix:@guard-*").matches(.unix("/guard-1")))
        // A pattern that could never match is refused when the policy is loaded.
        for bad in ["unix:run/x.sock", "unix:/a/../b.sock"] {
            #expect(throws: AddressRule.Problem.self, "\(bad)") { try AddressRule(bad) }
        }
    }
}
