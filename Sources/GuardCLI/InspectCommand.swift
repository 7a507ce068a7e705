import Glibc
import GuardInspect
import GuardPolicy

/// `guard inspect [options] [FILE...]`: scan events or raw payloads offline.
///
/// Without `--jsonl` each FILE (or stdin) is one input: a JSON event, or a raw payload when
/// it is not JSON; one result line is printed per input. With `--jsonl` every line is one
/// event and one result line is printed per line, in order:
/// `{"line":N,"verdict":"block"|"clean","findings":[{"class","location","evidence"}]}`.
/// A line that is not JSON is still scanned as a raw payload, and its result carries an
/// `"error"`; so does an event whose inspection ran out of budget.
///
/// Exit status: 2 for a usage error, an unreadable file, or any result with an error (the
/// scan was incomplete); otherwise 1 when anything was found, 0 when all is clean.
/// `--mode audit` reports the same lines but exits 0 for findings.
enum InspectCommand {
    static let help = """
        usage: guard inspect [options] [FILE...]

        Scan API Gateway / ALB / function URL / SQS / SNS / EventBridge events, any JSON, or raw
        payloads for injection attacks. Reads stdin when no FILE is given.

        options:
          --jsonl                    one JSON event per input line, one result line per input line
          --detectors LIST           comma-separated classes, or all (default: the policy's
                                     payload.detectors, else all): \(DetectorClass.allCases.map(\.rawValue).joined(separator: " "))
          --budget-ms N              time budget per event in milliseconds (default 250)
        \(CommonOptions.help)

        exit status: 0 clean, 1 findings, 2 usage or input error (including malformed lines)
        """

    static func main(_ arguments: ArraySlice<String>) -> Int32 {
        var common = CommonOptions()
        var jsonl = false
        var detectorList: String?
        var budgetMs: Int?
        var files: [String] = []
        var args = ArgumentCursor(arguments)
        do throws(UsageError) {
            while !args.isAtEnd {
                args.load()
                if try common.consume(&args) {
                    args.advance()
                    continue
                }
                switch args.flag {
                case "--jsonl": jsonl = true
                case "--detectors": detectorList = try args.value()
                case "--budget-ms":
                    let v = try args.value()
                    guard let n = Int(v), n > 0 else {
                        throw UsageError(message: "--budget-ms takes a positive number, not '\(v)'")
                    }
                    budgetMs = n
                case "-h", "--help":
                    print(help)
                    return 0
                case "--":
                    files += args.remaining
                    args.advance()
                    while !args.isAtEnd { args.advance() }
                    continue
                default:
                    if args.flag.hasPrefix("-") && args.flag != "-" {
                        throw UsageError(message: "unknown option '\(args.flag)'")
                    }
                    files.append(args.current)
                }
                args.advance()
            }
        } catch {
            printError("guard inspect: \(error.message)\n\n\(help)")
            return 2
        }

        let detectors: Set<DetectorClass>
        do throws(UsageError) {
            detectors = try resolveDetectors(flag: detectorList, options: common)
        } catch {
            printError("guard inspect: \(error.message)")
            return 2
        }
        var limits = InspectionLimits.default
        if let budgetMs { limits.maxMicroseconds = budgetMs * 1000 }
        // GUARD_INSPECT_CACHE=0 scans every header value afresh (for measurements).
        if let v = getenv("GUARD_INSPECT_CACHE"), String(cString: v) == "0" { limits.cachedHeaderValues = 0 }
        let inspector = Inspector(detectors: detectors, limits: limits)
        var out = OutputBuffer()
        var status = Status()
        let audit = common.mode == .audit

        let inputs = files.isEmpty ? ["-"] : files
        for path in inputs {
            // Regular files are mapped, not copied (batch mode reads large files).
            if jsonl, path != "-", let mapped = MappedFile(path: path) {
                mapped.withBytes { scanLines($0, inspector: inspector, out: &out, status: &status) }
                continue
            }
            guard let data = readAll(path) else {
                printError("guard inspect: cannot read \(path): \(String(cString: strerror(errno)))")
                status.error = true
                continue
            }
            if jsonl {
                scanLines(data, inspector: inspector, out: &out, status: &status)
            } else {
                var result = data.withUnsafeBytes { inspector.inspect(event: $0) }
                // A raw payload need not be JSON: `{{7*7}}` is a payload, not a broken event.
                if result.error?.hasPrefix("malformed JSON") == true { result.error = nil }
                status.note(result)
                ResultEncoder.write(result, label: ("file", path == "-" ? .string("-") : .string(path)), into: &out)
            }
        }
        out.flush()
        if status.error { return 2 }
        if status.findings && !audit { return 1 }
        return 0
    }

