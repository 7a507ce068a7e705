import Testing

@testable import GuardSandbox

@Suite struct PathResolverTests {
    /// Only these may skip asking the kernel for the opened file's name.
    @Test func plainAbsolutePaths() {
        for plain in ["/", "/etc/hostname", "/usr/lib/python3.11/os.py", "/a/.hidden", "/a/b..c", "/a/..b/c"] {
            #expect(PathResolver.isPlainAbsolute(plain), "\(plain)")
        }
        for other in ["etc/hostname", "", "//etc", "/etc//hostname", "/etc/", "/etc/.", "/etc/..", "/etc/../shadow",
                      "/./etc", "/a/./b", "/a/.../b", "."]
        {
            #expect(!PathResolver.isPlainAbsolute(other), "\(other)")
        }
    }

    @Test func splitsParentAndLeaf() {
        #expect(PathResolver.split("/a/b/c") == ("/a/b", "c"))
        #expect(PathResolver.split("c") == (".", "c"))
        #expect(PathResolver.split("/c") == ("/", "c"))
        #expect(PathResolver.split("a/b/") == ("a", "b"))
    }
}
