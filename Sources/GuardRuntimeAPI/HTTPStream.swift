import Glibc

/// Why an HTTP exchange on one hop failed.
enum HTTPFailure: Error {
    /// Reading from the message's source failed (or it closed early).
    case read(SocketFailure)
    /// Writing to the destination failed.
    case write(SocketFailure)
    /// The head exceeded the header limit.
    case headTooLarge
    /// The body exceeded the limit given for it.
    case bodyTooLarge
    /// The bytes are not HTTP/1.1 as RFC 9112 frames it.
    case malformed(String)

    var text: String {
        switch self {
        case .read(let f): return "read: \(f.text)"
        case .write(let f): return "write: \(f.text)"
        case .headTooLarge: return "header section too large"
        case .bodyTooLarge: return "body too large"
        case .malformed(let what): return "malformed HTTP: \(what)"
        }
    }
}

/// A socket with a read buffer: reads heads, chunk lines and bodies, and forwards bodies to
/// another socket as they arrive (chunk by chunk, trailers included), never holding more than
/// what one read returned.
final class HTTPStream {
    let socket: Socket
    private let storage: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0

    init(_ socket: Socket, capacity: Int) {
        self.socket = socket
        self.storage = .allocate(byteCount: max(capacity, 16 << 10), alignment: 16)
    }

    deinit { storage.deallocate() }

    var buffered: Int { end - start }

    /// Reads more bytes into the buffer. Returns false at EOF.
    private func fill(timeout: Int32) throws(HTTPFailure) -> Bool {
        if start == end {
            start = 0
            end = 0
        } else if end == storage.count {
            storage.baseAddress!.copyMemory(from: storage.baseAddress! + start, byteCount: end - start)
            end -= start
            start = 0
        }
        let free = UnsafeMutableRawBufferPointer(rebasing: storage[end...])
        let n: Int
        do { n = try socket.receive(into: free, timeout: timeout) } catch { throw .read(error) }
        end += n
        return n > 0
    }

    /// The next message head; nil when the peer closed cleanly before sending a byte of it.
    func readHead(limit: Int, timeout: Int32) throws(HTTPFailure) -> HTTPHead? {
        var scanned = 0
        var sawByte = false
        while true {
            // Empty lines before a message are ignored (RFC 9112 2.2).
            while start < end, storage[start] == 0x0D || storage[start] == 0x0A {
                start += 1
                scanned = 0
            }
            if start < end { sawByte = true }
            var i = start + max(0, scanned - 3)
            while i < end {
                if storage[i] == 0x0A {
                    // A blank line: LF LF or LF CR LF.
                    if i + 1 < end, storage[i + 1] == 0x0A {
                        return try takeHead(upTo: i + 1, skip: 1, limit: limit)
                    }
                    if i + 2 < end, storage[i + 1] == 0x0D, storage[i + 2] == 0x0A {
                        return try takeHead(upTo: i + 1, skip: 2, limit: limit)
                    }
                }
                i += 1
            }
            scanned = end - start
            if scanned > limit { throw .headTooLarge }
            if try !fill(timeout: timeout) {
                if !sawByte && start == end { return nil }
                throw .read(.closed)
            }
        }
    }

    private func takeHead(upTo headEnd: Int, skip: Int, limit: Int) throws(HTTPFailure) -> HTTPHead {
        if headEnd - start > limit { throw .headTooLarge }
        let bytes = UnsafeRawBufferPointer(rebasing: storage[start..<headEnd])
        start = headEnd + skip
        guard let head = HTTPHead.parse(bytes) else { throw .malformed("bad start line or header field") }
        return head
    }

