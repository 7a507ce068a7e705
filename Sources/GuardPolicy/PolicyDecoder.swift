import GuardJSON

/// Turns validated JSON into the policy model. Every problem names its path.
enum PolicyDecoder {
    typealias Path = [JSONLocator.Component]
    typealias Members = [(key: String, value: JSONValue)]

    static let categories = ["syscalls", "files", "network", "payload", "process"]

    static func decodeSections(_ sections: Members, function: String, at path: Path) throws(DecodeProblem) -> EffectivePolicy {
        var policy = EffectivePolicy(function: function)
        for (key, value) in sections {
            let here = path + [.key(key)]
            switch key {
            case "syscalls": policy.syscalls = try syscalls(value, at: here)
            case "files": policy.files = try files(value, at: here)
            case "network": policy.network = try network(value, at: here)
            case "payload": policy.payload = try payload(value, at: here)
            case "process": policy.process = try process(value, at: here)
            default: throw unknownKey(key, expected: categories, at: here)
            }
        }
        return policy
    }

    static func syscalls(_ value: JSONValue, at path: Path) throws(DecodeProblem) -> SyscallRules {
        var rules = SyscallRules()
        for (key, v) in try object(value, at: path) {
            let here = path + [.key(key)]
            switch key {
            case "default": rules.defaultAction = try action(v, allowed: [.allow, .deny, .kill, .audit], at: here)
            case "errno":
                let name = try string(v, at: here)
                guard let e = Errno(name: name) else {
                    throw DecodeProblem(path: here, message: "unknown errno '\(name)' (use a name such as EPERM, EACCES or ENOSYS)")
                }
                rules.errno = e
            case "allow": rules.allow = try syscallNames(v, at: here)
            case "deny": rules.deny = try syscallNames(v, at: here)
            case "audit": rules.audit = try syscallNames(v, at: here)
            case "kill": rules.kill = try syscallNames(v, at: here)
            default: throw unknownKey(key, expected: ["default", "errno", "allow", "deny", "audit", "kill"], at: here)
            }
        }
        return rules
    }

    static func syscallNames(_ value: JSONValue, at path: Path) throws(DecodeProblem) -> [String] {
        let names = try strings(value, at: path)
        for (i, name) in names.enumerated() where name != "*" && !SyscallNames.isKnown(name) {
            let hint = SyscallNames.suggestion(for: name).map { " (did you mean '\($0)'?)" } ?? ""
            throw DecodeProblem(path: path + [.index(i)], message: "unknown syscall '\(name)'\(hint)")
        }
        return names
    }

    static func files(_ value: JSONValue, at path: Path) throws(DecodeProblem) -> FileRules {
        var rules = FileRules()
        for (key, v) in try object(value, at: path) {
            let here = path + [.key(key)]
            switch key {
            case "read": rules.read = try globs(v, at: here)
            case "write": rules.write = try globs(v, at: here)
            case "exec": rules.exec = try globs(v, at: here)
            case "deny": rules.deny = try globs(v, at: here)
            case "action": rules.action = try action(v, allowed: [.deny, .kill, .audit], at: here)
            default: throw unknownKey(key, expected: ["read", "write", "exec", "deny", "action"], at: here)
            }
        }
        return rules
    }

    static func globs(_ value: JSONValue, at path: Path) throws(DecodeProblem) -> [Glob] {
        var out: [Glob] = []
        for (i, text) in try strings(value, at: path).enumerated() {
            do {
                out.append(try Glob(text))
            } catch {
                let why: String
                switch error {
                case .empty: why = "empty glob"
                case .notAbsolute: why = "glob '\(text)' must be an absolute path (start with /)"
                case .dotSegment: why = "glob '\(text)' must not contain . or .. segments (paths are matched normalized)"
                }
                throw DecodeProblem(path: path + [.index(i)], message: why)
            }
        }
        return out
    }

    static func network(_ value: JSONValue, at path: Path) throws(DecodeProblem) -> NetworkRules {
        var rules = NetworkRules()
        for (key, v) in try object(value, at: path) {
            let here = path + [.key(key)]
            switch key {
            case "connect": rules.connect = try addresses(v, at: here)
            case "bind": rules.bind = try addresses(v, at: here)
            case "action": rules.action = try action(v, allowed: [.deny, .kill, .audit], at: here)
            default: throw unknownKey(key, expected: ["connect", "bind", "action"], at: here)
            }
        }
        return rules
    }

