import GuardPolicy

/// Turns the set of paths a workload used into a short list of rules: many files under a
/// library or runtime tree become `tree/**`; per-run names (process ids, terminal numbers,
/// temporary files, byte-code caches) become globs; everything else stays a single path.
/// No glob it writes can reach a secret (`SensitivePaths.located`).
public struct PathGeneralizer: Sendable {
    /// How many files below a directory make it a tree worth one `dir/**` rule.
    public var threshold: Int
    /// Collapse trees at all (exec lists keep exact files).
    public var collapseTrees: Bool

    public init(threshold: Int = 3, collapseTrees: Bool = true) {
        self.threshold = threshold
        self.collapseTrees = collapseTrees
    }

    /// Directories too wide to allow as a whole: the roots of the file-system hierarchy.
    /// A tree rule is always at least one level below one of these.
    public static let broadDirectories: Set<String> = [
        "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32", "/media", "/mnt",
        "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var", "/snap",
        "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/libx32", "/usr/libexec",
        "/usr/include", "/usr/share", "/usr/src", "/usr/local", "/usr/local/bin", "/usr/local/sbin",
        "/usr/local/lib", "/usr/local/share", "/var/lib", "/var/log", "/var/cache", "/var/spool", "/var/run",
        "/var/tmp", "/var/mail", "/run/user", "/dev/shm",
    ]

    /// Scratch directories whose file names change from run to run: where a workload
    /// writes below one, anything below it is allowed as a whole.
    public static let scratchDirectories = ["/tmp", "/var/tmp", "/dev/shm"]

    /// Generalizes `paths` (normalized absolute paths; entries that already are globs, from
    /// merged policies, are kept as they are). Paths in the scratch directories listed in
    /// `scratch` become `scratch/**` (pass the ones the workload wrote to: reading back a
    /// temporary file it made is part of making it; reading someone else's is not).
    /// Returns sorted, deduplicated rules.
    public func generalize<S: Sequence>(_ paths: S, scratch: Set<String> = []) -> [String] where S.Element == String {
        var patterns = Set<String>()
        var literals = Set<String>()
        for path in paths {
            if path.contains("*") || path.contains("?") {
                patterns.insert(path)
            } else if let root = scratch.first(where: { path.hasPrefix($0 + "/") }) {
                patterns.insert(root + "/**")
            } else if let rewritten = Self.perRunPattern(path) {
                patterns.insert(rewritten)
            } else {
                literals.insert(path)
            }
        }
        if collapseTrees {
            // Files below each directory, counted once per file.
            var counts: [String: Int] = [:]
            for path in literals {
                for dir in Self.ancestors(of: path) { counts[dir, default: 0] += 1 }
            }
            var verdicts: [String: Bool] = [:]
            func collapsible(_ dir: String) -> Bool {
                if let v = verdicts[dir] { return v }
                let v = Self.mayBeTree(dir)
                verdicts[dir] = v
                return v
            }
            for path in literals {
                // The widest acceptable tree with enough files in it.
                for dir in Self.ancestors(of: path) where (counts[dir] ?? 0) >= threshold && collapsible(dir) {
                    patterns.insert(dir + "/**")
                    break
                }
            }
        }
        let globs = patterns.compactMap { try? Glob($0) }
        var out = patterns
        for path in literals where !globs.contains(where: { $0.matches(path) }) { out.insert(path) }
        // A tree inside another tree adds nothing.
        let trees = out.filter { $0.hasSuffix("/**") && !$0.dropLast(3).contains("*") }
        for tree in trees {
            let root = String(tree.dropLast(3))
            if trees.contains(where: { $0 != tree && root.hasPrefix(String($0.dropLast(2))) }) { out.remove(tree) }
        }
        return out.sorted()
    }

    /// A directory may become `dir/**` when it is below the broad roots, not in /proc or
    /// /dev (per-process and device files are listed one by one), and holds no secret.
    static func mayBeTree(_ dir: String) -> Bool {
        if broadDirectories.contains(dir) { return false }
        if dir.hasPrefix("/proc/") || dir.hasPrefix("/dev/") { return false }
        if dir.split(separator: "/").count < 2 { return false }
        return !SensitivePaths.treeHoldsSecret(dir)
    }

    /// Parent directories of `path`, shallowest first, excluding `/`.
    static func ancestors(of path: String) -> [String] {
        var out: [String] = []
        var current = ""
        let segments = path.split(separator: "/")
        for segment in segments.dropLast() {
            current += "/" + segment
            out.append(current)
        }
        return out
    }

    /// Names that differ from run to run, as a glob: `/proc/1234/stat` → `/proc/*/stat`,
    /// `/proc/self/task/77/comm` → `/proc/self/task/*/comm`, `/dev/pts/3` → `/dev/pts/*`,
    /// byte-code caches → `…/__pycache__/**`. Nil when the path is kept as it is.
    static func perRunPattern(_ path: String) -> String? {
        // Most paths are none of these: decide that without splitting.
        guard path.hasPrefix("/proc/") || path.hasPrefix("/dev/pts/") || path.contains("/__pycache__") else { return nil }
        var segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if let cache = segments.firstIndex(of: "__pycache__") {
            let dir = "/" + segments[...cache].joined(separator: "/")
            if !SensitivePaths.treeHoldsSecret(dir) { return dir + "/**" }
        }
        var changed = false
        let numeric = { (s: String) in !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber } }
        if segments.first == "proc" {
            // /proc/PID/… and /proc/PID/task/TID/…
            for i in segments.indices.dropFirst() where numeric(segments[i]) && (i == 1 || segments[i - 1] == "task") {
                segments[i] = "*"
                changed = true
            }
        } else if segments.count == 3, segments[0] == "dev", segments[1] == "pts", numeric(segments[2]) {
            segments[2] = "*"
            changed = true
        }
        return changed ? "/" + segments.joined(separator: "/") : nil
    }
}

extension PathGeneralizer {
    /// The scratch directories with a file written below them.
    public static func scratchRoots<S: Sequence>(writtenIn paths: S) -> Set<String> where S.Element == String {
        var roots = Set<String>()
        for path in paths {
            for root in scratchDirectories where path.hasPrefix(root + "/") { roots.insert(root) }
        }
        return roots
    }
}
