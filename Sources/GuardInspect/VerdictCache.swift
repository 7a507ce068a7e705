import Synchronization

/// Header values an inspector has already found clean. Clients send the same User-Agent,
/// Accept and Referer headers request after request; a long-lived inspector (the bootstrap
/// proxy, `guard inspect --jsonl`) scans each distinct value once. Keys are the exact bytes
/// (with the header name), so a hit is the same input; bounded, cleared when full.
final class VerdictCache: Sendable {
    let capacity: Int
    struct Key: Hashable, Sendable {
        let name: [UInt8]
        let value: [UInt8]
        let hash: UInt64
        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
        static func == (a: Key, b: Key) -> Bool { a.hash == b.hash && a.value == b.value && a.name == b.name }
    }

    private let clean: Mutex<Set<Key>>

    init(capacity: Int) {
        self.capacity = capacity
        self.clean = Mutex(Set(minimumCapacity: min(capacity, 1024)))
    }

    /// `valueHash` is the value's FNV-1a hash (the session has it already).
    static func key(_ value: [UInt8], name: [UInt8], valueHash: UInt64) -> Key {
        var h = valueHash
        for c in name { h = (h ^ UInt64(c)) &* 0x100_0000_01b3 }
        return Key(name: name, value: value, hash: h)
    }

    func contains(_ key: Key) -> Bool { clean.withLock { $0.contains(key) } }

    func insert(_ key: Key) {
        clean.withLock {
            if $0.count >= capacity { $0.removeAll(keepingCapacity: true) }
            $0.insert(key)
        }
    }
}
