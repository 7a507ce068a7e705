import Synchronization

/// Header values an inspector has already found clean. Clients send the same User-Agent,
/// Accept and Referer headers request after request; a long-lived inspector (the bootstrap
/// proxy, `guard inspect --jsonl`) scans each distinct value once. Keys are the exact bytes
/// (with the header name), so a hit is the same input; bounded, cleared when full.
final class VerdictCache: Sendable {
    let capacity: Int
    private let clean: Mutex<Set<[UInt8]>>

    init(capacity: Int) {
        self.capacity = capacity
        self.clean = Mutex(Set(minimumCapacity: min(capacity, 1024)))
    }

    static func key(_ value: [UInt8], name: [UInt8]) -> [UInt8] {
        var k = name
        k.reserveCapacity(name.count + 1 + value.count)
        k.append(0)
        k.append(contentsOf: value)
        return k
    }

    func contains(_ key: [UInt8]) -> Bool { clean.withLock { $0.contains(key) } }

    func insert(_ key: [UInt8]) {
        clean.withLock {
            if $0.count >= capacity { $0.removeAll(keepingCapacity: true) }
            $0.insert(key)
        }
    }
}
