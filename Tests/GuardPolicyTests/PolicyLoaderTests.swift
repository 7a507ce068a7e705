import Foundation
import GuardPolicy
import Testing

/// The package root, from this file's path (tests read the shipped policies).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

func parse(_ text: String) throws(PolicyError) -> Policy { try Policy.parse(Array(text.utf8), source: "p.json") }

func error(of text: String) -> PolicyError? {
    do {
        _ = try parse(text)
        return nil
    } catch { return error }
}

@Suite struct PolicyLoaderTests {
    @Test func shippedDefaultEqualsBuiltIn() throws {
        let shipped = try Policy.load(path: packageRoot + "/policies/default.json")
        #expect(shipped.effective(for: "x") == Policy.builtinDefault.effective(for: "x"))
        let syscalls = try #require(Policy.builtinDefault.effective(for: "default").syscalls)
        for name in Policy.escapeSyscalls { #expect(syscalls.action(for: name) == .deny) }
        #expect(syscalls.action(for: "read") == .allow)
    }

    @Test(arguments: ["default.json", "python.json", "lambda-python.json"])
    func shippedPoliciesLoad(name: String) throws {
        _ = try Policy.load(path: packageRoot + "/policies/" + name)
    }

    @Test func syntaxErrorNamesLineAndColumn() throws {
        let e = try #require(error(of: "{\n  \"version\": 1,\n  \"mode\": \"enforce\"\n  \"defaults\": {}\n}"))
        #expect(e.file == "p.json")
        #expect(e.line == 4)
        #expect(e.description.hasPrefix("p.json:4:"))
    }

    @Test func unknownSyscallIsNamedWithSuggestion() throws {
        let text = """
            {
              "version": 1,
              "defaults": {
                "syscalls": { "deny": ["mount", "unsahre"] }
              }
            }
            """
        let e = try #require(error(of: text))
        #expect(e.line == 4)
        #expect(e.column == 37)
        #expect(e.key == "defaults.syscalls.deny[1]")
        #expect(e.message.contains("unknown syscall 'unsahre'"))
        #expect(e.message.contains("did you mean 'unshare'"))
    }

    @Test func badActionAndUnknownKey() throws {
        let bad = try #require(error(of: #"{"version":1,"defaults":{"files":{"action":"explode"}}}"#))
        #expect(bad.key == "defaults.files.action")
        #expect(bad.message.contains("unknown action 'explode'"))
        let unknown = try #require(error(of: #"{"version":1,"defaults":{"files":{"raed":["/x"]}}}"#))
        #expect(unknown.key == "defaults.files.raed")
        #expect(unknown.message.contains("did you mean 'read'"))
        let errno = try #require(error(of: #"{"version":1,"defaults":{"syscalls":{"errno":"EWHAT"}}}"#))
        #expect(errno.key == "defaults.syscalls.errno")
    }

    @Test func badGlobAndAddress() throws {
        let glob = try #require(error(of: #"{"version":1,"defaults":{"files":{"read":["relative/**"]}}}"#))
        #expect(glob.key == "defaults.files.read[0]")
        let dots = try #require(error(of: #"{"version":1,"defaults":{"files":{"read":["/a/../etc"]}}}"#))
        #expect(dots.message.contains(".."))
        for bad in ["10.0.0.0/33:80", "1.2.3.4", "example.com:443", "::1:80", "1.2.3.4:70000", "1.2.3.4:9-3"] {
            let e = try #require(error(of: #"{"version":1,"defaults":{"network":{"connect":["\#(bad)"]}}}"#), "\(bad)")
            #expect(e.key == "defaults.network.connect[0]")
        }
    }

    @Test func errorsInFunctionSectionsPointThere() throws {
        let text = #"{"version":1,"defaults":{},"functions":{"api":{"network":{"bind":["nope"]}}}}"#
        let e = try #require(error(of: text))
        #expect(e.key == "functions.api.network.bind[0]")
    }

    @Test func missingOrWrongVersion() throws {
        #expect(error(of: #"{"defaults":{}}"#)?.message.contains("version") == true)
        #expect(error(of: #"{"version":2}"#)?.key == "version")
    }

    @Test func functionOverlaysDefaultsKeyByKey() throws {
        let text = """
            {"version": 1, "mode": "audit",
             "defaults": {"files": {"read": ["/**"], "write": ["/tmp/**"], "deny": ["/etc/shadow"]}},
             "functions": {"orders-api": {"files": {"read": ["/var/task/**"]}}}}
            """
        let policy = try parse(text)
        let api = policy.effective(for: "orders-api")
        #expect(api.files?.read?.map(\.pattern) == ["/var/task/**"])
        #expect(api.files?.write?.map(\.pattern) == ["/tmp/**"])
        #expect(api.files?.deny.map(\.pattern) == ["/etc/shadow"])
        #expect(api.mode == .audit)
        #expect(policy.effective(for: "other").files?.read?.map(\.pattern) == ["/**"])
        #expect(policy.effective(for: "orders-api", modeOverride: .enforce).mode == .enforce)
        #expect(api.syscalls == nil)
    }

    @Test func syscallPrecedence() throws {
        let p = try parse(#"{"version":1,"defaults":{"syscalls":{"default":"deny","allow":["*"],"deny":["mount"],"audit":["read"],"kill":["reboot"]}}}"#)
        let s = try #require(p.effective(for: "x").syscalls)
        #expect(s.action(for: "mount") == .deny)
        #expect(s.action(for: "read") == .audit)
        #expect(s.action(for: "reboot") == .kill)
        #expect(s.action(for: "write") == .allow)
        #expect(s.unlistedAction == .allow)
    }
}
