/// `guard profile`: not built yet.
enum ProfileCommand {
    static func main(_ arguments: ArraySlice<String>) -> Int32 {
        printError("guard profile: not implemented yet")
        return 2
    }
}
