import GuardJSON

extension Policy {
    /// Loads and validates a policy file; every error names file, line, column and key.
    public static func load(path: String) throws(PolicyError) -> Policy {
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch {
            throw PolicyError(file: path, line: 0, column: 0, key: "", message: "cannot read: \(error)")
        }
        return try parse(bytes, source: path)
    }

    /// Parses and validates policy text; `source` names it in errors.
    public static func parse(_ bytes: [UInt8], source: String) throws(PolicyError) -> Policy {
        let root: JSONValue
        do {
            root = try JSONValue.parse(bytes)
        } catch {
            throw PolicyError(file: source, line: error.line, column: error.column, key: "", message: "invalid JSON: \(error.message)")
        }
        do {
            return try validate(root, source: source)
        } catch {
            let p = JSONLocator(bytes).position(of: error.path)
            throw PolicyError(file: source, line: p.line, column: p.column, key: error.dottedPath, message: error.message)
        }
    }

    static func validate(_ root: JSONValue, source: String) throws(DecodeProblem) -> Policy {
        let top = try PolicyDecoder.object(root, at: [])
        var version = 1
        var mode = PolicyMode.enforce
        var defaults: [(key: String, value: JSONValue)] = []
        var functions: [(key: String, value: JSONValue)] = []
        var sawVersion = false
        for (key, value) in top {
            switch key {
            case "version":
                guard let v = value.intValue, v == 1 else {
                    throw DecodeProblem(path: [.key(key)], message: "unsupported version \(value.serialized()) (this guard reads version 1)")
                }
                version = Int(v)
                sawVersion = true
            case "mode":
                let name = try PolicyDecoder.string(value, at: [.key(key)])
                guard let m = PolicyMode(rawValue: name) else {
                    throw PolicyDecoder.unknownValue(name, expected: ["enforce", "audit"], what: "mode", at: [.key(key)])
                }
                mode = m
            case "defaults":
                defaults = try PolicyDecoder.object(value, at: [.key(key)])
                _ = try PolicyDecoder.decodeSections(defaults, function: "default", at: [.key(key)])
            case "functions":
                functions = try PolicyDecoder.object(value, at: [.key(key)])
                for (name, section) in functions {
                    let here: [JSONLocator.Component] = [.key("functions"), .key(name)]
                    let own = try PolicyDecoder.object(section, at: here)
                    // Each key is checked where the user wrote it…
                    _ = try PolicyDecoder.decodeSections(own, function: name, at: here)
                }
            case "profile":
                // Coverage metadata written by `guard profile` (command, date, runs): kept, not enforced.
                _ = try PolicyDecoder.object(value, at: [.key(key)])
            default:
                throw PolicyDecoder.unknownKey(key, expected: ["version", "mode", "defaults", "functions", "profile"], at: [.key(key)])
            }
        }
        if !sawVersion { throw DecodeProblem(path: [], message: "missing \"version\": 1") }
        // …and as it applies, over `defaults`, so that `effective(for:)` cannot fail.
        for (name, section) in functions {
            guard let own = section.objectValue else { continue }
            _ = try PolicyDecoder.decodeSections(Policy.overlay(defaults, own), function: name, at: [.key("functions"), .key(name)])
        }
        return Policy(source: source, version: version, mode: mode, defaultsJSON: defaults, functionsJSON: functions)
    }

    /// The built-in default policy: syscalls only, denying the container-escape set.
    public static let builtinDefault: Policy = {
        // Parsing a constant we ship cannot fail; the test suite checks it equals policies/default.json.
        try! Policy.parse(Array(builtinDefaultText.utf8), source: "<built-in>")
    }()

    public static let escapeSyscalls = [
        "mount", "umount2", "pivot_root", "unshare", "setns", "open_by_handle_at", "init_module", "finit_module",
        "delete_module", "kexec_load", "kexec_file_load", "bpf", "perf_event_open", "ptrace", "process_vm_writev",
        "keyctl", "add_key", "request_key", "userfaultfd", "io_uring_setup", "iopl", "ioperm", "swapon", "swapoff",
        "reboot", "acct",
    ]

    public static let builtinDefaultText = """
        {
          "version": 1,
          "mode": "enforce",
          "defaults": {
            "syscalls": {
              "default": "allow",
              "errno": "EPERM",
              "deny": [\(escapeSyscalls.map { "\"\($0)\"" }.joined(separator: ", "))]
            }
          }
        }
        """
}

extension EffectivePolicy {
    /// The effective policy as JSON, every default spelled out (what `guard check` prints).
    public var json: JSONValue {
        var sections: [(key: String, value: JSONValue)] = []
        if let s = syscalls {
            sections.append(("syscalls", [
                "default": .string(s.defaultAction.rawValue), "errno": .string(s.errno.name),
                "allow": .array(s.allow.map(JSONValue.string)), "deny": .array(s.deny.map(JSONValue.string)),
                "audit": .array(s.audit.map(JSONValue.string)), "kill": .array(s.kill.map(JSONValue.string)),
            ]))
        }
        if let f = files {
            var o: [(key: String, value: JSONValue)] = []
            if let r = f.read { o.append(("read", .array(r.map { .string($0.pattern) }))) }
            if let w = f.write { o.append(("write", .array(w.map { .string($0.pattern) }))) }
            if let e = f.exec { o.append(("exec", .array(e.map { .string($0.pattern) }))) }
            o.append(("deny", .array(f.deny.map { .string($0.pattern) })))
            o.append(("action", .string(f.action.rawValue)))
            sections.append(("files", .object(o)))
        }
        if let n = network {
            var o: [(key: String, value: JSONValue)] = []
            if let c = n.connect { o.append(("connect", .array(c.map { .string($0.description) }))) }
            if let b = n.bind { o.append(("bind", .array(b.map { .string($0.description) }))) }
            o.append(("action", .string(n.action.rawValue)))
            sections.append(("network", .object(o)))
        }
        if let p = payload {
            sections.append(("payload", [
                "inspect": .bool(p.inspect), "detectors": .array(p.detectors.map(JSONValue.string)),
                "action": .string(p.action.rawValue),
            ]))
        }
        var proc: [(key: String, value: JSONValue)] = [
            ("no_new_privs", .bool(process.noNewPrivs)), ("drop_capabilities", .bool(process.dropCapabilities)),
        ]
        if let u = process.user { proc.append(("user", .string("\(u.uid):\(u.gid)"))) }
        sections.append(("process", .object(proc)))
        return .object([("function", .string(function)), ("mode", .string(mode.rawValue))] + sections)
    }
}
