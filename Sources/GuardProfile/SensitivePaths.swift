import GuardPolicy

/// Paths that hold secrets. A recorded policy never widens a rule into one of them, and
/// denies every one the workload was not seen to touch (`files.deny` wins over the allow
/// lists, so the deny list also covers secrets that an allow glob written by hand, or
/// merged from elsewhere, might reach).
public enum SensitivePaths {
    /// Secrets at known places. An allow glob is never generalized into a tree that could
    /// contain one of these.
    public static let located: [String] = [
        "/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-",
        "/etc/sudoers", "/etc/sudoers.d/**", "/etc/security/opasswd",
        "/etc/ssh/ssh_host_*_key", "/etc/ssl/private/**", "/etc/pki/tls/private/**", "/etc/krb5.keytab",
        "/etc/kubernetes/pki/**", "/etc/docker/key.json",
        "/root/**",
        "/home/*/.ssh/**", "/home/*/.gnupg/**", "/home/*/.aws/**", "/home/*/.azure/**", "/home/*/.kube/**",
        "/home/*/.docker/config.json", "/home/*/.config/gcloud/**", "/home/*/.netrc", "/home/*/.pgpass",
        "/home/*/.git-credentials",
        "/proc/*/environ", "/proc/*/mem", "/proc/kcore", "/dev/mem", "/dev/kmem", "/dev/port",
        "/var/run/secrets/**", "/run/secrets/**", "/var/lib/kubelet/pki/**",
    ]

    /// Secrets recognized by name wherever they are (private keys). These match inside any
    /// tree, so they cannot block generalization; they are enforced by the deny list.
    public static let anywhere: [String] = [
        "/**/id_rsa", "/**/id_dsa", "/**/id_ecdsa", "/**/id_ed25519", "/**/*.key",
    ]

    public static var all: [String] { located + anywhere }

    /// Could a path at or below `directory` match `glob`? Conservative: a `**` segment in
    /// the glob before the directory ends counts as an overlap.
    public static func overlaps(tree directory: String, glob: String) -> Bool {
        overlaps(directory.split(separator: "/"), Pattern(glob))
    }

    /// Does any located secret lie at or below `directory`?
    public static func treeHoldsSecret(_ directory: String) -> Bool {
        let segments = directory.split(separator: "/")
        return locatedPatterns.contains { overlaps(segments, $0) }
    }

    /// A glob split into segments once, each literal or a one-segment glob.
    struct Pattern: Sendable {
        enum Segment: Sendable {
            case literal(Substring)
            case glob(Glob)
            case any
        }
        var segments: [Segment]

        init(_ text: String) {
            segments = text.split(separator: "/").map { s in
                if s.contains("**") { return .any }
                if s.contains("*") || s.contains("?"), let g = try? Glob("/" + s) { return .glob(g) }
                return .literal(s)
            }
        }
    }

    static let locatedPatterns = located.map(Pattern.init)

    static func overlaps(_ directory: [Substring], _ pattern: Pattern) -> Bool {
        for (i, segment) in directory.enumerated() {
            guard i < pattern.segments.count else { return false }
            switch pattern.segments[i] {
            case .any: return true
            case .literal(let l): if l != segment { return false }
            case .glob(let g): if !g.matches("/" + segment) { return false }
            }
        }
        return true
    }

    /// The deny list for a recording: every secret none of whose paths was observed.
    public static func denyList(observed: [String]) -> [String] {
        let literal = observed.filter { !$0.contains("*") }
        return all.filter { secret in
            guard let glob = try? Glob(secret) else { return false }
            return !literal.contains(where: glob.matches)
        }
    }
}