    /// One line (chunk size or trailer field), without its line ending.
    private func readLine(limit: Int, timeout: Int32, flush: () throws(HTTPFailure) -> Void) throws(HTTPFailure)
        -> [UInt8]
    {
        var i = start
        while true {
            while i < end {
                if storage[i] == 0x0A {
                    var lineEnd = i
                    if lineEnd > start, storage[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                    let line = Array(storage[start..<lineEnd])
                    start = i + 1
                    return line
                }
                i += 1
            }
            if end - start > limit { throw .malformed("line too long") }
            let offset = i - start
            try flush()
            guard try fill(timeout: timeout) else { throw .read(.closed) }
            i = start + offset
        }
    }

    /// The chunk size from a chunk-size line (extensions ignored).
    private static func chunkSize(_ line: [UInt8]) -> Int? {
        var size = 0
        var digits = 0
        for byte in line {
            let value: Int
            switch byte {
            case 0x30...0x39: value = Int(byte - 0x30)
            case 0x41...0x46: value = Int(byte - 0x41 + 10)
            case 0x61...0x66: value = Int(byte - 0x61 + 10)
            case 0x3B, 0x20, 0x09: return digits > 0 ? size : nil
            default: return nil
            }
            digits += 1
            if digits > 15 { return nil }
            size = size * 16 + value
        }
        return digits > 0 ? size : nil
    }

    /// Reads a whole body into memory, refusing more than `limit` bytes.
    func readBody(_ framing: BodyFraming, limit: Int, timeout: Int32) throws(HTTPFailure) -> [UInt8] {
        var body: [UInt8] = []
        let noFlush: () throws(HTTPFailure) -> Void = {}
        switch framing {
        case .none:
            return body
        case .length(let n):
            if n > limit { throw .bodyTooLarge }
            body.reserveCapacity(n)
            try take(n, into: &body, timeout: timeout)
        case .chunked:
            while true {
                let line = try readLine(limit: 4096, timeout: timeout, flush: noFlush)
                guard let size = Self.chunkSize(line) else { throw .malformed("bad chunk size") }
                if size == 0 { break }
                if body.count + size > limit { throw .bodyTooLarge }
                try take(size, into: &body, timeout: timeout)
                guard try readLine(limit: 2, timeout: timeout, flush: noFlush).isEmpty else {
                    throw .malformed("chunk data longer than its size")
                }
            }
            var trailerBytes = 0
            while true {
                let line = try readLine(limit: 8192, timeout: timeout, flush: noFlush)
                if line.isEmpty { break }
                trailerBytes += line.count
                if trailerBytes > 65536 { throw .headTooLarge }
            }
        case .untilClose:
            while true {
                if buffered > 0 {
                    if body.count + buffered > limit { throw .bodyTooLarge }
                    body.append(contentsOf: storage[start..<end])
                    start = end
                }
                if try !fill(timeout: timeout) { break }
            }
        }
        return body
    }

    private func take(_ count: Int, into body: inout [UInt8], timeout: Int32) throws(HTTPFailure) {
        var remaining = count
        while remaining > 0 {
            if buffered == 0, try !fill(timeout: timeout) { throw .read(.closed) }
            let n = min(remaining, buffered)
            body.append(contentsOf: storage[start..<(start + n)])
            start += n
            remaining -= n
        }
    }

    /// Forwards a body to `destination`, after `pending` (the head already serialized for it).
    /// Bytes go out as soon as they arrive: whatever is buffered is sent before any read that
    /// could block. A chunked body stays chunked, with its trailers; a body delimited by the
    /// connection's close is sent chunked. Returns the number of body bytes forwarded.
    @discardableResult
    func forwardBody(
        _ framing: BodyFraming, to destination: Socket, pending initial: [UInt8], timeout: Int32,
        onProgress: (Int) -> Void = { _ in }
    ) throws(HTTPFailure) -> Int {
        var pending = initial
        var total = 0
        let flush: () throws(HTTPFailure) -> Void = { () throws(HTTPFailure) in
            if pending.isEmpty { return }
            do throws(SocketFailure) { try destination.send(pending) } catch { throw .write(error) }
            pending.removeAll(keepingCapacity: true)
        }
        func copy(_ count: Int) throws(HTTPFailure) {
            var remaining = count
            while remaining > 0 {
                if buffered == 0 {
                    try flush()
                    if try !fill(timeout: timeout) { throw .read(.closed) }
                }
                let n = min(remaining, buffered)
                pending.append(contentsOf: storage[start..<(start + n)])
                start += n
                remaining -= n
                total += n
                onProgress(total)
            }
        }
        switch framing {
        case .none:
            break
        case .length(let n):
            try copy(n)
        case .chunked:
            while true {
                let line = try readLine(limit: 4096, timeout: timeout, flush: flush)
                guard let size = Self.chunkSize(line) else { throw .malformed("bad chunk size") }
                pending.append(contentsOf: String(size, radix: 16).utf8)
                pending.append(contentsOf: [0x0D, 0x0A])
                if size == 0 { break }
                try copy(size)
                guard try readLine(limit: 2, timeout: timeout, flush: flush).isEmpty else {
                    throw .malformed("chunk data longer than its size")
                }
                pending.append(contentsOf: [0x0D, 0x0A])
            }
            var trailerBytes = 0
            while true {
                let line = try readLine(limit: 8192, timeout: timeout, flush: flush)
                pending.append(contentsOf: line)
                pending.append(contentsOf: [0x0D, 0x0A])
                if line.isEmpty { break }
                trailerBytes += line.count
                if trailerBytes > 65536 { throw .headTooLarge }
            }
        case .untilClose:
            while true {
                if buffered > 0 {
                    pending.append(contentsOf: String(buffered, radix: 16).utf8)
                    pending.append(contentsOf: [0x0D, 0x0A])
                    pending.append(contentsOf: storage[start..<end])
                    pending.append(contentsOf: [0x0D, 0x0A])
                    total += buffered
                    start = end
                }
                try flush()
                if try !fill(timeout: timeout) { break }
            }
            pending.append(contentsOf: Array("0\r\n\r\n".utf8))
        }
        try flush()
        return total
    }

    /// Reads and drops a body (a response nobody waits for), bounded by `limit`.
    func discardBody(_ framing: BodyFraming, timeout: Int32) throws(HTTPFailure) {
        _ = try readBody(framing, limit: 1 << 20, timeout: timeout)
    }
}
