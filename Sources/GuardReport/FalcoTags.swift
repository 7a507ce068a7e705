/// Falco-style tags for a report: "guard", a domain ("filesystem", "network", ...), and
/// where the behaviour matches one, MITRE ATT&CK tactic names ("mitre_credential_access")
/// and technique ids ("T1552.001"), as Falco's own rules tag them.
///
/// | category | behaviour | tags |
/// |---|---|---|
/// | syscall | escape calls (mount, unshare, setns, ptrace, bpf, ...) | T1611 mitre_privilege_escalation |
/// | syscall | ptrace, process_vm_readv/writev | also T1055.008 mitre_defense_evasion |
/// | file | credentials (/etc/shadow, ~/.ssh, ~/.aws, k8s tokens, ...) | T1552 T1552.001 mitre_credential_access |
/// | exec | any | T1059 mitre_execution (+ T1059.004 shells, T1059.006 python) |
/// | exec | curl, wget, nc, socat, ... | also T1105 mitre_command_and_control |
/// | network | cloud metadata (169.254.169.254, 169.254.170.2, fd00:ec2::254) | T1552.005 mitre_credential_access |
/// | network | container runtime sockets (docker.sock, containerd.sock, ...) | T1611 mitre_privilege_escalation |
/// | network | anything else | T1071 mitre_command_and_control |
/// | payload | any | T1190 mitre_initial_access |
public enum FalcoTags {
    static func tags(for report: Report) -> [String] {
        guard report.event == .violation else { return ["guard", "lifecycle"] }
        switch report.category {
        case .syscall: return ["guard", "syscall"] + syscallTags(report.syscall ?? "")
        case .file: return ["guard", "filesystem"] + fileTags(report.path ?? "")
        case .exec: return ["guard", "process"] + execTags(report.path ?? report.exe ?? "")
        case .network: return ["guard", "network"] + networkTags(report.address ?? "")
        case .payload: return ["guard", "payload", "mitre_initial_access", "T1190"]
        case .process: return ["guard", "process"]
        case nil: return ["guard"]
        }
    }

    /// Escape to the host (MITRE T1611).
    public static let escapeSyscalls: Set<String> = [
        "mount", "umount", "umount2", "unshare", "setns", "pivot_root", "chroot", "ptrace",
        "process_vm_readv", "process_vm_writev", "init_module", "finit_module", "delete_module",
        "kexec_load", "kexec_file_load", "bpf", "open_by_handle_at", "name_to_handle_at", "userfaultfd",
        "perf_event_open", "keyctl", "add_key", "request_key", "iopl", "ioperm", "swapon", "swapoff",
        "reboot", "fsopen", "fsmount", "fsconfig", "fspick", "move_mount", "open_tree", "mount_setattr",
    ]

    static func syscallTags(_ name: String) -> [String] {
        guard escapeSyscalls.contains(name) else { return [] }
        var tags = ["mitre_privilege_escalation", "T1611"]
        if name == "ptrace" || name.hasPrefix("process_vm_") {
            tags += ["mitre_defense_evasion", "T1055.008"]
        }
        return tags
    }

    static let credentialFiles: Set<String> = [
        "/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers",
        "/etc/security/opasswd", "/proc/self/environ",
    ]
    static let credentialPrefixes = [
        "/etc/sudoers.d/", "/root/.ssh/", "/var/run/secrets/", "/run/secrets/", "/etc/ssl/private/",
        "/etc/kubernetes/pki/",
    ]
    static let credentialParts = [
        "/.ssh/", "/.aws/", "/.kube/config", "/.docker/config.json", "/.netrc", "/.git-credentials",
        "/.pgpass", "/.gnupg/", "/.config/gcloud/", "/.azure/",
    ]

    static func isCredentialPath(_ path: String) -> Bool {
        if credentialFiles.contains(path) { return true }
        if credentialPrefixes.contains(where: { path.hasPrefix($0) }) { return true }
        if credentialParts.contains(where: { path.contains($0) }) { return true }
        return path.hasPrefix("/proc/") && path.hasSuffix("/environ")
    }

    static func fileTags(_ path: String) -> [String] {
        isCredentialPath(path) ? ["mitre_credential_access", "T1552", "T1552.001"] : []
    }

    static let shells: Set<String> = ["sh", "bash", "dash", "zsh", "ash", "ksh", "csh", "tcsh", "fish", "busybox"]
    static let transferTools: Set<String> = ["curl", "wget", "nc", "ncat", "netcat", "socat", "tftp", "scp", "ftp"]

    static func execTags(_ path: String) -> [String] {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        var tags = ["mitre_execution", "T1059"]
        if shells.contains(name) { tags.append("T1059.004") }
        if name.hasPrefix("python") { tags.append("T1059.006") }
        if transferTools.contains(name) { tags += ["mitre_command_and_control", "T1105"] }
        return tags
    }

    static let metadataAddresses = ["169.254.169.254:", "169.254.170.2:", "[fd00:ec2::254]:"]
    static let runtimeSockets = ["docker.sock", "containerd.sock", "crio.sock", "podman.sock", "kubelet.sock"]

    static func networkTags(_ address: String) -> [String] {
        if metadataAddresses.contains(where: { address.hasPrefix($0) }) {
            return ["mitre_credential_access", "T1552.005"]
        }
        if address.hasPrefix("unix:") {
            if runtimeSockets.contains(where: { address.hasSuffix($0) }) {
                return ["mitre_privilege_escalation", "T1611"]
            }
            return []
        }
        return ["mitre_command_and_control", "T1071"]
    }
}
