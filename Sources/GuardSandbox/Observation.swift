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
    /// clone(2) flag words seen (arg0, namespace flags and exit signal included; the low 32
    /// bits, all the kernel reads), for the OCI profile's namespace rules.
    public var cloneFlags: Set<UInt64> = []
    /// clone3(2) `struct clone_args.flags` seen, read from the caller's memory.
    public var clone3Flags: Set<UInt64> = []
    /// unshare(2) flag words seen (arg0).
    public var unshareFlags: Set<UInt64> = []
    /// personality(2) values seen (the low 32 bits: the kernel takes an `unsigned int`),
    /// the query 0xffffffff included when it was made.
    public var personalities: Set<UInt64> = []
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
        cloneFlags.formUnion(other.cloneFlags)
        clone3Flags.formUnion(other.clone3Flags)
        unshareFlags.formUnion(other.unshareFlags)
        personalities.formUnion(other.personalities)
    }
}
