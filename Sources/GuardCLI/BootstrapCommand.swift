import Glibc
import GuardInspect
import GuardPolicy
import GuardReport
import GuardRuntimeAPI
import GuardSandbox

/// `guard bootstrap [options] -- COMMAND`: the FaaS bootstrap. A Lambda Runtime API proxy on
/// loopback inspects every invocation before the runtime client sees it; COMMAND (the
/// runtime client) runs under the function's policy exactly as with `guard run`.
enum BootstrapCommand {
    static let help = """
        usage: guard bootstrap [options] -- COMMAND [ARG...]

        Proxy the Lambda Runtime API ($AWS_LAMBDA_RUNTIME_API) on loopback, inspect each
        invocation with the function's `payload` policy (block: the invocation is answered
        with an error upstream and never reaches the handler), and run COMMAND under the
        policy with AWS_LAMBDA_RUNTIME_API pointing at the proxy.

        options:
        \(CommonOptions.help)
          --listen HOST:PORT         where the proxy listens (default 127.0.0.1:0, an ephemeral port)
        """

    static func main(_ arguments: ArraySlice<String>) -> Int32 {
        SignalRelay.blockSignals()
        var options = CommonOptions()
        var listenHost = "127.0.0.1"
        var listenPort: UInt16 = 0
        let command: [String]
        do throws(UsageError) {
            let parsed = try parseCommandLine(arguments, options: &options, help: help) { (cursor) throws(UsageError) -> Bool in
                guard cursor.flag == "--listen" else { return false }
                let value = try cursor.value()
                guard let (host, port) = ProxyConfiguration.splitHostPort(value) else {
                    throw UsageError(message: "--listen takes HOST:PORT or [V6]:PORT, not '\(value)'")
                }
                (listenHost, listenPort) = (host, port)
                return true
            }
            guard let parsed else { return 0 }
            if parsed.isEmpty { throw UsageError(message: "missing COMMAND") }
            command = parsed
        } catch {
            printError("guard bootstrap: \(error.message)\n\n\(help)")
            return 125
        }
        guard let upstream = getenv("AWS_LAMBDA_RUNTIME_API").map({ String(cString: $0) }), !upstream.isEmpty else {
            printError("guard bootstrap: AWS_LAMBDA_RUNTIME_API is not set (where is the Runtime API?)")
            return 125
        }
        guard let (policy, source) = PolicyLoading.load(options) else { return 125 }
        guard let reporter = RunCommand.makeReporter(options, function: policy.function) else { return 125 }

        var configuration = ProxyConfiguration(upstream: upstream)
        configuration.listenHost = listenHost
        configuration.listenPort = listenPort
        let proxy = RuntimeAPIProxy(
            configuration: configuration, inspect: makeInspection(policy: policy, reporter: reporter),
            onEvent: { event in
                switch event {
                case .upstreamError(let message), .clientError(let message): printError("guard bootstrap: \(message)")
                case .rejected(let id, let type, let message): printError("guard bootstrap: \(id): \(type): \(message)")
                default: break
                }
            })
        let port: UInt16
        do {
            port = try proxy.start()
        } catch {
            printError("guard bootstrap: \(error)")
            reporter.finish()
            return 125
        }
        var environment = RunCommand.currentEnvironment().filter { !$0.hasPrefix("AWS_LAMBDA_RUNTIME_API=") }
        let host = listenHost.contains(":") ? "[\(listenHost)]" : listenHost
        environment.append("AWS_LAMBDA_RUNTIME_API=\(host):\(port)")
        let session = Session(
            command: command, environment: environment, policy: policy, policySource: source, mode: options.supervisor,
            requestID: { proxy.currentRequestID })
        let status = session.run(reporter: reporter)
        proxy.stop()
        reporter.finish()
        return status
    }

    /// The proxy's inspection: the function's `payload` rules through GuardInspect. Findings
    /// are reported with the request id; `block` answers the invocation with an error.
    static func makeInspection(policy: EffectivePolicy, reporter: Reporter) -> RuntimeAPIProxy.Inspection {
        guard let payload = policy.payload, payload.inspect else { return { _, _ in .forward } }
        let detectors = Set(payload.detectors.compactMap(DetectorClass.init(rawValue:)))
        let inspector = Inspector(detectors: detectors)
        let blocking = policy.mode == .enforce && payload.action == .block
        let function = policy.function
        return { requestID, event in
            let result = inspector.inspect(event: event)
            if !result.isComplete && result.findings.isEmpty {
                // Too deep, too large or over budget: what was not inspected is not forwarded.
                guard blocking else { return .forward }
                return .block(errorType: "Guard.PayloadUninspectable", message: "invocation not inspectable: \(result.error ?? "")")
            }
            guard result.isBlocking else { return .forward }
            for finding in result.findings {
                reporter.submit(
                    Report(
                        event: .violation, function: function, category: .payload,
                        action: blocking ? .blocked : .audited, rule: "payload.\(finding.detectorClass.rawValue)",
                        severity: .high,
                        payload: PayloadFinding(
                            detectorClass: finding.detectorClass.rawValue, location: finding.location,
                            evidence: finding.evidence),
                        requestID: requestID))
            }
            guard blocking else { return .forward }
            let classes = Set(result.findings.map(\.detectorClass.rawValue)).sorted().joined(separator: ", ")
            return .block(errorType: "Guard.PayloadBlocked", message: "invocation blocked by guard: \(classes) detected")
        }
    }
}