    struct Status {
        var error = false
        var findings = false
        mutating func note(_ r: InspectionResult) {
            if r.error != nil { error = true }
            if r.isBlocking { findings = true }
        }
    }

    /// One result line per input line, blank lines included (they are clean).
    static func scanLines(_ data: [UInt8], inspector: Inspector, out: inout OutputBuffer, status: inout Status) {
        data.withUnsafeBytes { scanLines($0, inspector: inspector, out: &out, status: &status) }
    }

    static func scanLines(
        _ raw: UnsafeRawBufferPointer, inspector: Inspector, out: inout OutputBuffer, status: inout Status
    ) {
        do {
            guard raw.count > 0 else { return }
            let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var start = 0
            var line = 0
            let n = raw.count
            while start < n {
                var end = start
                if let p = memchr(base + start, 10, n - start) {
                    end = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
                } else {
                    end = n
                }
                line += 1
                var e = end
                if e > start && base[e - 1] == 13 { e -= 1 }
                let slice = UnsafeRawBufferPointer(start: base + start, count: e - start)
                var result = inspector.inspect(event: slice)
                if result.error == nil, !isJSONStart(slice) && e > start {
                    result.error = "line is not a JSON event; scanned as a raw payload"
                }
                status.note(result)
                ResultEncoder.write(result, label: ("line", .number(line)), into: &out)
                start = end + 1
            }
        }
    }

    static func isJSONStart(_ s: UnsafeRawBufferPointer) -> Bool {
        for c in s {
            if c == 32 || c == 9 { continue }
            return c == 123 || c == 91
        }
        return false
    }

    /// The detector set: `--detectors`, else the policy's `payload.detectors`, else all.
    static func resolveDetectors(flag: String?, options: CommonOptions) throws(UsageError) -> Set<DetectorClass> {
        if let flag { return try parseDetectors(flag.split(separator: ",").map(String.init)) }
        guard let path = options.resolvedPolicyPath else { return Set(DetectorClass.allCases) }
        let policy: Policy
        do {
            policy = try Policy.load(path: path)
        } catch {
            throw UsageError(message: "invalid policy: \(error)")
        }
        guard let payload = policy.effective(for: options.functionName).payload else { return Set(DetectorClass.allCases) }
        return payload.inspect ? try parseDetectors(payload.detectors) : []
    }

    static func parseDetectors(_ names: [String]) throws(UsageError) -> Set<DetectorClass> {
        var set = Set<DetectorClass>()
        for raw in names {
            let name = raw.trimmingSpaces
            if name.isEmpty { continue }
            if name == "all" { return Set(DetectorClass.allCases) }
            guard let c = DetectorClass(rawValue: name) else {
                throw UsageError(
                    message:
                        "unknown detector '\(name)' (known: all \(DetectorClass.allCases.map(\.rawValue).joined(separator: " ")))"
                )
            }
            set.insert(c)
        }
        guard !set.isEmpty else { throw UsageError(message: "--detectors needs at least one class") }
        return set
    }

    /// Reads a whole file, or stdin for `-`, straight into one buffer.
    static func readAll(_ path: String) -> [UInt8]? {
        let fd = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { if fd != 0 { close(fd) } }
        var st = stat()
        var capacity = 1 << 20
        if fstat(fd, &st) == 0, st.st_size > 0 { capacity = Int(st.st_size) + 1 }
        var data = [UInt8]()
        var used = 0
        while true {
            if used == capacity { capacity *= 2 }
            var failed = false
            var eof = false
            let old = data
            data = [UInt8](unsafeUninitializedCapacity: capacity) { buf, count in
                if used > 0 {
                    old.withUnsafeBufferPointer { buf.baseAddress!.update(from: $0.baseAddress!, count: used) }
                }
                var total = used
                while total < capacity {
                    let n = read(fd, buf.baseAddress! + total, capacity - total)
                    if n < 0 {
                        if errno == EINTR { continue }
                        failed = true
                        break
                    }
                    if n == 0 { eof = true; break }
                    total += n
                }
                count = total
            }
            used = data.count
            if failed { return nil }
            if eof { return data }
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
