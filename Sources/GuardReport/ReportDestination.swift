/// Where reports go (`--report DEST`).
public enum ReportDestination: Sendable, Equatable, CustomStringConvertible {
    /// `-`: guard's standard error (fd 2), shared with the supervised program.
    case stderr
    /// A file path, opened for appending (created 0644 if missing).
    case file(String)
    /// `fd:N`: a descriptor guard inherited. Written to, never closed.
    case fd(Int32)
    /// `unix:/path`: a unix datagram socket, one datagram per line.
    case unix(String)

    /// The longest path a `sockaddr_un` holds, not counting the terminating NUL.
    static let maxUnixPathBytes = 107

    /// Parses `-`, `fd:N`, `unix:/path`; anything else is a file path.
    public static func parse(_ text: String) throws(ReportError) -> ReportDestination {
        func invalid(_ detail: String) -> ReportError {
            ReportError(code: .invalidDestination, destination: text, detail: detail)
        }
        if text.isEmpty { throw invalid("empty; use '-' for stderr") }
        if text == "-" { return .stderr }
        if text.utf8.contains(0) { throw invalid("contains a NUL byte") }
        if text.hasPrefix("fd:") {
            let digits = text.dropFirst(3)
            guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int32(digits) else {
                throw invalid("expected fd:N with N a descriptor number")
            }
            return .fd(n)
        }
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            if path.isEmpty { throw invalid("expected unix:/path/to/socket") }
            if path.utf8.count > maxUnixPathBytes {
                throw invalid("socket path longer than \(maxUnixPathBytes) bytes")
            }
            return .unix(path)
        }
        return .file(text)
    }

    /// The destination as `--report` spells it.
    public var description: String {
        switch self {
        case .stderr: return "-"
        case .file(let path): return path
        case .fd(let n): return "fd:\(n)"
        case .unix(let path): return "unix:\(path)"
        }
    }
}
