/// Many lowercase needles searched in one pass: a table keyed by the first two bytes
/// points to the needles that start with them, so a text is read once whatever the number
/// of needles. Needles are at least two bytes long.
struct NeedleSet: Sendable {
    let needles: [[UInt8]]
    /// For each two-byte key, 1 + the index of its bucket in `buckets`, or 0.
    private let table: [UInt16]
    private let buckets: [[Int]]
    /// Bytes that start some needle: most positions are rejected without touching `table`.
    private let firstBytes: [Bool]

    init(_ words: [String]) {
        needles = words.map { Array($0.utf8) }
        var t = [UInt16](repeating: 0, count: 65536)
        var b: [[Int]] = []
        for (i, n) in needles.enumerated() {
            precondition(n.count >= 2, "needle too short: \(n)")
            let key = Int(n[0]) << 8 | Int(n[1])
            if t[key] == 0 {
                b.append([i])
                t[key] = UInt16(b.count)
            } else {
                b[Int(t[key]) - 1].append(i)
            }
        }
        table = t
        buckets = b
        var f = [Bool](repeating: false, count: 256)
        for n in needles { f[Int(n[0])] = true }
        firstBytes = f
    }

    /// The first needle found (leftmost position, then list order), with its position.
    func first(in l: [UInt8], from start: Int = 0) -> (index: Int, at: Int)? {
        l.withUnsafeBufferPointer { first(in: $0, from: start) }
    }

    func first(in p: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> (index: Int, at: Int)? {
        let n = p.count
        guard n - start >= 2 else { return nil }
        do {
            return table.withUnsafeBufferPointer { t in
              firstBytes.withUnsafeBufferPointer { fb in
                var i = start
                while i < n - 1 {
                    if !fb[Int(p[i])] { i += 1; continue }
                    let b = t[Int(p[i]) << 8 | Int(p[i + 1])]
                    if b != 0 {
                        for k in buckets[Int(b) - 1] {
                            let w = needles[k]
                            if w.count <= n - i {
                                var j = 2
                                while j < w.count && p[i + j] == w[j] { j += 1 }
                                if j == w.count { return (k, i) }
                            }
                        }
                    }
                    i += 1
                }
                return nil
              }
            }
        }
    }

    /// Every match, in text order (for detectors that check the context of each hit).
    func forEach(in l: [UInt8], limit: Int = 64, _ body: (_ index: Int, _ at: Int) -> Bool) {
        var from = 0
        var count = 0
        while count < limit, let (k, at) = first(in: l, from: from) {
            count += 1
            if body(k, at) { return }
            from = at + 1
        }
    }
}
