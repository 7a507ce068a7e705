import GuardJSON
import Testing

@Suite struct JSONValueTests {
    @Test func roundTripKeepsKeyOrder() throws {
        let text = #"{"z":1,"a":[true,null,"x\u0000y"],"m":{"k":1.5}}"#
        let value = try JSONValue.parse(text)
        #expect(value.serialized() == #"{"z":1,"a":[true,null,"x\u0000y"],"m":{"k":1.5}}"#)
        #expect(value["a"]?.arrayValue?.count == 3)
    }

    @Test func syntaxErrorHasLineAndColumn() {
        do {
            _ = try JSONValue.parse("{\n  \"a\": 1,\n  \"b\" 2\n}")
            Issue.record("parsed invalid JSON")
        } catch {
            #expect(error.line == 3)
            #expect(error.column >= 6)
        }
    }

    @Test func duplicateKeysAreRejected() {
        #expect(throws: JSONError.self) { try JSONValue.parse(#"{"a":1,"a":2}"#) }
    }

    @Test func deepNestingFailsCleanly() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONError.self) { try JSONValue.parse(deep) }
    }

    @Test func locatorFindsNestedKey() {
        let text = "{\n  \"defaults\": {\n    \"files\": {\"read\": [\"/a\", \"/b\"], \"bogus\": 1}\n  }\n}"
        let locator = JSONLocator(Array(text.utf8))
        let p = locator.position(of: [.key("defaults"), .key("files"), .key("bogus")])
        #expect(p == .init(line: 3, column: 37))
        let q = locator.position(of: [.key("defaults"), .key("files"), .key("read"), .index(1)])
        #expect(q == .init(line: 3, column: 30))
    }
}
