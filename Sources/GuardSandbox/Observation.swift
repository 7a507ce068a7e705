/// What a recorded run did (`guard profile`): every syscall seen, on each architecture,
/// and the files, execs and addresses it used. Paths are normalized absolute paths as the
/// kernel resolved them; addresses are written as network rules spell them.
public struct Observation: Sendable, Equatable {
    /// Syscall names seen on x86-64.
    public var syscalls: Set<String> = []
    /// Syscall names seen through other entry points ("i386", "x32").
    public var foreignSyscalls: [String: Set<String>] = [:]
    public var filesRead: Set<String> = []
    public var filesWritten: Set<String> = []
    public var filesExecuted: Set<String> = []
    /// `1.2.3.4:80`, `[::1]:53`, `unix:/run/x.sock`, `unix:@abstract`.
    public var connects: Set<String> = []
    public var binds: Set<String> = []
    /// Socket address families used with socket(2) (AF_INET is 2 …), for the OCI profile's
    /// argument rules.
    public var socketFamilies: Set<Int> = []
    /// The command that was recorded.
    public var command: [String] = []
    /// Its exit status.
    public var exitStatus: Int32 = 0

    public init() {}

    /// Folds another recording in (what `--merge` does).
    public mutating func merge(_ other: Observation) {
        syscalls.formUnion(other.syscalls)
        for (arch, names) in other.foreignSyscalls { foreignSyscalls[arch, default: []].formUnion(names) }
        filesRead.formUnion(other.filesRead)
        filesWritten.formUnion(other.filesWritten)
        filesExecuted.formUnion(other.filesExecuted)
        connects.formUnion(other.connects)
        binds.formUnion(other.binds)
        socketFamilies.formUnion(other.socketFamilies)
    }
}
