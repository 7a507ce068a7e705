import GuardJSON
import GuardPolicy
import GuardSandbox

/// One or more recorded runs folded together: what `guard profile` turns into policies.
/// Paths may already be globs when a recording came back from a policy (`--merge`).
public struct Recording: Sendable, Equatable {
    public var observation: Observation
    /// How many recorded runs this covers.
    public var runs: Int
    /// The command of each run, in the order they were folded in.
    public var commands: [[String]]

    public init(_ observation: Observation, runs: Int = 1) {
        self.observation = observation
        self.runs = runs
        self.commands = observation.command.isEmpty ? [] : [observation.command]
    }

    /// Folds another recording in.
    public mutating func merge(_ other: Recording) {
        if observation.command.isEmpty { observation.command = other.observation.command }
        observation.merge(other.observation)
        runs += other.runs
        for command in other.commands where !commands.contains(command) { commands.append(command) }
    }

    /// Reads a policy written by `guard profile` (or any guard policy: its `defaults`
    /// section's lists are taken as what was seen, and it counts as one run).
    public static func load(path: String) throws(ProfileError) -> Recording {
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch {
            throw ProfileError(file: path, message: "cannot read: \(error)")
        }
        return try parse(bytes, source: path)
    }

    public static func parse(_ bytes: [UInt8], source: String) throws(ProfileError) -> Recording {
        let policy: Policy
        do {
            policy = try Policy.parse(bytes, source: source)
        } catch {
            throw ProfileError(file: "", message: "\(error)")
        }
        // Parsed once already, so this cannot fail; the profile metadata is not in the model.
        let root = (try? JSONValue.parse(bytes)) ?? .null
        let effective = policy.effective(for: "default")
        var o = Observation()
        if let s = effective.syscalls {
            o.syscalls = Set(s.allow.filter { $0 != "*" })
            if s.allow.contains("*") || s.defaultAction == .allow {
                throw ProfileError(file: source, message: "syscalls allows everything: not a recorded policy")
            }
        }
        if let f = effective.files {
            o.filesRead = Set((f.read ?? []).map(\.pattern))
            o.filesWritten = Set((f.write ?? []).map(\.pattern))
            o.filesExecuted = Set((f.exec ?? []).map(\.pattern))
        }
        if let n = effective.network {
            o.connects = Set((n.connect ?? []).map(\.description))
            o.binds = Set((n.bind ?? []).map(\.description))
        }
        let profile = root["profile"]
        let strings = { (v: JSONValue?) in (v?.arrayValue ?? []).compactMap(\.stringValue) }
        o.command = strings(profile?["command"])
        o.socketFamilies = Set((profile?["socket_families"]?.arrayValue ?? []).compactMap { $0.intValue.map(Int.init) })
        // Flag words are written as "0x…" strings; plain numbers are taken too.
        let words = { (key: String) in
            Set((profile?[key]?.arrayValue ?? []).compactMap { v -> UInt64? in
                if let i = v.intValue { return UInt64(bitPattern: i) }
                guard let s = v.stringValue else { return nil }
                return s.hasPrefix("0x") ? UInt64(s.dropFirst(2), radix: 16) : UInt64(s)
            })
        }
        o.cloneFlags = words("clone_flags")
        o.clone3Flags = words("clone3_flags")
        o.unshareFlags = words("unshare_flags")
        o.personalities = words("personality")
        for (arch, names) in profile?["foreign_syscalls"]?.objectValue ?? [] { o.foreignSyscalls[arch] = Set(strings(names)) }
        var recording = Recording(o, runs: max(1, Int(profile?["runs"]?.intValue ?? 1)))
        let commands = (profile?["commands"]?.arrayValue ?? []).map { strings($0) }.filter { !$0.isEmpty }
        if !commands.isEmpty { recording.commands = commands }
        return recording
    }
}
