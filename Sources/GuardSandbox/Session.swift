import CGuardSys
import Glibc
import GuardJSON
import GuardPolicy
import GuardReport

/// One supervised run of a command: compile, launch, supervise, report. `guard run` and
/// `guard bootstrap` both go through here.
public struct Session {
    public var command: [String]
    public var environment: [String]
    public var policy: EffectivePolicy
    public var policySource: String
    public var mode: SupervisorMode
    public var requestID: @Sendable () -> String?
    /// True for the `guard` executable: it is PID 1 or a subreaper, reaps every orphan and
    /// kills every leftover descendant. False when embedded (tests, other programs).
    public var ownsProcess = true

    public init(
        command: [String], environment: [String], policy: EffectivePolicy, policySource: String,
        mode: SupervisorMode, requestID: @escaping @Sendable () -> String? = { nil }
    ) {
        self.command = command
        self.environment = environment
        self.policy = policy
        self.policySource = policySource
        self.mode = mode
        self.requestID = requestID
    }

    /// Runs to completion and returns guard's exit status. Signals must already be blocked
    /// (`SignalRelay.blockSignals()`, first thing in main) so every thread inherits the mask.
    public func run(reporter: Reporter) -> Int32 {
        run(reporter: reporter, recording: false).status
    }

    /// Runs the command with every syscall recorded (`guard profile`); the program runs
    /// exactly as it would unsupervised. Returns the exit status and what it did.
    public func record(reporter: Reporter) -> (status: Int32, observation: Observation) {
        run(reporter: reporter, recording: true)
    }

    func run(reporter: Reporter, recording: Bool) -> (status: Int32, observation: Observation) {
        var observation = Observation()
        observation.command = command
        let plan: FilterPlan
        do {
            plan = recording ? try FilterCompiler.compileRecording() : try FilterCompiler.compile(policy, mode: mode)
        } catch {
            printError("guard: \(error)")
            observation.exitStatus = 125
            return (125, observation)
        }
        // Orphans come back to the guard, which reaps them (PID 1 already is a reaper).
        if ownsProcess && getpid() != 1 { _ = guard_set_child_subreaper() }
        let signalFD = SignalRelay.makeSignalFD()
        defer { close(signalFD) }

        let child: LaunchedChild
        do {
            child = try Launcher.launch(command: command, environment: environment, plan: plan, process: policy.process)
        } catch {
            printError(error.message)
            observation.exitStatus = error.exitStatus
            return (error.exitStatus, observation)
        }
        reporter.submit(
            Report(
                event: .start, function: policy.function, pid: child.pid,
                extra: [
                    ("command", .array(command.map(JSONValue.string))), ("mode", .string(policy.mode.rawValue)),
                    ("policy", .string(policySource)), ("supervisor", .string(plan.usesNotify ? "notify" : "none")),
                ]))
        let supervisor = Supervisor(
            plan: plan, policy: policy, reporter: reporter, child: child, signalFD: signalFD, requestID: requestID,
            recording: recording, ownsProcess: ownsProcess)
        let outcome = supervisor.run()
        let recorded = supervisor.observation
        observation.merge(recorded)
        observation.exitStatus = outcome.exitStatus
        if case .failedToStart(let error) = outcome { printError(error.message) }
        var extra: [(key: String, value: JSONValue)] = [("status", .int(Int64(outcome.exitStatus)))]
        if case .signaled(let sig) = outcome { extra.append(("signal", .int(Int64(sig)))) }
        reporter.submit(Report(event: .exit, function: policy.function, pid: child.pid, extra: extra))
        return (outcome.exitStatus, observation)
    }
}

/// Writes a line to stderr without stdio (stdout may belong to the program).
public func printError(_ message: String) {
    var line = message
    if !line.hasSuffix("\n") { line += "\n" }
    let bytes = Array(line.utf8)
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return }
        offset += n
    }
}
