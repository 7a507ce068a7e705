import GuardJSON

/// What an OCI seccomp profile answers for one x86-64 call, by the runtime spec's and
/// libseccomp's rules: the conditions of a rule are ANDed, the rules for a name ORed, an
/// ERRNO rule that matches outranks an ALLOW one, and `defaultAction` takes the rest.
/// Comparisons are on the whole 64-bit argument, as libseccomp does on a 64-bit arch; for
/// SCMP_CMP_MASKED_EQ `value` is the mask and `valueTwo` the datum.
struct ProfileEvaluator {
    let profile: JSONValue

    init(_ profile: JSONValue) { self.profile = profile }

    /// nil when the call is allowed, else the errno it fails with.
    func errno(_ name: String, _ args: [UInt64]) -> Int64? {
        let matching = (profile["syscalls"]?.arrayValue ?? []).filter { rule in
            (rule["names"]?.arrayValue ?? []).contains(.string(name))
                && (rule["args"]?.arrayValue ?? []).allSatisfy { satisfied($0, args) }
        }
        if let refusal = matching.first(where: { $0["action"] == "SCMP_ACT_ERRNO" }) {
            return refusal["errnoRet"]?.intValue ?? profile["defaultErrnoRet"]?.intValue ?? 1
        }
        if matching.contains(where: { $0["action"] == "SCMP_ACT_ALLOW" }) { return nil }
        return profile["defaultErrnoRet"]?.intValue ?? 1
    }

    private func satisfied(_ condition: JSONValue, _ args: [UInt64]) -> Bool {
        guard let index = condition["index"]?.intValue, Int(index) < args.count,
            let op = condition["op"]?.stringValue
        else { return false }
        let arg = args[Int(index)]
        let value = UInt64(bitPattern: condition["value"]?.intValue ?? 0)
        let valueTwo = UInt64(bitPattern: condition["valueTwo"]?.intValue ?? 0)
        switch op {
        case "SCMP_CMP_EQ": return arg == value
        case "SCMP_CMP_NE": return arg != value
        case "SCMP_CMP_LT": return arg < value
        case "SCMP_CMP_LE": return arg <= value
        case "SCMP_CMP_GT": return arg > value
        case "SCMP_CMP_GE": return arg >= value
        case "SCMP_CMP_MASKED_EQ": return arg & value == valueTwo
        default: return false
        }
    }
}
