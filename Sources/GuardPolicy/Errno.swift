import Glibc

/// An errno a denied syscall fails with, by its C name (`EPERM` is `Errno.EPERM`, value 1).
public struct Errno: RawRepresentable, Sendable, Equatable, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let EPERM = Errno(rawValue: Glibc.EPERM)
    public static let EACCES = Errno(rawValue: Glibc.EACCES)
    public static let ENOSYS = Errno(rawValue: Glibc.ENOSYS)
    public static let ECONNREFUSED = Errno(rawValue: Glibc.ECONNREFUSED)

    /// The names a policy may use.
    public static let names: [(String, Int32)] = [
        ("EPERM", Glibc.EPERM), ("ENOENT", Glibc.ENOENT), ("EIO", Glibc.EIO), ("E2BIG", Glibc.E2BIG),
        ("EBADF", Glibc.EBADF), ("EAGAIN", Glibc.EAGAIN), ("ENOMEM", Glibc.ENOMEM), ("EACCES", Glibc.EACCES),
        ("EFAULT", Glibc.EFAULT), ("EBUSY", Glibc.EBUSY), ("EEXIST", Glibc.EEXIST), ("ENODEV", Glibc.ENODEV),
        ("ENOTDIR", Glibc.ENOTDIR), ("EISDIR", Glibc.EISDIR), ("EINVAL", Glibc.EINVAL), ("ENFILE", Glibc.ENFILE),
        ("EMFILE", Glibc.EMFILE), ("ENOSPC", Glibc.ENOSPC), ("EROFS", Glibc.EROFS), ("ENOSYS", Glibc.ENOSYS),
        ("ENOTSUP", Glibc.ENOTSUP), ("EOPNOTSUPP", Glibc.EOPNOTSUPP), ("EAFNOSUPPORT", Glibc.EAFNOSUPPORT),
        ("EADDRNOTAVAIL", Glibc.EADDRNOTAVAIL), ("ENETUNREACH", Glibc.ENETUNREACH),
        ("ECONNREFUSED", Glibc.ECONNREFUSED), ("EHOSTUNREACH", Glibc.EHOSTUNREACH), ("ETIMEDOUT", Glibc.ETIMEDOUT),
    ]

    public init?(name: String) {
        guard let v = Errno.names.first(where: { $0.0 == name })?.1 else { return nil }
        rawValue = v
    }

    public var name: String { Errno.names.first(where: { $0.1 == rawValue })?.0 ?? "\(rawValue)" }
    public var description: String { name }
}
extension Errno: Error {}
