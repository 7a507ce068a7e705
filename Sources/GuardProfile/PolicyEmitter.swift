import GuardJSON
import GuardPolicy
import GuardSandbox

/// Recording → guard policy (INTERFACE.md, version 1, mode enforce) that allows what was
/// seen and nothing else: unlisted syscalls fail with ENOSYS (runtimes fall back from it)
/// and are reported; files, execs and addresses outside the lists are violations; secrets
/// not seen are denied outright.
public struct PolicyEmitter: Sendable {
    public var date: String
    public var guardVersion: String
    public var generalizer: PathGeneralizer

    public init(date: String = ProfileDate.now(), guardVersion: String, generalizer: PathGeneralizer = PathGeneralizer()) {
        self.date = date
        self.guardVersion = guardVersion
        self.generalizer = generalizer
    }

    /// What was left out because a policy cannot say it (unknown syscall names, addresses
    /// no rule can spell), for the user to see.
    public struct Notes: Sendable, Equatable {
        public var droppedSyscalls: [String] = []
        public var droppedAddresses: [String] = []
        public init() {}
    }

    /// The policy document.
    public func policy(for recording: Recording) -> JSONValue { emit(recording).policy }

    public func emit(_ recording: Recording) -> (policy: JSONValue, notes: Notes) {
        let o = recording.observation
        var notes = Notes()

        let syscalls = Self.allowedSyscalls(o, extra: RuntimeSyscalls.guardLauncher + RuntimeSyscalls.processBaseline,
                                            dropped: &notes.droppedSyscalls)
        let scratch = PathGeneralizer.scratchRoots(writtenIn: o.filesWritten)
        let read = generalizer.generalize(o.filesRead, scratch: scratch)
        let write = generalizer.generalize(o.filesWritten, scratch: scratch)
        var exact = generalizer
        exact.collapseTrees = false
        let exec = exact.generalize(o.filesExecuted)
        let observed = Array(o.filesRead) + Array(o.filesWritten) + Array(o.filesExecuted)
        let deny = SensitivePaths.denyList(observed: observed)

        func addresses(_ set: Set<String>) -> [JSONValue] {
            var out: [JSONValue] = []
            for text in set.sorted() {
                if (try? AddressRule(text)) != nil { out.append(.string(text)) } else { notes.droppedAddresses.append(text) }
            }
            return out
        }
        let strings = { (list: [String]) in JSONValue.array(list.map(JSONValue.string)) }

        var profile: [(key: String, value: JSONValue)] = [
            ("command", strings(o.command.isEmpty ? (recording.commands.first ?? []) : o.command)),
            ("date", .string(date)),
            ("runs", .int(Int64(recording.runs))),
            ("guard", .string(guardVersion)),
        ]
        if recording.commands.count > 1 { profile.append(("commands", .array(recording.commands.map(strings)))) }
        profile.append(("socket_families", .array(o.socketFamilies.sorted().map { .int(Int64($0)) })))
        // Argument values a guard policy's syscall lists cannot express (the names are
        // allowed whatever the arguments); kept here for the OCI profile and --merge.
        let hex = { (values: Set<UInt64>) in JSONValue.array(values.sorted().map { .string(Self.hex($0)) }) }
        profile.append(("clone_flags", hex(o.cloneFlags)))
        profile.append(("clone3_flags", hex(o.clone3Flags)))
        profile.append(("unshare_flags", hex(o.unshareFlags)))
        profile.append(("personality", hex(o.personalities)))
        if !o.foreignSyscalls.isEmpty {
            profile.append(("foreign_syscalls", .object(o.foreignSyscalls.sorted { $0.key < $1.key }.map { ($0.key, strings($0.value.sorted())) })))
        }

        let defaults: JSONValue = .object([
            ("syscalls", .object([("default", "deny"), ("errno", "ENOSYS"), ("allow", strings(syscalls))])),
            ("files", .object([
                ("read", strings(read)), ("write", strings(write)), ("exec", strings(exec)), ("deny", strings(deny)),
                ("action", "deny"),
            ])),
            ("network", .object([("connect", .array(addresses(o.connects))), ("bind", .array(addresses(o.binds))), ("action", "deny")])),
        ])
        let policy: JSONValue = .object([
            ("version", 1), ("mode", "enforce"), ("profile", .object(profile)), ("defaults", defaults),
        ])
        return (policy, notes)
    }

    /// `0x50000011`: flag words in the `profile` metadata, as strace and headers spell them.
    static func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

    /// Every syscall seen on any architecture plus `extra`, sorted; names libseccomp does
    /// not know (a policy could not load them) go to `dropped`.
    static func allowedSyscalls(_ o: Observation, extra: [String], dropped: inout [String]) -> [String] {
        var names = o.syscalls.union(extra)
        for (_, foreign) in o.foreignSyscalls { names.formUnion(foreign) }
        var out: [String] = []
        for name in names.sorted() {
            if SyscallNames.isKnown(name) { out.append(name) } else { dropped.append(name) }
        }
        return out
    }
}
