import GuardPolicy
import Testing

@testable import GuardSandbox

/// The bit prefixes that allow every fcntl/ioctl command but the watched ones, under a
/// notifying default: nothing watched is covered, everything else is, exactly once.
@Suite struct FilterCompilerTests {
    func covers(_ p: (mask: UInt64, value: UInt64), _ v: UInt64) -> Bool { v & p.mask == p.value }

    @Test(arguments: [[8, 15], [0x8901, 0x8902, 0x4008_6602, 0x401C_5820], [0, 0xFFFF_FFFF]] as [[UInt64]])
    func prefixesCoverAllButTheWatchedCommands(_ watched: [UInt64]) {
        let prefixes = FilterCompiler.prefixesAvoiding(watched)
        #expect(prefixes.count <= 32 * watched.count)
        var samples: [UInt64] = Array(0..<4096) + [0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF]
        for w in watched { samples += [w &- 1, w, w + 1, w ^ 0x8000_0000].filter { $0 <= 0xFFFF_FFFF } }
        var rng = SystemRandomNumberGenerator()
        samples += (0..<20_000).map { _ in UInt64(UInt32.random(in: .min ... .max, using: &rng)) }
        for v in samples {
            let hits = prefixes.filter { covers($0, v) }.count
            #expect(hits == (watched.contains(v) ? 0 : 1), "\(String(v, radix: 16)): \(hits)")
        }
    }

    /// The kernel takes at most 4,096 BPF instructions. The longest filters are a denying
    /// default on all three entry points that allows every syscall by name (the command
    /// rules then spell out fcntl, fcntl64 and ioctl), and the same with files supervised.
    @Test(arguments: ["", #", "files": {"read": ["/**"], "write": ["/tmp/**"]}, "network": {"connect": ["*"]}"#])
    func longestFiltersStayWithinTheKernelsLimit(_ sections: String) throws {
        let names = SyscallNames.all.map { "\"\($0)\"" }.joined(separator: ", ")
        let text = #"{"version": 1, "defaults": {"syscalls": {"default": "deny", "allow": [\#(names)]}\#(sections)}}"#
        let policy = try Policy.parse(Array(text.utf8), source: "test").effective(for: "default")
        let plan = try FilterCompiler.compile(policy, mode: .notify)
        #expect(plan.program.count < 4096, "\(plan.program.count) instructions")
        #expect(plan.table.values.contains { $0.name == "ioctl" && $0.kind == .command })
    }
}
