import GuardSandbox
import Glibc

/// Dispatch to one subcommand per file. Each returns the process exit status.
enum CLI {
    static let usage = """
        usage: guard <command> [options]

        commands:
          run [options] -- COMMAND [ARG...]        launch COMMAND under the policy (container ENTRYPOINT)
          profile [options] -- COMMAND [ARG...]    record COMMAND and write a least-privilege policy
          inspect [options] [FILE...]              scan payloads / events offline (stdin when no FILE)
          bootstrap [options] -- COMMAND [ARG...]  FaaS bootstrap: Lambda Runtime API proxy + run
          check POLICY                             validate a policy, print the effective policy
          version                                  print guard's version

        Run `guard <command> --help` for a command's options.
        """

    static func main(_ arguments: [String]) -> Int32 {
        guard let command = arguments.first else {
            printError(usage)
            return 2
        }
        let rest = arguments.dropFirst()
        switch command {
        case "run": return RunCommand.main(rest)
        case "profile": return ProfileCommand.main(rest)
        case "inspect": return InspectCommand.main(rest)
        case "bootstrap": return BootstrapCommand.main(rest)
        case "check": return CheckCommand.main(rest)
        case "version", "--version": 
            print("guard \(GuardVersion.string)")
            return 0
        case "help", "-h", "--help":
            print(usage)
            return 0
        default:
            printError("guard: unknown command '\(command)'\n\n\(usage)")
            return 2
        }
    }
}

enum GuardVersion {
    static let string = "0.1.0"
}

/// Writes a line to stderr, unbuffered (stdout may belong to the supervised program).
func printError(_ message: String) { GuardSandbox.printError(message) }
