import GuardJSON

/// What a rule does to a syscall, file access or connection that matches it.
public enum RuleAction: String, Sendable, CaseIterable {
    case allow, deny, kill, audit
}

public enum PolicyMode: String, Sendable {
    case enforce, audit
}

/// `syscalls`: names as libseccomp knows them, `*` for all. An explicit name beats `*`;
/// between equals kill > deny > audit > allow. `default` is for anything not listed.
public struct SyscallRules: Sendable, Equatable {
    public var defaultAction: RuleAction = .allow
    public var errno: Errno = .EPERM
    public var allow: [String] = []
    public var deny: [String] = []
    public var audit: [String] = []
    public var kill: [String] = []

    public init() {}

    /// The action for a syscall by name.
    public func action(for name: String) -> RuleAction {
        for (action, list) in ranked where list.contains(name) { return action }
        for (action, list) in ranked where list.contains("*") { return action }
        return defaultAction
    }

    /// The action for any syscall the lists do not name.
    public var unlistedAction: RuleAction {
        for (action, list) in ranked where list.contains("*") { return action }
        return defaultAction
    }

    /// Every syscall named explicitly, with its action.
    public var namedActions: [(name: String, action: RuleAction)] {
        var seen = Set<String>()
        var out: [(String, RuleAction)] = []
        for (_, list) in ranked {
            for name in list where name != "*" && seen.insert(name).inserted {
                out.append((name, action(for: name)))
            }
        }
        return out
    }

    private var ranked: [(RuleAction, [String])] { [(.kill, kill), (.deny, deny), (.audit, audit), (.allow, allow)] }
}

/// `files`: globs on the normalized absolute path. A list that is absent is not supervised.
public struct FileRules: Sendable, Equatable {
    public var read: [Glob]?
    public var write: [Glob]?
    public var exec: [Glob]?
    public var deny: [Glob] = []
    public var action: RuleAction = .deny

    public init() {}
}

/// `network`: addresses allowed for connect (and sendto/sendmsg) and for bind.
public struct NetworkRules: Sendable, Equatable {
    public var connect: [AddressRule]?
    public var bind: [AddressRule]?
    public var action: RuleAction = .deny

    public init() {}
}

public enum PayloadAction: String, Sendable {
    case block, audit
}

public struct PayloadRules: Sendable, Equatable {
    public static let classes = [
        "sqli", "nosqli", "cmdi", "traversal", "ssrf", "xss", "ssti", "jndi", "xxe", "proto", "deser", "ldap", "crlf",
    ]
    public var inspect = true
    public var detectors: [String] = PayloadRules.classes
    public var action: PayloadAction = .block

    public init() {}
}

public struct ProcessRules: Sendable, Equatable {
    public var noNewPrivs = true
    public var dropCapabilities = false
    public var user: (uid: UInt32, gid: UInt32)?

    public init() {}

    public static func == (a: ProcessRules, b: ProcessRules) -> Bool {
        a.noNewPrivs == b.noNewPrivs && a.dropCapabilities == b.dropCapabilities && a.user?.uid == b.user?.uid
            && a.user?.gid == b.user?.gid
    }
}

/// The policy that applies to one function: `defaults` with the function's keys laid over.
/// A category that is nil is not supervised.
public struct EffectivePolicy: Sendable, Equatable {
    public var function: String
    public var mode: PolicyMode = .enforce
    public var syscalls: SyscallRules?
    public var files: FileRules?
    public var network: NetworkRules?
    public var payload: PayloadRules?
    public var process = ProcessRules()

    public init(function: String) { self.function = function }

    /// What a violation actually does: audit mode turns every denial into a report.
    public func effective(_ action: RuleAction) -> RuleAction {
        mode == .audit && (action == .deny || action == .kill) ? .audit : action
    }
}

/// A loaded, validated policy document.
public struct Policy: Sendable {
    /// Where it came from: a path, or `<built-in>`.
    public var source: String
    public var version: Int
    public var mode: PolicyMode
    /// The section JSON exactly as written (validated), overlaid per function on demand.
    var defaultsJSON: [(key: String, value: JSONValue)]
    var functionsJSON: [(key: String, value: JSONValue)]

    public var functionNames: [String] { functionsJSON.map(\.key) }

    /// The section for `function`: its own keys over `defaults`, key by key. A function with
    /// no section of its own gets `defaults`.
    public func effective(for function: String, modeOverride: PolicyMode? = nil) -> EffectivePolicy {
        var sections = defaultsJSON
        if let own = functionsJSON.last(where: { $0.key == function })?.value.objectValue {
            sections = Policy.overlay(sections, own)
        }
        // Each overlay was decoded at load time, so this cannot fail; if it ever did, guard
        // stops rather than run with a policy that supervises nothing.
        var policy: EffectivePolicy
        do {
            policy = try PolicyDecoder.decodeSections(sections, function: function, at: [])
        } catch {
            preconditionFailure("guard: a validated policy failed to decode for \(function): \(error)")
        }
        policy.mode = modeOverride ?? mode
        return policy
    }

    /// Lays `top`'s categories over `base`'s, key by key inside each category.
    static func overlay(
        _ base: [(key: String, value: JSONValue)], _ top: [(key: String, value: JSONValue)]
    ) -> [(key: String, value: JSONValue)] {
        var result = base
        for (category, value) in top {
            if let i = result.firstIndex(where: { $0.key == category }),
                let baseKeys = result[i].value.objectValue, let topKeys = value.objectValue
            {
                var merged = baseKeys
                for (k, v) in topKeys {
                    if let j = merged.firstIndex(where: { $0.key == k }) { merged[j].value = v } else { merged.append((k, v)) }
                }
                result[i].value = .object(merged)
            } else if let i = result.firstIndex(where: { $0.key == category }) {
                result[i].value = value
            } else {
                result.append((category, value))
            }
        }
        return result
    }
}
