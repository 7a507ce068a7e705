import Glibc

/// Facts about a process read from /proc, for reports and decisions. Only called when a
/// notification needs them, never per allowed syscall.
enum ProcInfo {
    /// The executable of `pid` (a thread id works too).
    static func exe(_ pid: Int32) -> String? { readLink("/proc/\(pid)/exe") }

    /// The thread group (process) id of thread `tid`.
    static func tgid(_ tid: Int32) -> Int32 {
        guard let status = readSmallFile("/proc/\(tid)/status") else { return tid }
        return field(status, "Tgid:").flatMap { Int32($0) } ?? tid
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

    /// The first word after `name` on its line in a /proc status file.
    static func field(_ text: String, _ name: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            return line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init)
        }
        return nil
    }
}
