import Foundation
import GuardRuntimeAPI
import Testing

/// A stand-in for `guard bootstrap` until the CLI wires it: with `GUARD_RTAPI_RUN` set to a
/// shell command, starts the proxy in front of `$AWS_LAMBDA_RUNTIME_API`, runs the command
/// with `AWS_LAMBDA_RUNTIME_API` pointing at the proxy, and returns when it exits. Used by
/// Benchmarks/runtime-api/bench.py; proxy events go to stderr when `GUARD_RTAPI_VERBOSE` is set.
@Test(.enabled(if: ProcessInfo.processInfo.environment["GUARD_RTAPI_RUN"] != nil))
func runCommandBehindProxy() throws {
    let env = ProcessInfo.processInfo.environment
    let command = try #require(env["GUARD_RTAPI_RUN"])
    let upstream = try #require(env["AWS_LAMBDA_RUNTIME_API"])
    let verbose = env["GUARD_RTAPI_VERBOSE"] != nil
    let proxy = RuntimeAPIProxy(
        configuration: ProxyConfiguration(upstream: upstream),
        inspect: { _, _ in .forward },
        onEvent: { event in
            if verbose { FileHandle.standardError.write(Data("proxy: \(event)\n".utf8)) }
        })
    let port = try proxy.start()
    defer { proxy.stop() }
    let child = Process()
    child.executableURL = URL(fileURLWithPath: "/bin/sh")
    child.arguments = ["-c", command]
    var childEnv = env
    childEnv["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:\(port)"
    childEnv["GUARD_RTAPI_RUN"] = nil
    child.environment = childEnv
    try child.run()
    child.waitUntilExit()
    #expect(child.terminationStatus == 0)
}
