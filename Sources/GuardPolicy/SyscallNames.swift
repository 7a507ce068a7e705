import CSeccomp
import Glibc

/// Syscall names as libseccomp knows them, for validating policies and naming reports.
public enum SyscallNames {
    /// Every name libseccomp resolves on the native architecture.
    public static let all: [String] = {
        var names: [String] = []
        for nr in 0..<1024 {
            if let c = seccomp_syscall_resolve_num_arch(UInt32(SCMP_ARCH_NATIVE), Int32(nr)) {
                names.append(String(cString: c))
                free(c)
            }
        }
        return names
    }()

    /// Is this a syscall libseccomp can put in a filter (on any architecture)?
    public static func isKnown(_ name: String) -> Bool {
        seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR
    }

    /// The name of syscall `nr` on `arch` (an AUDIT_ARCH value as seccomp reports it).
    public static func name(arch: UInt32, nr: Int32) -> String {
        guard let c = seccomp_syscall_resolve_num_arch(arch, nr) else { return "syscall_\(nr)" }
        defer { free(c) }
        return String(cString: c)
    }

    /// The closest known name, for "did you mean" hints.
    public static func suggestion(for name: String) -> String? { PolicyDecoder.closest(name, in: all) }
}

/// Levenshtein distance, for suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.utf8)
    let b = Array(b.utf8)
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    var current = previous
    for i in 1...a.count {
        current[0] = i
        if !b.isEmpty {
            for j in 1...b.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
