/// Many lowercase needles searched in one pass: a table keyed by the first two bytes
/// points to the needles that start with them, so a text is read once whatever the number
/// of needles. Needles are at least two bytes long. The hot loop reads flat arrays only.
struct NeedleSet: Sendable {
    let needles: [[UInt8]]
    /// For each two-byte key, 1 + the index of its bucket, or 0.
    private let table: [UInt16]
    /// Bucket b holds the needle indices order[bucketStart[b]..<bucketStart[b + 1]].
    private let bucketStart: [Int32]
    private let order: [Int32]
    /// All needles back to back; needle k is flat[offset[k]..<offset[k + 1]].
    private let flat: [UInt8]
    private let offset: [Int32]
    /// A 16-kbit filter of the needles' first two bytes, small enough to stay in L1: most
    /// positions are rejected without touching `table`.
    private let bigrams: [UInt64]

    @inline(__always) static func bigram(_ a: UInt8, _ b: UInt8) -> Int { (Int(a) << 6 ^ Int(b)) & 16383 }

    init(_ words: [String]) {
        needles = words.map { Array($0.utf8) }
        var t = [UInt16](repeating: 0, count: 65536)
        var buckets: [[Int32]] = []
        for (i, n) in needles.enumerated() {
            precondition(n.count >= 2, "needle too short: \(n)")
            let key = Int(n[0]) << 8 | Int(n[1])
            if t[key] == 0 {
                buckets.append([Int32(i)])
                t[key] = UInt16(buckets.count)
            } else {
                buckets[Int(t[key]) - 1].append(Int32(i))
            }
        }
        table = t
        var starts: [Int32] = [0]
        var ord: [Int32] = []
        for b in buckets {
            ord += b
            starts.append(Int32(ord.count))
        }
        bucketStart = starts
        order = ord
        var fl: [UInt8] = []
        var off: [Int32] = [0]
        for n in needles {
            fl += n
            off.append(Int32(fl.count))
        }
        flat = fl
        offset = off
        var bits = [UInt64](repeating: 0, count: 256)
        for n in needles {
            let k = Self.bigram(n[0], n[1])
            bits[k >> 6] |= 1 << UInt64(k & 63)
        }
        bigrams = bits
    }

    /// The first needle found (leftmost position, then list order), with its position.
    func first(in l: [UInt8], from start: Int = 0) -> (index: Int, at: Int)? {
        l.withUnsafeBufferPointer { first(in: $0, from: start) }
    }

    func first(in p: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> (index: Int, at: Int)? {
        let n = p.count
        guard n - start >= 2 else { return nil }
        return table.withUnsafeBufferPointer { t in
            bigrams.withUnsafeBufferPointer { fb in
                bucketStart.withUnsafeBufferPointer { bs in
                    order.withUnsafeBufferPointer { ord in
                        flat.withUnsafeBufferPointer { fl in
                            offset.withUnsafeBufferPointer { off -> (index: Int, at: Int)? in
                                var i = start
                                while i < n - 1 {
                                    let k = Self.bigram(p[i], p[i + 1])
                                    if fb[k >> 6] & (1 << UInt64(k & 63)) == 0 { i += 1; continue }
                                    let b = Int(t[Int(p[i]) << 8 | Int(p[i + 1])])
                                    if b != 0 {
                                        for q in Int(bs[b - 1])..<Int(bs[b]) {
                                            let k = Int(ord[q])
                                            let a = Int(off[k])
                                            let len = Int(off[k + 1]) - a
                                            if len <= n - i {
                                                var j = 2
                                                while j < len && p[i + j] == fl[a + j] { j += 1 }
                                                if j == len { return (k, i) }
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
