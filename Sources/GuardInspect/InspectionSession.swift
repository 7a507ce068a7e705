/// The state of one inspection: findings so far, the budget left, the JSON pointer of the
/// value being scanned, and the values already scanned (an event often carries the same
/// value twice, e.g. `rawQueryString` and `queryStringParameters`).
struct InspectionSession {
    let inspector: Inspector
    var findings: [Finding] = []
    var error: String?
    var stringsSeen = 0
    var bytesScanned = 0
    let deadline: Int
    /// Values already scanned: hash → the bytes, compared on a hit (a crafted collision must
    /// not hide a value).
    var seen = ValueSet()
    /// Classes already reported, per location, so one value yields one finding per class.
    var reported = HashSet64()
    var pointer: [UInt8] = []
    var stopped = false
    /// How many JSON documents nested in strings we are inside.
    var nesting = 0

    static let window = 32 << 10
    static let overlap = 1 << 10

    init(inspector: Inspector) {
        self.inspector = inspector
        self.deadline = monotonicMicros() + inspector.limits.maxMicroseconds
    }

    var result: InspectionResult { InspectionResult(findings: findings, error: error) }

    mutating func fail(_ message: String) {
        if error == nil { error = message }
        stopped = true
    }

    // MARK: Pointer

    @inline(__always) mutating func push(_ segment: ArraySlice<UInt8>) -> Int {
        let mark = pointer.count
        pointer.append(47)
        for c in segment {
            if c == 126 {
                pointer.append(126); pointer.append(48)
            } else if c == 47 {
                pointer.append(126); pointer.append(49)
            } else {
                pointer.append(c)
            }
        }
        return mark
    }

    @inline(__always) mutating func push(index: Int) -> Int {
        let mark = pointer.count
        pointer.append(47)
        if index == 0 { pointer.append(48); return mark }
        var digits: [UInt8] = []
        var v = index
        while v > 0 { digits.append(UInt8(48 + v % 10)); v /= 10 }
        pointer.append(contentsOf: digits.reversed())
        return mark
    }

    @inline(__always) mutating func pop(_ mark: Int) { pointer.removeLast(pointer.count - mark) }

    // MARK: Entry points

    mutating func inspectPayload(_ bytes: [UInt8], location: String) {
        pointer = Array(location.utf8)
        scanValue(bytes[...], role: .value)
    }

    mutating func inspectEvent(_ bytes: UnsafeBufferPointer<UInt8>) {
        let limits = inspector.limits
        if bytes.count > limits.maxEventBytes {
            fail(
                "event of \(bytes.count) bytes exceeds the limit of \(limits.maxEventBytes); scanned its start as raw bytes"
            )
            stopped = false
            scanValue(Array(bytes.prefix(limits.maxScanBytes))[...], role: .body)
            stopped = true
            return
        }
        // Anything that opens like JSON is parsed as JSON (a truncated event is an error);
        // anything else is one raw payload.
        var first = 0
        while first < bytes.count && isSpace(bytes[first]) { first += 1 }
        guard first < bytes.count, bytes[first] == 123 || bytes[first] == 91 else {
            scanValue(Array(bytes)[...], role: .body)
            return
        }
        do {
            let doc = try JSONDocument.parse(bytes, maxDepth: limits.maxDepth, maxNodes: limits.maxStrings * 2)
            walk(doc, 0, context: .event)
        } catch {
            switch error {
            case .malformed(let at): self.error = "malformed JSON at byte \(at); scanned as raw bytes"
            case .tooDeep(let at):
                self.error = "JSON nested deeper than \(limits.maxDepth) at byte \(at); scanned as raw bytes"
            case .tooLarge: self.error = "more than \(limits.maxStrings) JSON values; scanned as raw bytes"
            }
            let raw = Array(bytes.prefix(limits.maxScanBytes))
            scanValue(raw[...], role: .body)
            if bytes.count > limits.maxScanBytes { stopped = true }
        }
    }

    // MARK: Values

