#if canImport(Glibc)
import Glibc
#endif

/// Why a report destination could not be parsed or opened. The description names the
/// destination and, where a system call failed, the errno text.
public struct ReportError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: Equatable, Sendable {
        /// The `--report` text is not a destination (`fd:x`, empty path, ...).
        case invalidDestination
        /// `open(2)` of a report file failed.
        case open
        /// The inherited descriptor of `fd:N` is not open.
        case badDescriptor
        /// `socket(2)` for a `unix:` destination failed.
        case socket
        /// The writer thread could not be started.
        case thread
    }

    public var code: Code
    /// The destination as the user wrote it (`-`, `fd:3`, `unix:/run/x.sock`, a path).
    public var destination: String
    /// The errno of the failed system call, 0 when none failed.
    public var errno: Int32
    /// What was wrong, for `invalidDestination`.
    public var detail: String

    public init(code: Code, destination: String, errno: Int32 = 0, detail: String = "") {
        self.code = code
        self.destination = destination
        self.errno = errno
        self.detail = detail
    }

    public var description: String {
        let what: String
        switch code {
        case .invalidDestination: what = "invalid report destination '\(destination)'"
        case .open: what = "cannot open report file '\(destination)'"
        case .badDescriptor: what = "report destination '\(destination)' is not an open descriptor"
        case .socket: what = "cannot create a socket for report destination '\(destination)'"
        case .thread: what = "cannot start the report writer for '\(destination)'"
        }
        var text = what
        if !detail.isEmpty { text += ": \(detail)" }
        if errno != 0 { text += ": \(Self.errnoText(errno))" }
        return text
    }

    static func errnoText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
