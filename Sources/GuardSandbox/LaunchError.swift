/// Why a command did not start, with the exit status `guard run` gives for it:
/// 125 guard failed before the child started, 126 not executable, 127 not found.
public struct LaunchError: Error, CustomStringConvertible {
    public var exitStatus: Int32
    public var message: String

    public init(exitStatus: Int32, message: String) {
        self.exitStatus = exitStatus
        self.message = message
    }

    public var description: String { message }

    static func setup(_ message: String) -> LaunchError { LaunchError(exitStatus: 125, message: message) }
}
