import Glibc

// The `guard` executable. Argument parsing is hand-written (see README, "Design"): the run
// path is a container's and a FaaS instance's cold start, and a parser library costs more
// at start-up than the six commands it would parse.
let arguments = Array(CommandLine.arguments.dropFirst())
exit(CLI.main(arguments))
