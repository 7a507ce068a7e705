import Glibc

/// A regular file mapped read-only for the duration of `withBytes`, so batch mode reads
/// large inputs without copying them. Nil for anything mmap cannot map (pipes, empty files).
final class MappedFile {
    private let base: UnsafeMutableRawPointer
    private let count: Int

    init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0 else { return nil }
        let size = Int(st.st_size)
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else { return nil }
        _ = madvise(p, size, MADV_SEQUENTIAL)
        base = p
        count = size
    }

    deinit { munmap(base, count) }

    func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        body(UnsafeRawBufferPointer(start: base, count: count))
    }
}
