import Glibc

/// `process.user`: `UID:GID`, `UID` (its group from /etc/passwd, else the same number),
/// `NAME` or `NAME:GROUP`. Names are read from /etc/passwd and /etc/group directly, not
/// through NSS, which a statically linked binary cannot load.
enum UserSpec {
    static func parse(_ text: String) -> (uid: UInt32, gid: UInt32)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 1 || parts.count == 2, !parts[0].isEmpty else { return nil }
        let numericGroup = parts.count == 2 ? UInt32(parts[1]) : nil
        if let uid = UInt32(parts[0]), let numericGroup { return (uid, numericGroup) }  // no file to read
        let passwd = table("/etc/passwd")
        var uid: UInt32
        var gid: UInt32?
        if let n = UInt32(parts[0]) {
            uid = n
            gid = passwd.first(where: { $0.count > 3 && UInt32($0[2]) == n }).flatMap { UInt32($0[3]) }
        } else {
            guard let row = passwd.first(where: { $0.count > 3 && $0[0] == parts[0] }), let u = UInt32(row[2]) else { return nil }
            uid = u
            gid = UInt32(row[3])
        }
        if parts.count == 2 {
            if let n = UInt32(parts[1]) {
                gid = n
            } else {
                guard let row = table("/etc/group").first(where: { $0.count > 2 && $0[0] == parts[1] }), let g = UInt32(row[2])
                else { return nil }
                gid = g
            }
        }
        return (uid, gid ?? uid)
    }

    static func table(_ path: String) -> [[String]] {
        guard let bytes = try? readFile(path) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map {
            $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        }
    }
}

/// Reads a whole file with plain syscalls (no Foundation on the start-up path).
public func readFile(_ path: String, limit: Int = 64 << 20) throws(FileReadError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileReadError(path: path, errno: errno) }
    defer { close(fd) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw FileReadError(path: path, errno: errno)
        }
        if n == 0 { break }
        out.append(contentsOf: chunk[0..<n])
        if out.count > limit { throw FileReadError(path: path, errno: EFBIG) }
    }
    return out
}

public struct FileReadError: Error, CustomStringConvertible {
    public var path: String
    public var errno: Int32
    public var description: String { "\(path): \(String(cString: strerror(errno)))" }
}