    static func addresses(_ value: JSONValue, at path: Path) throws(DecodeProblem) -> [AddressRule] {
        var out: [AddressRule] = []
        for (i, text) in try strings(value, at: path).enumerated() {
            do {
                out.append(try AddressRule(text))
            } catch {
                switch error {
                case .syntax(let why): throw DecodeProblem(path: path + [.index(i)], message: "bad address '\(text)': \(why)")
                }
            }
        }
        return out
    }

    static func payload(_ value: JSONValue, at path: Path) throws(DecodeProblem) -> PayloadRules {
        var rules = PayloadRules()
        for (key, v) in try object(value, at: path) {
            let here = path + [.key(key)]
            switch key {
            case "inspect": rules.inspect = try bool(v, at: here)
            case "detectors":
                let names = try strings(v, at: here)
                var chosen: [String] = []
                for (i, name) in names.enumerated() {
                    if name == "all" {
                        chosen += PayloadRules.classes
                    } else if PayloadRules.classes.contains(name) {
                        chosen.append(name)
                    } else {
                        throw unknownValue(name, expected: ["all"] + PayloadRules.classes, what: "detector", at: here + [.index(i)])
                    }
                }
                rules.detectors = PayloadRules.classes.filter(chosen.contains)
            case "action":
                let name = try string(v, at: here)
                guard let a = PayloadAction(rawValue: name) else {
                    throw unknownValue(name, expected: ["block", "audit"], what: "payload action", at: here)
                }
                rules.action = a
            default: throw unknownKey(key, expected: ["inspect", "detectors", "action"], at: here)
            }
        }
        return rules
    }

    static func process(_ value: JSONValue, at path: Path) throws(DecodeProblem) -> ProcessRules {
        var rules = ProcessRules()
        for (key, v) in try object(value, at: path) {
            let here = path + [.key(key)]
            switch key {
            case "no_new_privs": rules.noNewPrivs = try bool(v, at: here)
            case "drop_capabilities": rules.dropCapabilities = try bool(v, at: here)
            case "user":
                let text = try string(v, at: here)
                guard let user = UserSpec.parse(text) else {
                    throw DecodeProblem(path: here, message: "user '\(text)' is not UID:GID, UID, or a name in /etc/passwd")
                }
                rules.user = user
            default: throw unknownKey(key, expected: ["no_new_privs", "drop_capabilities", "user"], at: here)
            }
        }
        return rules
    }

    // MARK: - Small decoders

    static func object(_ value: JSONValue, at path: Path) throws(DecodeProblem) -> Members {
        guard let o = value.objectValue else { throw DecodeProblem(path: path, message: "expected an object, found \(value.typeName)") }
        return o
    }

    static func string(_ value: JSONValue, at path: Path) throws(DecodeProblem) -> String {
        guard let s = value.stringValue else { throw DecodeProblem(path: path, message: "expected a string, found \(value.typeName)") }
        return s
    }

    static func bool(_ value: JSONValue, at path: Path) throws(DecodeProblem) -> Bool {
        guard let b = value.boolValue else { throw DecodeProblem(path: path, message: "expected true or false, found \(value.typeName)") }
        return b
    }

    static func strings(_ value: JSONValue, at path: Path) throws(DecodeProblem) -> [String] {
        guard let items = value.arrayValue else {
            throw DecodeProblem(path: path, message: "expected an array of strings, found \(value.typeName)")
        }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard let s = item.stringValue else {
                throw DecodeProblem(path: path + [.index(i)], message: "expected a string, found \(item.typeName)")
            }
            out.append(s)
        }
        return out
    }

    static func action(_ value: JSONValue, allowed: [RuleAction], at path: Path) throws(DecodeProblem) -> RuleAction {
        let name = try string(value, at: path)
        guard let a = RuleAction(rawValue: name), allowed.contains(a) else {
            throw unknownValue(name, expected: allowed.map(\.rawValue), what: "action", at: path)
        }
        return a
    }

    static func unknownKey(_ key: String, expected: [String], at path: Path) -> DecodeProblem {
        unknownValue(key, expected: expected, what: "key", at: path)
    }

    static func unknownValue(_ value: String, expected: [String], what: String, at path: Path) -> DecodeProblem {
        let hint = closest(value, in: expected).map { "did you mean '\($0)'? " } ?? ""
        return DecodeProblem(path: path, message: "unknown \(what) '\(value)' (\(hint)expected one of: \(expected.joined(separator: ", ")))")
    }

    static func closest(_ word: String, in candidates: [String]) -> String? {
        candidates.map { ($0, editDistance(word, $0)) }.filter { $0.1 <= max(2, word.count / 3) }.min { $0.1 < $1.1 }?.0
    }
}
