/// A fixed set of byte strings with a value each, looked up without allocating: open
/// addressing on an FNV-1a hash, the bytes compared on every hit (a hash collision cannot
/// make an unknown word look known).
struct WordTable<Value: Sendable>: Sendable {
    private let mask: Int
    private let slots: [Int32]  // index into words, or -1
    private let words: [[UInt8]]
    private let values: [Value]

    init(_ entries: [([UInt8], Value)]) {
        var size = 16
        while size < entries.count * 3 { size <<= 1 }
        mask = size - 1
        var s = [Int32](repeating: -1, count: size)
        var w: [[UInt8]] = []
        var v: [Value] = []
        for (word, value) in entries {
            var h = Self.hash(word[...]) & (size - 1)
            var replaced = false
            while s[h] >= 0 {
                if w[Int(s[h])] == word {  // a later entry overrides an earlier one
                    v[Int(s[h])] = value
                    replaced = true
                    break
                }
                h = (h + 1) & (size - 1)
            }
            if replaced { continue }
            s[h] = Int32(w.count)
            w.append(word)
            v.append(value)
        }
        slots = s
        words = w
        values = v
    }

    init(words list: String, value: Value) {
        self.init(list.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { (Array($0.utf8), value) })
    }

    @inline(__always) static func hash(_ b: ArraySlice<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in b { h = (h ^ UInt64(c)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// The value for the bytes of `key`, or nil.
    func lookup(_ key: ArraySlice<UInt8>) -> Value? {
        if key.isEmpty || key.count > 64 { return nil }
        var h = Self.hash(key) & mask
        while true {
            let s = slots[h]
            if s < 0 { return nil }
            let w = words[Int(s)]
            if w.count == key.count && w.elementsEqual(key) { return values[Int(s)] }
            h = (h + 1) & mask
        }
    }

    func lookup(_ key: [UInt8]) -> Value? { lookup(key[...]) }

    func contains(_ key: ArraySlice<UInt8>) -> Bool { lookup(key) != nil }
}
