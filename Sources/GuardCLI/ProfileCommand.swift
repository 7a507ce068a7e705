import Glibc
import GuardJSON
import GuardPolicy
import GuardProfile
import GuardSandbox

/// `guard profile [options] [-o FILE] [--seccomp FILE] [--merge FILE...] -- COMMAND [ARG...]`:
/// record what COMMAND does and write a least-privilege guard policy and, on request, an
/// OCI seccomp profile.
enum ProfileCommand {
    static let help = """
        usage: guard profile [options] [-o FILE] [--seccomp FILE] [--merge FILE...] -- COMMAND [ARG...]
               guard profile --merge FILE... [-o FILE] [--seccomp FILE]

        Run COMMAND with every syscall, file, exec and address it uses recorded (its input,
        output and exit status unchanged), then write a policy that allows exactly that:
        unlisted syscalls fail with ENOSYS, other files, execs and addresses are violations,
        secrets it did not touch are denied. Exit status: the command's own (as `guard run`);
        with no COMMAND, 0, or 2 on an error.

          -o, --output FILE          write the guard policy to FILE (default: stdout)
          --seccomp FILE             also write an OCI/Docker seccomp profile (runc, crun,
                                     docker/podman --security-opt seccomp=FILE, Kubernetes Localhost)
          --merge FILE...            fold in earlier policies written by guard profile (every word up
                                     to the next option or --); with no COMMAND, only merge them
        options:
        \(CommonOptions.help)
        """

    struct Options {
        var common = CommonOptions()
        var output: String?
        var seccomp: String?
        var merge: [String] = []
        var command: [String] = []
    }

    static func main(_ arguments: ArraySlice<String>) -> Int32 {
        // Before any thread exists, so every thread inherits the mask (as for run).
        SignalRelay.blockSignals()
        let options: Options
        do {
            guard let parsed = try parse(arguments) else { return 0 }
            options = parsed
        } catch {
            printError("guard profile: \(error.message)\n\n\(help)")
            return arguments.contains("--") ? 125 : 2
        }
        let failure: Int32 = options.command.isEmpty ? 2 : 125

        // Earlier recordings first: a bad file must stop us before the workload runs.
        var merged: Recording?
        for path in options.merge {
            do {
                let earlier = try Recording.load(path: path)
                if merged == nil { merged = earlier } else { merged!.merge(earlier) }
            } catch {
                printError("guard profile: --merge \(path): \(error)")
                return failure
            }
        }

        var status: Int32 = 0
        if !options.command.isEmpty {
            guard let (policy, source) = PolicyLoading.load(options.common) else { return 125 }
            guard let reporter = RunCommand.makeReporter(options.common, function: policy.function) else { return 125 }
            let session = Session(
                command: options.command, environment: RunCommand.currentEnvironment(), policy: policy,
                policySource: source, mode: .notify)
            let (exitStatus, observation) = session.record(reporter: reporter)
            reporter.finish()
            status = exitStatus
            // Nothing ran (not found, not executable, guard failed): nothing to write.
            if exitStatus >= 125 && observation.syscalls.isEmpty { return exitStatus }
            var recording = Recording(observation)
            if let earlier = merged {
                recording.merge(earlier)
            }
            merged = recording
        }
        guard let recording = merged else {
            printError("guard profile: nothing to write: give a COMMAND or --merge FILE...")
            return 2
        }
        if !write(recording, options) { return failure }
        return status
    }

    /// Writes the policy (and the OCI profile) and a one-line summary on stderr.
    static func write(_ recording: Recording, _ options: Options) -> Bool {
        let (policy, notes) = PolicyEmitter(guardVersion: GuardVersion.string).emit(recording)
        let text = policy.prettyPrinted() + "\n"
        if let path = options.output {
            if let error = writeFile(path, text) {
                printError("guard profile: cannot write \(path): \(error)")
                return false
            }
        } else {
            writeAll(1, text)
        }
        var summary = "guard profile: \(recording.runs) run\(recording.runs == 1 ? "" : "s"); "
        let allowed = policy["defaults"]?["syscalls"]?["allow"]?.arrayValue?.count ?? 0
        let reads = policy["defaults"]?["files"]?["read"]?.arrayValue?.count ?? 0
        summary += "policy: \(allowed) syscalls, \(recording.observation.filesRead.count) files read as \(reads) rules"
        if let path = options.seccomp {
            let profile = SeccompProfileEmitter.profile(for: recording)
            if let error = writeFile(path, profile.prettyPrinted() + "\n") {
                printError("guard profile: cannot write \(path): \(error)")
                return false
            }
            summary += "; OCI seccomp profile \(path): \(SeccompProfileEmitter.allowedSyscalls(recording).count) syscalls allowed"
        }
        printError(summary)
        if !notes.droppedSyscalls.isEmpty {
            printError("guard profile: left out syscalls libseccomp does not know: \(notes.droppedSyscalls.joined(separator: ", "))")
        }
        if !notes.droppedAddresses.isEmpty {
            printError("guard profile: left out addresses no rule can express: \(notes.droppedAddresses.joined(separator: ", "))")
        }
        return true
    }

    /// nil when help was asked for.
    static func parse(_ arguments: ArraySlice<String>) throws(UsageError) -> Options? {
        var options = Options()
        var common = CommonOptions()
        var output: String?
        var seccomp: String?
        var merge: [String] = []
        let command = try parseCommandLine(arguments, options: &common, help: help) { (cursor) throws(UsageError) -> Bool in
            switch cursor.flag {
            case "-o", "--output": output = try cursor.value()
            case "--seccomp": seccomp = try cursor.value()
            case "--merge":
                merge.append(try cursor.value())
                // Every following word up to the next option or `--`.
                while let next = cursor.remaining.first, !next.hasPrefix("-") {
                    cursor.advance()
                    merge.append(cursor.current)
                }
            default: return false
            }
            return true
        }
        guard let command else { return nil }
        guard !command.isEmpty || !merge.isEmpty else { throw UsageError(message: "missing COMMAND") }
        options.common = common
        options.output = output
        options.seccomp = seccomp
        options.merge = merge
        options.command = command
        return options
    }

    /// Returns nil or the error's text.
    static func writeFile(_ path: String, _ text: String) -> String? {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd) }
        return writeAll(fd, text) ? nil : String(cString: strerror(errno))
    }

    @discardableResult
    static func writeAll(_ fd: Int32, _ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}
