import Glibc
import GuardPolicy
import GuardReport
import GuardSandbox

/// A usage error: exit status 2 (125 for run/bootstrap, which reserve 2 for the child).
struct UsageError: Error {
    var message: String
}

/// The options shared by run, profile, bootstrap and inspect (INTERFACE.md), and a small
/// parser for the rest. Flags take their value as the next word or after `=`.
struct CommonOptions {
    var policyPath: String?
    var function: String?
    var mode: PolicyMode?
    var report = "-"
    var reportFormat = ReportFormat.guardSchema
    var supervisor = SupervisorMode.notify

    static let help = """
          -p, --policy FILE          policy file (default: $GUARD_POLICY, /etc/guard/policy.json, built-in)
          -f, --function NAME        function section (default: $GUARD_FUNCTION, $AWS_LAMBDA_FUNCTION_NAME,
                                     $K_SERVICE, default)
          --mode enforce|audit       override the policy's mode
          --report DEST              -, FILE, fd:N or unix:/path (default: -, stderr)
          --report-format guard|falco
          --supervisor auto|notify|ptrace|none
        """

    /// Consumes a common option at `args[i]` if it is one; returns false otherwise.
    mutating func consume(_ args: inout ArgumentCursor) throws(UsageError) -> Bool {
        switch args.flag {
        case "-p", "--policy": policyPath = try args.value()
        case "-f", "--function": function = try args.value()
        case "--mode":
            let v = try args.value()
            guard let m = PolicyMode(rawValue: v) else { throw UsageError(message: "--mode takes enforce or audit, not '\(v)'") }
            mode = m
        case "--report": report = try args.value()
        case "--report-format":
            let v = try args.value()
            guard let f = ReportFormat(rawValue: v) else {
                throw UsageError(message: "--report-format takes guard or falco, not '\(v)'")
            }
            reportFormat = f
        case "--supervisor":
            switch try args.value() {
            case "auto", "notify": supervisor = .notify
            case "none": supervisor = .none
            case "ptrace": throw UsageError(message: "--supervisor ptrace is not available in this build; use notify (Linux 5.9+)")
            case let v: throw UsageError(message: "--supervisor takes auto, notify, ptrace or none, not '\(v)'")
            }
        default: return false
        }
        return true
    }

    /// The function whose section applies: flag, then the environment, then `default`.
    var functionName: String {
        if let function { return function }
        for name in ["GUARD_FUNCTION", "AWS_LAMBDA_FUNCTION_NAME", "K_SERVICE"] {
            if let v = getenv(name), v.pointee != 0 { return String(cString: v) }
        }
        return "default"
    }

    /// The policy file to load, or nil for the built-in default policy.
    var resolvedPolicyPath: String? {
        if let policyPath { return policyPath }
        if let v = getenv("GUARD_POLICY"), v.pointee != 0 { return String(cString: v) }
        if access("/etc/guard/policy.json", R_OK) == 0 { return "/etc/guard/policy.json" }
        return nil
    }
}

/// `[options] [--] COMMAND [ARG...]`, the shape of run, bootstrap and profile: the
/// command's own flags (`own` returns true when it took the word), the common options, and
/// help. Returns nil when help was printed; an empty command when none was given.
func parseCommandLine(
    _ arguments: ArraySlice<String>, options: inout CommonOptions, help: String,
    own: (inout ArgumentCursor) throws(UsageError) -> Bool = { _ in false }
) throws(UsageError) -> [String]? {
    var cursor = ArgumentCursor(arguments)
    while !cursor.isAtEnd {
        cursor.load()
        switch cursor.flag {
        case "--":
            guard !cursor.remaining.isEmpty else { throw UsageError(message: "missing COMMAND after --") }
            return cursor.remaining
        case "-h", "--help":
            print(help)
            return nil
        default:
            if try own(&cursor) {
                cursor.advance()
                continue
            }
            if try options.consume(&cursor) {
                cursor.advance()
                continue
            }
            if cursor.flag.hasPrefix("-") { throw UsageError(message: "unknown option '\(cursor.flag)'") }
            // No `--`: the first word that is not an option starts the command.
            return [cursor.current] + cursor.remaining
        }
    }
    return []
}

/// Walks argv: `flag` is the current word's flag part (before `=`), `value()` takes the
/// inline `=value` or the next word.
struct ArgumentCursor {
    private let words: [String]
    private(set) var index = 0
    private var inlineValue: String?
    private(set) var flag = ""

    init(_ words: ArraySlice<String>) { self.words = Array(words) }

    var isAtEnd: Bool { index >= words.count }
    var current: String { words[index] }
    /// Everything after the current word.
    var remaining: [String] { Array(words[min(index + 1, words.count)...]) }

    /// Loads the word at the cursor; call before looking at `flag`.
    mutating func load() {
        let word = words[index]
        if word.hasPrefix("--"), let eq = word.firstIndex(of: "=") {
            flag = String(word[..<eq])
            inlineValue = String(word[word.index(after: eq)...])
        } else {
            flag = word
            inlineValue = nil
        }
    }

    mutating func advance() { index += 1 }

    mutating func value() throws(UsageError) -> String {
        if let inlineValue {
            self.inlineValue = nil
            return inlineValue
        }
        guard index + 1 < words.count else { throw UsageError(message: "\(flag) needs a value") }
        index += 1
        return words[index]
    }
}
