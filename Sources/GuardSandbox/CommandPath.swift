import Glibc

/// Finds the file to execute the way a shell does: a name with a slash is used as is,
/// anything else is searched in PATH. Done in the parent: execvp is not async-signal-safe.
enum CommandPath {
    static func resolve(_ command: String, path: String?) throws(LaunchError) -> String {
        if command.isEmpty { throw LaunchError(exitStatus: 127, message: "guard: empty command") }
        if command.contains("/") { return command }
        let search = path ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        var foundButNotExecutable: String?
        for dir in search.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + command
            var st = stat()
            guard stat(candidate, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            if access(candidate, X_OK) == 0 { return candidate }
            foundButNotExecutable = foundButNotExecutable ?? candidate
        }
        if let foundButNotExecutable {
            throw LaunchError(exitStatus: 126, message: "guard: \(foundButNotExecutable): permission denied")
        }
        throw LaunchError(exitStatus: 127, message: "guard: \(command): command not found")
    }
}
