import Foundation
import Testing

/// Broken policies: `check` exits 2, `run` exits 125 and starts nothing.
@Suite struct PolicyErrorTests {
    static let broken: [(String, String, String)] = [
        ("syntax", "{\n  \"version\": 1,\n  \"defaults\": {\n    \"syscalls\": {\"deny\": [\"mount\",]}\n  }\n}\n", ":4:"),
        ("unknown syscall", #"{"version":1,"defaults":{"syscalls":{"deny":["mountt"]}}}"#, "did you mean 'mount'"),
        ("bad action", #"{"version":1,"defaults":{"syscalls":{"default":"explode"}}}"#, "defaults.syscalls.default"),
        ("bad glob", #"{"version":1,"defaults":{"files":{"read":["etc/**"]}}}"#, "defaults.files.read[0]"),
        ("bad address", #"{"version":1,"defaults":{"network":{"connect":["1.2.3.4"]}}}"#, "defaults.network.connect[0]"),
    ]

    @Test(arguments: broken)
    func brokenPolicy(name: String, text: String, expected: String) throws {
        let dir = Harness.tempDir()
        let path = dir + "/policy.json"
        Harness.write(text, to: path)
        let (status, _, err) = try Harness.exec(Harness.guardPath, ["check", path])
        #expect(status == 2, "\(name)")
        #expect(err.contains(path + ":"), "\(name): \(err)")
        #expect(err.contains(expected), "\(name): \(err)")

        let marker = dir + "/started"
        let run = try Harness.run(["run", "-p", path, "--", "/bin/touch", marker])
        #expect(run.status == 125, "\(name)")
        #expect(!FileManager.default.fileExists(atPath: marker), "\(name): the command ran")
    }

    @Test func checkPrintsTheEffectivePolicy() throws {
        let (status, out, _) = try Harness.exec(Harness.guardPath, ["check", Harness.packageRoot + "/policies/python.json"])
        #expect(status == 0)
        #expect(out.contains("\"no_new_privs\": true"))
        #expect(out.contains("/etc/shadow"))
    }

    @Test func missingPolicyFileIs125() throws {
        let r = try Harness.run(["run", "-p", "/no/such/policy.json", "--", "/bin/true"])
        #expect(r.status == 125)
        #expect(r.stderr.contains("/no/such/policy.json"))
    }
}
