/// `guard inspect`: not built yet.
enum InspectCommand {
    static func main(_ arguments: ArraySlice<String>) -> Int32 {
        printError("guard inspect: not implemented yet")
        return 2
    }
}
