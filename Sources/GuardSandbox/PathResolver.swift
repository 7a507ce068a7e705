import CGuardSys
import Glibc

/// Resolves a path the way the kernel would for the calling thread (its cwd, its dirfd,
/// `..`, symlinks), by letting the kernel do it: the supervisor opens the path relative to
/// the caller's own directory (through /proc/TID/cwd or /proc/TID/fd/N) and reads back
/// what it got. Decisions are made on what was opened, never on the string.
struct PathResolver {
    /// Opens /proc/TID/cwd or /proc/TID/fd/N (the supervisor retries with its own rights).
    let openProcEntry: (String, Int32) -> Int32
    /// The process of a thread (read once per decision).
    let processOf: (Int32) -> Int32
    /// `/proc/<supervisor pid>`.
    let supervisorProc: String

    init(supervisorPID: Int32, openProcEntry: @escaping (String, Int32) -> Int32, processOf: @escaping (Int32) -> Int32) {
        self.openProcEntry = openProcEntry
        self.processOf = processOf
        supervisorProc = "/proc/\(supervisorPID)"
    }

    static let atFDCWD: Int32 = -100
    static let resolveNoMagicLinks: UInt64 = 0x02
    static let resolveBeneath: UInt64 = 0x08
    static let resolveNoSymlinks: UInt64 = 0x04

    /// A path as the caller wrote it, rewritten where it names "the caller itself"
    /// (/proc/self, /dev/fd …), which would otherwise mean the supervisor.
    struct Request {
        var path: String
        /// The directory it is relative to: an fd owned by the request, or AT_FDCWD.
        var base: Int32
        /// Magic links are followed only through the caller's own fd table.
        var resolve: UInt64

        func close() { if base >= 0 { Glibc.close(base) } }
    }

    /// Prepares the path `raw` given by thread `tid` relative to `dirfd`.
    func request(tid: Int32, dirfd: Int32, raw: [UInt8]) -> Request? {
        var path = String(decoding: raw, as: UTF8.self)
        var resolve = PathResolver.resolveNoMagicLinks
        if path.hasPrefix("/") {
            if let rewritten = rewriteSelf(path, tid: tid) {
                path = rewritten
                // Magic links are followed only for exactly /proc/<caller>/fd/<n>: nothing
                // after the number, so `..` cannot walk on into another /proc entry.
                let tgid = processOf(tid)
                for prefix in ["/proc/\(tgid)/fd/", "/proc/\(tgid)/task/\(tid)/fd/"] where path.hasPrefix(prefix) {
                    let rest = path.dropFirst(prefix.count)
                    if !rest.isEmpty && rest.allSatisfy({ $0.isASCII && $0.isNumber }) { resolve = 0 }
                }
            }
            return Request(path: path, base: PathResolver.atFDCWD, resolve: resolve)
        }
        let dirPath = dirfd == PathResolver.atFDCWD ? "/proc/\(tid)/cwd" : "/proc/\(tid)/fd/\(dirfd)"
        let base = openProcEntry(dirPath, O_PATH | O_CLOEXEC)
        guard base >= 0 else { return nil }
        if path.isEmpty { path = "." }
        return Request(path: path, base: base, resolve: resolve)
    }

    /// `/proc/self…`, `/proc/thread-self…`, `/dev/fd/N`, `/dev/std*` in the caller's terms.
    func rewriteSelf(_ path: String, tid: Int32) -> String? {
        guard path.hasPrefix("/proc/") || path.hasPrefix("/dev/") else { return nil }  // most paths
        for (prefix, suffix) in Self.selfPrefixes where path == prefix || path.hasPrefix(prefix + "/") {
            let process = "/proc/\(processOf(tid))"
            let replacement = prefix == "/proc/thread-self" ? process + "/task/\(tid)" : process + suffix
            return replacement + path.dropFirst(prefix.count)
        }
        return nil
    }

    /// What names the caller itself, and what it becomes after `/proc/<caller>`.
    static let selfPrefixes = [
        ("/proc/self", ""), ("/proc/thread-self", ""), ("/dev/fd", "/fd"), ("/dev/stdin", "/fd/0"),
        ("/dev/stdout", "/fd/1"), ("/dev/stderr", "/fd/2"),
    ]

    /// The absolute path of an fd the supervisor holds, as the kernel names it.
    func path(of fd: Int32) -> String? { ProcInfo.readLink("/proc/self/fd/\(fd)") }

    /// The path rules see: `/proc/<caller>` reads as `/proc/self`, so policies can say
    /// `/proc/self/**`.
    func normalizedForRules(_ path: String, tid: Int32) -> String {
        guard path.hasPrefix("/proc/") else { return path }
        let own = "/proc/\(processOf(tid))"
        if path == own || path.hasPrefix(own + "/") { return "/proc/self" + path.dropFirst(own.count) }
        return path
    }

    /// True when a resolution ended inside the supervisor's own /proc entry: the caller
    /// reached "self" through a symlink we could not rewrite. Refused, never served.
    func isSupervisorOwn(_ path: String) -> Bool {
        path.hasPrefix(supervisorProc) && (path.utf8.count == supervisorProc.utf8.count || path.dropFirst(supervisorProc.count).hasPrefix("/"))
    }

    /// An absolute path with no `.`, `..`, empty component or trailing slash: walked
    /// without symlinks, it is the name the kernel gives the file it reaches.
    static func isPlainAbsolute(_ path: String) -> Bool {
        var previous: UInt8 = 0
        var dots = 0  // dots since the last slash, while the component is only dots
        var onlyDots = true
        let utf8 = path.utf8
        guard utf8.first == UInt8(ascii: "/") else { return false }
        if utf8.count == 1 { return true }
        for c in utf8 {
            if c == UInt8(ascii: "/") {
                if previous == UInt8(ascii: "/") || (onlyDots && dots > 0) { return false }
                dots = 0
                onlyDots = true
            } else if c == UInt8(ascii: ".") {
                dots += 1
            } else {
                onlyDots = false
            }
            previous = c
        }
        return previous != UInt8(ascii: "/") && !(onlyDots && dots > 0)
    }

    /// Splits `a/b/c` into (`a/b`, `c`); a single component has parent `.`.
    static func split(_ path: String) -> (parent: String, name: String) {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return (".", String(trimmed)) }
        let parent = trimmed[..<slash]
        return (parent.isEmpty ? "/" : String(parent), String(trimmed[trimmed.index(after: slash)...]))
    }
}
