/// `guard check`: not built yet.
enum CheckCommand {
    static func main(_ arguments: ArraySlice<String>) -> Int32 {
        printError("guard check: not implemented yet")
        return 2
    }
}
