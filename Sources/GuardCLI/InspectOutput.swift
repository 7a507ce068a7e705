import Glibc
import GuardInspect

/// Buffered stdout for result lines: one write per 64 KiB.
struct OutputBuffer {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1 << 16) }

    mutating func append(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    mutating func endLine() {
        bytes.append(10)
        if bytes.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(1, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            offset += n
        }
        bytes.removeAll(keepingCapacity: true)
    }
}

/// The JSON result line, written by hand (no tree, no Foundation).
enum ResultEncoder {
    enum Label {
        case number(Int)
        case string(String)
    }

    static func write(_ r: InspectionResult, label: (StaticString, Label), into out: inout OutputBuffer) {
        out.append("{\"")
        out.append(label.0)
        out.append("\":")
        switch label.1 {
        case .number(let n): out.bytes.append(contentsOf: String(n).utf8)
        case .string(let s): string(s, into: &out)
        }
        out.append(r.isBlocking ? ",\"verdict\":\"block\",\"findings\":[" : ",\"verdict\":\"clean\",\"findings\":[")
        for (i, f) in r.findings.enumerated() {
            if i > 0 { out.append(",") }
            out.append("{\"class\":\"")
            out.bytes.append(contentsOf: f.detectorClass.rawValue.utf8)
            out.append("\",\"location\":")
            string(f.location, into: &out)
            out.append(",\"evidence\":")
            string(f.evidence, into: &out)
            out.append("}")
        }
        out.append("]")
        if let e = r.error {
            out.append(",\"error\":")
            string(e, into: &out)
        }
        out.append("}")
        out.endLine()
    }

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func string(_ s: String, into out: inout OutputBuffer) {
        out.bytes.append(34)
        var plain = true
        for c in s.utf8 where c < 32 || c == 34 || c == 92 || c == 127 { plain = false; break }
        if plain {
            out.bytes.append(contentsOf: s.utf8)
            out.bytes.append(34)
            return
        }
        for c in s.utf8 {
            switch c {
            case 34: out.bytes.append(92); out.bytes.append(34)
            case 92: out.bytes.append(92); out.bytes.append(92)
            case 10: out.bytes.append(92); out.bytes.append(110)
            case 13: out.bytes.append(92); out.bytes.append(114)
            case 9: out.bytes.append(92); out.bytes.append(116)
            case 0..<32, 127:
                out.append("\\u00")
                out.bytes.append(hex[Int(c >> 4)])
                out.bytes.append(hex[Int(c & 15)])
            default: out.bytes.append(c)
            }
        }
        out.bytes.append(34)
    }
}
