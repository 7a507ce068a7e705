import CGuardSys
import Glibc

/// Resolves a path the way the kernel would for the calling thread (its cwd, its dirfd,
/// `..`, symlinks), by letting the kernel do it: the supervisor opens the path relative to
/// the caller's own directory (through /proc/TID/cwd or /proc/TID/fd/N) and reads back
/// what it got. Decisions are made on what was opened, never on the string.
struct PathResolver {
    let supervisorPID: Int32

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
                let tgid = ProcInfo.tgid(tid)
                for prefix in ["/proc/\(tgid)/fd/", "/proc/\(tgid)/task/\(tid)/fd/"] where path.hasPrefix(prefix) {
                    let rest = path.dropFirst(prefix.count)
                    if !rest.isEmpty && rest.allSatisfy({ $0.isASCII && $0.isNumber }) { resolve = 0 }
                }
            }
            return Request(path: path, base: PathResolver.atFDCWD, resolve: resolve)
        }
        let dirPath = dirfd == PathResolver.atFDCWD ? "/proc/\(tid)/cwd" : "/proc/\(tid)/fd/\(dirfd)"
        let base = open(dirPath, O_PATH | O_CLOEXEC)
        guard base >= 0 else { return nil }
        if path.isEmpty { path = "." }
        return Request(path: path, base: base, resolve: resolve)
    }

    /// `/proc/self…`, `/proc/thread-self…`, `/dev/fd/N`, `/dev/std*` in the caller's terms.
    func rewriteSelf(_ path: String, tid: Int32) -> String? {
        let prefixes: [(String, (Int32) -> String)] = [
            ("/proc/self", { "/proc/\($0)" }),
            ("/proc/thread-self", { "/proc/\($0)/task/\(tid)" }),
            ("/dev/fd", { "/proc/\($0)/fd" }),
            ("/dev/stdin", { "/proc/\($0)/fd/0" }), ("/dev/stdout", { "/proc/\($0)/fd/1" }),
            ("/dev/stderr", { "/proc/\($0)/fd/2" }),
        ]
        for (prefix, replacement) in prefixes where path == prefix || path.hasPrefix(prefix + "/") {
            return replacement(ProcInfo.tgid(tid)) + path.dropFirst(prefix.count)
        }
        return nil
    }

    /// The absolute path of an fd the supervisor holds, as the kernel names it.
    func path(of fd: Int32) -> String? { ProcInfo.readLink("/proc/self/fd/\(fd)") }

    /// The path rules see: `/proc/<caller>` reads as `/proc/self`, so policies can say
    /// `/proc/self/**`.
    func normalizedForRules(_ path: String, tid: Int32) -> String {
        guard path.hasPrefix("/proc/") else { return path }
        let tgid = ProcInfo.tgid(tid)
        let own = "/proc/\(tgid)"
        if path == own || path.hasPrefix(own + "/") { return "/proc/self" + path.dropFirst(own.count) }
        return path
    }

    /// True when a resolution ended inside the supervisor's own /proc entry: the caller
    /// reached "self" through a symlink we could not rewrite. Refused, never served.
    func isSupervisorOwn(_ path: String) -> Bool {
        let own = "/proc/\(supervisorPID)"
        return path == own || path.hasPrefix(own + "/")
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
