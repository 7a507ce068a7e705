import GuardJSON
import GuardPolicy

/// `guard check POLICY`: validate, then print the effective policy of every function.
enum CheckCommand {
    static let help = """
        usage: guard check POLICY

        Validate POLICY. Prints the effective policy (defaults, then each function with its
        keys laid over them) and exits 0, or names file:line:column and key and exits 2.
        """

    static func main(_ arguments: ArraySlice<String>) -> Int32 {
        guard arguments.count == 1, let path = arguments.first else {
            printError(help)
            return 2
        }
        if path == "-h" || path == "--help" {
            print(help)
            return 0
        }
        let policy: Policy
        do {
            policy = try Policy.load(path: path)
        } catch {
            printError("guard check: \(error)")
            return 2
        }
        var functions: [(key: String, value: GuardJSON.JSONValue)] = []
        for name in policy.functionNames { functions.append((name, policy.effective(for: name).json)) }
        let out: GuardJSON.JSONValue = .object([
            ("policy", .string(path)), ("version", .int(Int64(policy.version))), ("mode", .string(policy.mode.rawValue)),
            ("defaults", policy.effective(for: "default").json), ("functions", .object(functions)),
        ])
        print(out.prettyPrinted())
        return 0
    }
}
