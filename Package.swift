// swift-tools-version:6.0
import PackageDescription

// One module per job; the dependency direction is one way:
// GuardCLI -> feature modules -> GuardPolicy, GuardReport -> GuardJSON -> shims.
// Foundation stays out of every Sources/ target (start-up cost); tests may use it.
let package = Package(
    name: "guard",
    products: [
        .executable(name: "guard", targets: ["GuardCLI"])
    ],
    targets: [
        // System libraries and the project's own C.
        .systemLibrary(
            name: "CSeccomp", path: "Shims/CSeccomp", pkgConfig: "libseccomp",
            providers: [.apt(["libseccomp-dev"])]),
        .systemLibrary(
            name: "CJansson", path: "Shims/CJansson", pkgConfig: "jansson",
            providers: [.apt(["libjansson-dev"])]),
        .target(name: "CGuardSys", path: "Shims/CGuardSys"),

        // Library modules.
        .target(name: "GuardJSON", dependencies: ["CJansson"]),
        .target(name: "GuardPolicy", dependencies: ["GuardJSON", "CSeccomp"]),
        .target(name: "GuardReport", dependencies: ["GuardJSON"]),
        .target(name: "GuardSandbox", dependencies: ["GuardJSON", "GuardPolicy", "GuardReport", "CSeccomp", "CGuardSys"]),
        .target(name: "GuardInspect", dependencies: ["GuardJSON"]),
        .target(name: "GuardProfile", dependencies: ["GuardPolicy", "GuardSandbox", "GuardJSON"]),
        .target(name: "GuardRuntimeAPI", dependencies: ["GuardJSON"]),

        // The executable: product `guard` (a Swift keyword, so not the target's name).
        .executableTarget(
            name: "GuardCLI",
            dependencies: [
                "GuardJSON", "GuardPolicy", "GuardReport", "GuardSandbox", "GuardInspect", "GuardProfile",
                "GuardRuntimeAPI",
            ]),

        // A C program that performs, on command, the behaviours the tests attack the guard with.
        .executableTarget(name: "GuardProbe", path: "Tests/Probe"),

        // Tests, one target per module, plus end-to-end tests of the built binary.
        .testTarget(name: "GuardJSONTests", dependencies: ["GuardJSON"]),
        .testTarget(name: "GuardPolicyTests", dependencies: ["GuardPolicy"]),
        .testTarget(name: "GuardReportTests", dependencies: ["GuardReport"]),
        .testTarget(name: "GuardSandboxTests", dependencies: ["GuardSandbox", "GuardPolicy"]),
        .testTarget(name: "GuardInspectTests", dependencies: ["GuardInspect"]),
        .testTarget(name: "GuardProfileTests", dependencies: ["GuardProfile"]),
        .testTarget(name: "GuardRuntimeAPITests", dependencies: ["GuardRuntimeAPI"], exclude: ["Fixtures"]),
        .testTarget(name: "EndToEndTests", dependencies: ["GuardCLI", "GuardProbe", "GuardJSON"], exclude: ["Fixtures"]),
    ]
)
