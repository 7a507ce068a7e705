/// `guard bootstrap`: not built yet.
enum BootstrapCommand {
    static func main(_ arguments: ArraySlice<String>) -> Int32 {
        printError("guard bootstrap: not implemented yet")
        return 2
    }
}
