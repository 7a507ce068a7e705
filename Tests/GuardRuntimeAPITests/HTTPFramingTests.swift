import Glibc
import Testing

@testable import GuardRuntimeAPI

/// The HTTP/1.1 pieces on their own: head parsing, framing rules, and body forwarding over a
/// socket pair.
@Suite(.timeLimit(.minutes(1)))
struct HTTPFramingTests {
    func head(_ text: String) -> HTTPHead? {
        Array(text.utf8).withUnsafeBytes { HTTPHead.parse($0) }
    }

    @Test func parsesHeadsWithCRLFOrLF() throws {
        let h = try #require(head("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\nX-A:  v 1 \r\n"))
        #expect(h.method == "GET" && h.target == "/2018-06-01/runtime/invocation/next" && h.third == "HTTP/1.1")
        #expect(h.value("x-a") == "v 1" && h.value("HOST") == "x")
        let r = try #require(head("HTTP/1.1 202 Accepted\nContent-Length: 3\n"))
        #expect(r.status == 202 && r.third == "Accepted")
    }

    @Test func refusesFoldedOrNamelessFields() {
        #expect(head("GET / HTTP/1.1\r\nX-A: a\r\n  folded\r\n") == nil)
        #expect(head("GET / HTTP/1.1\r\nno colon here\r\n") == nil)
        #expect(head("GET / HTTP/1.1\r\nBad Name: v\r\n") == nil)
    }

    @Test func framingFollowsRFC9112() throws {
        let chunkedAndLength = try #require(
            head("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n"))
        #expect(BodyFraming.ofRequest(chunkedAndLength) == .chunked)
        #expect(BodyFraming.ofRequest(try #require(head("POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n"))) == nil)
        #expect(BodyFraming.ofRequest(try #require(head("POST / HTTP/1.1\r\nContent-Length: -1\r\n"))) == nil)
        #expect(BodyFraming.ofRequest(try #require(head("POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n"))) == .length(5))
        #expect(BodyFraming.ofRequest(try #require(head("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n"))) == nil)
        #expect(BodyFraming.ofRequest(try #require(head("GET / HTTP/1.1\r\n"))) == BodyFraming.none)
        let noContent = try #require(head("HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n"))
        #expect(BodyFraming.ofResponse(noContent, method: "POST") == BodyFraming.none)
        #expect(BodyFraming.ofResponse(try #require(head("HTTP/1.1 200 OK\r\n")), method: "GET") == .untilClose)
    }

    @Test func hopByHopFieldsStayOnTheirHop() throws {
        let h = try #require(
            head(
                "POST / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Private\r\nX-Private: p\r\nKeep-Alive: 5\r\n"
                    + "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\nTrailer: Lambda-Runtime-Function-Error-Type\r\n"
                    + "Lambda-Runtime-Function-Response-Mode: streaming\r\n"))
        #expect(h.endToEndFields().map(\.name) == ["Trailer", "Lambda-Runtime-Function-Response-Mode"])
    }

    /// A connected pair of stream sockets.
    func pair() -> (Socket, Socket) {
        var fds: [Int32] = [0, 0]
        socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds)
        return (Socket(fd: fds[0]), Socket(fd: fds[1]))
    }

    func drain(_ s: Socket) -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while let n = try? buffer.withUnsafeMutableBytes({ try s.receive(into: $0, timeout: 200) }), n > 0 {
            out.append(contentsOf: buffer[0..<n])
        }
        return out
    }

    @Test func forwardsChunkedBodiesWithTrailersByteForByte() throws {
        let (srcWrite, srcRead) = pair()
        let (dstWrite, dstRead) = pair()
        defer { [srcWrite, srcRead, dstWrite, dstRead].forEach { $0.close() } }
        let wire =
            "5;ext=1\r\nhello\r\n1a\r\n abcdefghijklmnopqrstuvwxy\r\n0\r\nLambda-Runtime-Function-Error-Type: X\r\n\r\nNEXT"
        try srcWrite.send(Array(wire.utf8))
        let stream = HTTPStream(srcRead, capacity: 1024)
        let n = try stream.forwardBody(.chunked, to: dstWrite, pending: Array("HEAD\r\n\r\n".utf8), timeout: 1000)
        #expect(n == 31)
        let expected =
            "HEAD\r\n\r\n5\r\nhello\r\n1a\r\n abcdefghijklmnopqrstuvwxy\r\n0\r\nLambda-Runtime-Function-Error-Type: X\r\n\r\n"
        #expect(String(decoding: drain(dstRead), as: UTF8.self) == expected)
        #expect(stream.buffered == 4)  // the next message stays for the next read
    }

    @Test func bodyAndHeadLimitsHold() throws {
        let (w, r) = pair()
        defer { w.close(); r.close() }
        try w.send(Array("4\r\nabcd\r\n4\r\nefgh\r\n0\r\n\r\n".utf8))
        let stream = HTTPStream(r, capacity: 1024)
        #expect(throws: HTTPFailure.self) { try stream.readBody(.chunked, limit: 6, timeout: 1000) }
        let (w2, r2) = pair()
        defer { w2.close(); r2.close() }
        try w2.send(Array(("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 3000) + "\r\n\r\n").utf8))
        let s2 = HTTPStream(r2, capacity: 1024)
        #expect(throws: HTTPFailure.self) { try s2.readHead(limit: 1024, timeout: 1000) }
    }

    @Test func timesOutOnAStalledBody() throws {
        let (w, r) = pair()
        defer { w.close(); r.close() }
        try w.send(Array("abc".utf8))
        let stream = HTTPStream(r, capacity: 1024)
        do {
            _ = try stream.readBody(.length(10), limit: 100, timeout: 100)
            Issue.record("expected a timeout")
        } catch {
            guard case .read(.timedOut) = error else { Issue.record("unexpected \(error)"); return }
        }
    }
}
