/// A set of 64-bit hashes for one inspection: open addressing, no hashing of its own.
struct HashSet64 {
    private var slots: [UInt64]
    private var count = 0

    init() { slots = [UInt64](repeating: 0, count: 64) }

    /// Inserts `h`; false when it was already there. 0 is stored as 1.
    mutating func insert(_ value: UInt64) -> Bool {
        let h = value == 0 ? 1 : value
        if (count + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h ^ (h >> 32)) & mask
        while slots[i] != 0 {
            if slots[i] == h { return false }
            i = (i + 1) & mask
        }
        slots[i] = h
        count += 1
        return true
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        count = 0
        for h in old where h != 0 { _ = insert(h) }
    }
}

/// Byte strings with their hashes: a hit compares the bytes, so a crafted hash collision
/// cannot make a new value look seen.
struct ValueSet {
    private var slots = [Int32](repeating: -1, count: 64)
    private var hashes: [UInt64] = []
    private var values: [[UInt8]] = []

    /// Inserts `value`; false when an equal value was already there.
    mutating func insert(_ value: [UInt8], hash h: UInt64) -> Bool {
        if (values.count + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
        while slots[i] >= 0 {
            let k = Int(slots[i])
            if hashes[k] == h && values[k] == value { return false }
            i = (i + 1) & mask
        }
        slots[i] = Int32(values.count)
        hashes.append(h)
        values.append(value)
        return true
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (k, h) in hashes.enumerated() {
            var i = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = Int32(k)
        }
    }
}
