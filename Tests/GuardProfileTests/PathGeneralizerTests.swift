import GuardPolicy
import GuardProfile
import Testing

@Suite struct PathGeneralizerTests {
    let generalizer = PathGeneralizer()

    @Test func aLibraryTreeBecomesOneGlob() {
        let files = (0..<900).map { "/usr/lib/python3.11/module\($0 % 30)/file\($0).py" } + ["/usr/lib/python3.11/os.py"]
        let rules = generalizer.generalize(files)
        #expect(rules == ["/usr/lib/python3.11/**"])
    }

    @Test func fewFilesStaySingle() {
        let rules = generalizer.generalize(["/opt/app/main.py", "/opt/app/conf.json", "/usr/share/zoneinfo/UTC"])
        #expect(rules == ["/opt/app/conf.json", "/opt/app/main.py", "/usr/share/zoneinfo/UTC"])
    }

    @Test func siblingsOfSecretsNeverBecomeAGlobThatReachesThem() {
        let etc = ["/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/ld.so.cache", "/etc/hosts", "/etc/localtime"]
        let rules = generalizer.generalize(etc)
        #expect(rules == etc.sorted())
        for rule in rules {
            let glob = try! Glob(rule)
            for secret in ["/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/sudoers.d/admin", "/etc/ssl/private/k.pem"] {
                #expect(!glob.matches(secret), "\(rule) matches \(secret)")
            }
        }
    }

    @Test func treesHoldingSecretsAreNotCollapsed() {
        let ssl = ["/etc/ssl/openssl.cnf", "/etc/ssl/certs/a.pem", "/etc/ssl/certs/b.pem", "/etc/ssl/certs/c.pem"]
        let rules = generalizer.generalize(ssl)
        #expect(rules == ["/etc/ssl/certs/**", "/etc/ssl/openssl.cnf"])
        let home = ["/home/ann/.bashrc", "/home/ann/.profile", "/home/ann/notes.txt", "/root/.pyenv/a", "/root/.pyenv/b", "/root/.pyenv/c"]
        #expect(generalizer.generalize(home) == home.sorted())
        let proc = ["/proc/self/status", "/proc/self/maps", "/proc/self/stat", "/proc/self/cmdline"]
        #expect(generalizer.generalize(proc) == proc.sorted())
    }

    @Test func broadRootsAreNeverAllowedWhole() {
        let files = ["/usr/bin/ls", "/usr/bin/sort", "/usr/bin/head", "/usr/bin/wc", "/usr/lib/a", "/usr/lib/b", "/usr/lib/c"]
        let rules = generalizer.generalize(files)
        #expect(rules == files.sorted())
    }

    @Test func perRunNamesBecomeGlobs() {
        let rules = generalizer.generalize([
            "/proc/4242/stat", "/proc/self/task/4243/comm", "/dev/pts/3", "/tmp/tmpa8x9q/out.txt",
            "/usr/lib/python3/dist-packages/x/__pycache__/y.cpython-311.pyc.1234",
        ], scratch: ["/tmp"])
        #expect(rules == [
            "/dev/pts/*", "/proc/*/stat", "/proc/self/task/*/comm", "/tmp/**", "/usr/lib/python3/dist-packages/x/__pycache__/**",
        ])
    }

    @Test func scratchDirectoriesWidenOnlyWhereTheWorkloadWrote() {
        let written = ["/tmp/tmpa8x9q/db.sqlite", "/dev/null"]
        let scratch = PathGeneralizer.scratchRoots(writtenIn: written)
        #expect(scratch == ["/tmp"])
        #expect(generalizer.generalize(["/tmp/tmpa8x9q/db.sqlite", "/var/tmp/x"], scratch: scratch) == ["/tmp/**", "/var/tmp/x"])
        #expect(generalizer.generalize(["/tmp/work/input.txt"]) == ["/tmp/work/input.txt"])
    }

    @Test func mergedGlobsAbsorbSingleFilesAndNestedTrees() {
        let rules = generalizer.generalize([
            "/usr/lib/python3.11/**", "/usr/lib/python3.11/json/__init__.py", "/usr/lib/python3.11/json/sub/**", "/etc/hosts",
        ])
        #expect(rules == ["/etc/hosts", "/usr/lib/python3.11/**"])
    }

    @Test func execListsStayExact() {
        var exact = PathGeneralizer()
        exact.collapseTrees = false
        let execs = ["/usr/bin/dash", "/usr/bin/ls", "/usr/bin/sort", "/usr/bin/head", "/usr/bin/wc", "/opt/x/a", "/opt/x/b", "/opt/x/c"]
        #expect(exact.generalize(execs) == execs.sorted())
    }

    @Test func overlapIsDecidedSegmentBySegment() {
        #expect(SensitivePaths.overlaps(tree: "/home/ann", glob: "/home/*/.ssh/**"))
        #expect(!SensitivePaths.overlaps(tree: "/home/ann/app", glob: "/home/*/.ssh/**"))
        #expect(SensitivePaths.overlaps(tree: "/etc", glob: "/etc/shadow"))
        #expect(!SensitivePaths.overlaps(tree: "/etc/ssl/certs", glob: "/etc/ssl/private/**"))
        #expect(SensitivePaths.overlaps(tree: "/root/.pyenv", glob: "/root/**"))
        #expect(SensitivePaths.overlaps(tree: "/proc/self", glob: "/proc/*/environ"))
        #expect(!SensitivePaths.overlaps(tree: "/usr/lib/python3.11", glob: "/etc/shadow"))
    }
}