    /// Runs the detectors over every decoded form of one string at the current pointer.
    mutating func scanValue(_ bytes: ArraySlice<UInt8>, role: ValueRole, name: [UInt8] = []) {
        guard !stopped, !bytes.isEmpty else { return }
        let limits = inspector.limits
        stringsSeen += 1
        if stringsSeen > limits.maxStrings {
            fail("budget exhausted: more than \(limits.maxStrings) strings")
            return
        }
        if stringsSeen & 63 == 0 && monotonicMicros() > deadline {
            fail("budget exhausted: more than \(limits.maxMicroseconds) µs")
            return
        }
        var bytes = bytes
        var overBudget = false
        if bytesScanned + bytes.count > limits.maxScanBytes {
            // Scan what the budget allows, then stop with an error.
            bytes = bytes.prefix(max(0, limits.maxScanBytes - bytesScanned))
            overBudget = true
        }
        defer { if overBudget { fail("budget exhausted: more than \(limits.maxScanBytes) bytes to scan") } }
        bytesScanned += bytes.count
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(role.rawValue)
        for c in bytes { h = (h ^ UInt64(c)) &* 0x100_0000_01b3 }
        let array = Array(bytes)
        if !seen.insert(array, hash: h) { return }

        if bytes.count <= Self.window {
            if role == .header, array.count <= 1024, let cache = inspector.cache {
                let key = VerdictCache.key(array, name: name, valueHash: h)
                if cache.contains(key) { return }
                let before = findings.count
                scanWindow(array, role: role, name: name)
                if findings.count == before { cache.insert(key) }
                return
            }
            scanWindow(array, role: role, name: name)
            return
        }
        var start = bytes.startIndex
        while start < bytes.endIndex && !stopped {
            let end = min(start + Self.window, bytes.endIndex)
            scanWindow(Array(bytes[start..<end]), role: role, name: name)
            if end == bytes.endIndex { break }
            start = end - Self.overlap
            if monotonicMicros() > deadline {
                fail("budget exhausted: more than \(limits.maxMicroseconds) µs")
            }
        }
    }

    mutating func scanWindow(_ bytes: [UInt8], role: ValueRole, name: [UInt8]) {
        var found: UInt16 = 0
        let mask = inspector.mask
        if Detectors.isInert(bytes, role: role) {
            if let hit = Detectors.inertCheck(bytes, role: role, mask: mask) {
                report(hit.0, bytes, hit.1)
            }
            return
        }
        guard let variants = Decoder.variants(bytes) else {
            runDetectors(bytes, role: role, name: name, found: &found)
            return
        }
        for variant in variants {
            runDetectors(variant, role: role, name: name, found: &found)
            if found == mask.bits { break }
        }
    }

    @inline(__always)
    mutating func runDetectors(_ variant: [UInt8], role: ValueRole, name: [UInt8], found: inout UInt16) {
        let mask = inspector.mask
        let text = ScanText(variant, role: role, name: name)
        for cls in Detectors.classes {
            let bit: UInt16 = 1 << UInt16(cls.index)
            guard mask.bits & bit != 0, found & bit == 0 else { continue }
            if let r = Detectors.detect(cls, text) {
                found |= bit
                report(cls, variant, r)
            }
        }
    }

    mutating func report(_ cls: DetectorClass, _ bytes: [UInt8], _ range: Range<Int>) {
        guard findings.count < inspector.limits.maxFindings else { return }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(cls.index)
        for c in pointer { h = (h ^ UInt64(c)) &* 0x100_0000_01b3 }
        guard reported.insert(h) else { return }
        findings.append(
            Finding(
                detectorClass: cls, location: String(decoding: pointer, as: UTF8.self), evidence: excerpt(bytes, range))
        )
    }

    mutating func reportStructure(_ cls: DetectorClass, evidence: ArraySlice<UInt8>) {
        guard inspector.mask.contains(cls) else { return }
        let e = Array(evidence)
        report(cls, e, 0..<e.count)
    }
}
