import Glibc
import GuardPolicy
import GuardReport
import GuardSandbox

/// `guard run [options] -- COMMAND [ARG...]`: the container ENTRYPOINT wrapper.
enum RunCommand {
    static let help = """
        usage: guard run [options] -- COMMAND [ARG...]

        Launch COMMAND under the policy's seccomp filter and supervise it. Exit status: the
        command's own; 128+N if it died of signal N; 125 guard failed before it started; 126
        not executable; 127 not found.

        options:
        \(CommonOptions.help)
        """

    static func main(_ arguments: ArraySlice<String>) -> Int32 {
        // Before any thread exists, so every thread inherits the mask (PID 1 duties).
        SignalRelay.blockSignals()
        let parsed: (CommonOptions, [String])
        do {
            guard let p = try parse(arguments, help: help) else { return 0 }
            parsed = p
        } catch {
            printError("guard run: \(error.message)\n\n\(help)")
            return 125
        }
        let (options, command) = parsed
        guard let (policy, source) = PolicyLoading.load(options) else { return 125 }
        guard let reporter = makeReporter(options, function: policy.function) else { return 125 }
        let session = Session(
            command: command, environment: currentEnvironment(), policy: policy, policySource: source,
            mode: options.supervisor)
        let status = session.run(reporter: reporter)
        reporter.finish()
        return status
    }

    /// Splits `[options] -- COMMAND...`; nil when help was asked for.
    static func parse(_ arguments: ArraySlice<String>, help: String) throws(UsageError) -> (CommonOptions, [String])? {
        var options = CommonOptions()
        guard let command = try parseCommandLine(arguments, options: &options, help: help) else { return nil }
        guard !command.isEmpty else { throw UsageError(message: "missing COMMAND") }
        return (options, command)
    }

    static func makeReporter(_ options: CommonOptions, function: String) -> Reporter? {
        do {
            let destination = try ReportDestination.parse(options.report)
            return try Reporter(destination: destination, format: options.reportFormat, function: function)
        } catch {
            printError("guard: \(error)")
            return nil
        }
    }

    static func currentEnvironment() -> [String] {
        var out: [String] = []
        var p = environ
        while let entry = p.pointee {
            out.append(String(cString: entry))
            p += 1
        }
        return out
    }
}
