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
        let dirSegments = directory.split(separator: "/")
        let globSegments = glob.split(separator: "/")
        for (i, segment) in dirSegments.enumerated() {
            guard i < globSegments.count else { return false }
            let pattern = globSegments[i]
            if pattern.contains("**") { return true }
            guard let one = try? Glob("/" + pattern), one.matches("/" + segment) else { return false }
        }
        return true
    }

    /// Does any located secret lie at or below `directory`?
    public static func treeHoldsSecret(_ directory: String) -> Bool {
        located.contains { overlaps(tree: directory, glob: $0) }
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
