import Glibc

/// Facts about a process read from /proc, for reports and decisions. Only called when a
/// notification needs them, never per allowed syscall.
enum ProcInfo {
    /// The executable of `pid` (a thread id works too).
    static func exe(_ pid: Int32) -> String? { readLink("/proc/\(pid)/exe") }

    /// The thread group (process) id of thread `tid`.
    static func tgid(_ tid: Int32) -> Int32 {
        guard let status = readStatus(tid) else { return tid }
        return status.numbers("Tgid:").first.map { Int32(truncatingIfNeeded: $0) } ?? tid
    }

    /// /proc/TID/status as bytes, parsed without String (this is on the per-open path).
    static func readStatus(_ tid: Int32) -> StatusFile? {
        let fd = open("/proc/\(tid)/status", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        buf.removeSubrange(n...)
        return StatusFile(bytes: buf)
    }

    static func readLink(_ path: String) -> String? {
        var buf = [CChar](repeating: 0, count: 4097)
        let n = readlink(path, &buf, 4096)
        guard n > 0 else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        return String(decoding: buf[0..<n], as: UTF8.self)
    }

}

/// The lines of a /proc status file, read as bytes: `numbers("Uid:")` gives the numbers
/// after that name, `hex("CapEff:")` a hexadecimal field.
struct StatusFile {
    let bytes: [UInt8]

    /// The range of the value after `name` on its line.
    func value(_ name: StaticString) -> Range<Int>? {
        let key = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        var i = 0
        while i < bytes.count {
            var j = 0
            while j < key.count && i + j < bytes.count && bytes[i + j] == key[j] { j += 1 }
            var end = i
            while end < bytes.count && bytes[end] != 10 { end += 1 }
            if j == key.count { return (i + j)..<end }
            i = end + 1
        }
        return nil
    }

    func numbers(_ name: StaticString, radix: UInt64 = 10) -> [UInt64] {
        guard let range = value(name) else { return [] }
        var out: [UInt64] = []
        var current: UInt64 = 0
        var inNumber = false
        for b in bytes[range] {
            let digit: UInt64?
            switch b {
            case 48...57: digit = UInt64(b - 48)
            case 97...102 where radix == 16: digit = UInt64(b - 87)
            default: digit = nil
            }
            if let digit {
                current = current &* radix &+ digit
                inNumber = true
            } else if inNumber {
                out.append(current)
                current = 0
                inNumber = false
            }
        }
        if inNumber { out.append(current) }
        return out
    }
}

/// A cheap clock for cache and pending-entry lifetimes.
func monotonicMilliseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
}
