import GuardPolicy

/// Loads the policy the common options name (or the built-in default) and selects the
/// function's section. Errors are printed as `file:line:column: key: message`.
enum PolicyLoading {
    static func load(_ options: CommonOptions) -> (policy: EffectivePolicy, source: String)? {
        let document: Policy
        if let path = options.resolvedPolicyPath {
            do {
                document = try Policy.load(path: path)
            } catch {
                printError("guard: invalid policy: \(error)")
                return nil
            }
        } else {
            document = Policy.builtinDefault
        }
        return (document.effective(for: options.functionName, modeOverride: options.mode), document.source)
    }
}
