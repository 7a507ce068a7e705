import Foundation
import GuardRuntimeAPI
import Testing

/// Starting, refusing bad configurations, and stopping without leaking threads or descriptors.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct ProxyLifecycleTests {
    /// TCP sockets this process holds whose local port is `local` or remote port is `remote`
    /// (from /proc/net/tcp, so that other suites running in parallel do not count).
    func sockets(local: Int, remote: Int) -> Int {
        let fm = FileManager.default
        let inodes = Set(
            ((try? fm.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { fd -> String? in
                let link = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")) ?? ""
                guard link.hasPrefix("socket:[") else { return nil }
                return String(link.dropFirst(8).dropLast())
            })
        // Read to the end: procfs reports a size of 0, and the table spans many pages.
        let data = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/net/tcp")).readToEnd()) ?? nil
        let table = String(decoding: data ?? Data(), as: UTF8.self)
        return table.split(separator: "\n").dropFirst().filter { line in
            let f = line.split(separator: " ")
            guard f.count > 9, inodes.contains(String(f[9])) else { return false }
            let localPort = Int(f[1].split(separator: ":")[1], radix: 16) ?? -1
            let remotePort = Int(f[2].split(separator: ":")[1], radix: 16) ?? -1
            return localPort == local || remotePort == remote
        }.count
    }

    func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = UInt16(port).bigEndian
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    @Test func refusesBadConfigurations() {
        let noPort = RuntimeAPIProxy(
            configuration: ProxyConfiguration(upstream: "127.0.0.1"), inspect: { _, _ in .forward })
        #expect(throws: ProxyError.self) { try noPort.start() }
        var badHost = ProxyConfiguration(upstream: "127.0.0.1:9001")
        badHost.listenHost = "localhost"
        do {
            _ = try RuntimeAPIProxy(configuration: badHost, inspect: { _, _ in .forward }).start()
            Issue.record("expected invalidListenAddress")
        } catch {
            #expect(error.code == .invalidListenAddress)
        }
        let twice = RuntimeAPIProxy(
            configuration: ProxyConfiguration(upstream: "[::1]:9001"), inspect: { _, _ in .forward })
        #expect(throws: Never.self) { try twice.start() }
        do {
            _ = try twice.start()
            Issue.record("expected alreadyStarted")
        } catch {
            #expect(error.code == .alreadyStarted)
        }
        twice.stop()
    }

    @Test func stopClosesEveryConnectionAndDescriptor() throws {
        let id = "lifecycle-\(UUID().uuidString.prefix(8))"
        let upstream = try FakeRuntimeAPI(["events": [benignEvent(id)]])
        let events = EventLog()
        let (proxy, address) = try startProxy(upstream: upstream.address, events: events)
        // One invocation, then the client waits on `next` (nothing queued) until the proxy stops.
        let client = try startRuntimeClient(
            api: address, handler: "handler_app.handler", log: upstream.scratch.file("handler.log"))
        defer { client.kill() }
        #expect(upstream.waitFor("response").map(\.id) == [id])
        let proxyPort = Int(address.split(separator: ":").last!)!
        // The listener, the client's connection(s) and the upstream connection(s).
        _ = waitUntil(5) { sockets(local: proxyPort, remote: upstream.port) >= 3 }
        #expect(sockets(local: proxyPort, remote: upstream.port) >= 3)
        proxy.stop()
        // The runtime client sees its connection close: awslambdaric exits on a failed `next`.
        #expect(client.wait(10))
        #expect(waitUntil(5) { sockets(local: proxyPort, remote: upstream.port) == 0 })
        #expect(!canConnect(proxyPort))
    }
}
