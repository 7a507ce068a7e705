import Foundation
import GuardJSON
import Testing

@testable import GuardReport

/// Real descriptors and files for the sink tests; no mocks.
enum TestSupport {
    /// A fresh directory under /tmp, short enough for unix socket paths.
    static func temporaryDirectory() throws -> String {
        var template = Array("/tmp/guard-report-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        #expect(made != nil)
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A close-on-exec pipe: (read end, write end).
    static func makePipe() -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        let rc = pipe(&fds)
        #expect(rc == 0)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    static func setNonBlocking(_ fd: Int32, _ on: Bool) {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK)
    }

    /// Everything readable from `fd` right now, without waiting.
    static func drain(_ fd: Int32) -> [UInt8] {
        setNonBlocking(fd, true)
        return readToEnd(fd)
    }

    /// Reads `fd` until end of file (or, non-blocking, until nothing is left).
    static func readToEnd(_ fd: Int32) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            result += buffer[0..<n]
        }
        return result
    }

    /// Splits JSON Lines and parses every line; a line that is not JSON fails the test.
    static func parseLines(_ bytes: [UInt8]) throws -> [JSONValue] {
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.isEmpty || text.hasSuffix("\n"), "last line not terminated")
        return try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    static func readLines(path: String) throws -> [JSONValue] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try parseLines([UInt8](data))
    }

    /// A bound unix datagram socket that receives without waiting.
    static func bindDatagramSocket(path: String) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #expect(fd >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(rc == 0)
        setNonBlocking(fd, true)
        return fd
    }

    /// Every datagram waiting on `fd`.
    static func receiveAll(_ fd: Int32) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n < 0 { break }
            result.append(Array(buffer[0..<n]))
        }
        return result
    }

    static func keys(_ value: JSONValue) -> [String] {
        value.objectValue?.map(\.key) ?? []
    }

    static func violation(
        path: String = "/etc/shadow", category: ReportCategory = .file, action: ReportAction = .denied
    ) -> Report {
        Report(
            event: .violation, function: "orders-api", category: category, action: action, rule: "files.deny",
            severity: .high, pid: 4242, exe: "/usr/bin/python3", syscall: "openat", path: path)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    static let timePattern = #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$"#

    static func isReportTime(_ text: String?) -> Bool {
        guard let text else { return false }
        return text.range(of: timePattern, options: .regularExpression) != nil
    }
}
