/// `guard run`: not built yet.
enum RunCommand {
    static func main(_ arguments: ArraySlice<String>) -> Int32 {
        printError("guard run: not implemented yet")
        return 2
    }
}
