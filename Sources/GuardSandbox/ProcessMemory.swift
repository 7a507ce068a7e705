import CGuardSys
import Glibc

/// Reads a supervised thread's memory with process_vm_readv (cheaper than /proc/PID/mem).
/// What it returns may already be stale: callers check the notification is still valid
/// after every read, and never let the kernel re-read memory they decided on.
struct ProcessMemory {
    let pid: Int32
    /// Runs a read or write again, with more rights, when the first try was refused (EPERM).
    var privileged: ((() -> Int) -> Int)? = nil

    /// Reads `count` bytes at `address`, or nil if the range is not readable.
    func read(_ address: UInt64, count: Int) -> [UInt8]? {
        guard count > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: count)
        var n = out.withUnsafeMutableBytes { guard_read_memory(pid, $0.baseAddress, count, address) }
        if n < 0 && errno == EPERM, let privileged {
            n = privileged { out.withUnsafeMutableBytes { guard_read_memory(pid, $0.baseAddress, count, address) } }
        }
        return n == count ? out : nil
    }

    /// Writes `bytes` at `address` (what the kernel would have written back, such as
    /// sendmmsg's msg_len); false if the range is not writable.
    func write(_ bytes: [UInt8], at address: UInt64) -> Bool {
        var n = bytes.withUnsafeBytes { guard_write_memory(pid, $0.baseAddress, bytes.count, address) }
        if n < 0 && errno == EPERM, let privileged {
            n = privileged { bytes.withUnsafeBytes { guard_write_memory(pid, $0.baseAddress, bytes.count, address) } }
        }
        return n == bytes.count
    }

    /// Reads a NUL-terminated string of at most `limit` bytes (PATH_MAX for paths). Reads
    /// page by page so a string ending just before an unmapped page is still read.
    func readCString(_ address: UInt64, limit: Int = 4096) -> [UInt8]? {
        guard address != 0 else { return nil }
        var out: [UInt8] = []
        var cursor = address
        while out.count < limit {
            let toPageEnd = 4096 - Int(cursor & 4095)
            let chunk = min(toPageEnd, limit - out.count)
            guard let bytes = read(cursor, count: chunk) else { return nil }
            if let nul = bytes.firstIndex(of: 0) {
                out.append(contentsOf: bytes[..<nul])
                return out
            }
            out.append(contentsOf: bytes)
            cursor += UInt64(chunk)
        }
        return nil  // longer than PATH_MAX: the kernel would say ENAMETOOLONG
    }
}

extension Array where Element == UInt8 {
    /// The little-endian integer of `size` bytes (at most 8) at `offset`: how the caller's
    /// structs (open_how, msghdr, iovec, clone_args) hold their fields on x86-64.
    func littleEndian(at offset: Int, size: Int = 8) -> UInt64 {
        self[offset..<(offset + size)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
}
