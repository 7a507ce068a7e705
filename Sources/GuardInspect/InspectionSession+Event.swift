/// Walking an event: the shapes of API Gateway, ALB, function URL, SQS, SNS and EventBridge
/// events, and any other JSON (every key and string value).
extension InspectionSession {
    enum WalkContext { case event, generic, headers, metadata }

    static let kBody = u8("body")
    static let kBase64 = u8("isbase64encoded")
    static let kHeaders = u8("headers")
    static let kMultiHeaders = u8("multivalueheaders")
    static let kContentType = u8("content-type")
    static let kRawQuery = u8("rawquerystring")
    static let kCookies = u8("cookies")
    static let kCookie = u8("cookie")
    static let kRequestContext = u8("requestcontext")
    static let kAuthorizer = u8("authorizer")
    static let kRawPath = u8("rawpath")
    static let kPath = u8("path")
    static let kProto = u8("__proto__")
    static let kConstructor = u8("constructor")
    static let kPrototype = u8("prototype")

    @inline(__always) static func keyIs(_ key: ArraySlice<UInt8>, _ word: [UInt8]) -> Bool {
        guard key.count == word.count else { return false }
        var j = 0
        for c in key {
            if lowerASCII(c) != word[j] { return false }
            j += 1
        }
        return true
    }

    mutating func walk(_ doc: JSONDocument, _ i: Int, context: WalkContext, parentKey: ArraySlice<UInt8> = []) {
        guard !stopped else { return }
        let node = doc.nodes[i]
        switch node.kind {
        case .object: walkObject(doc, i, context: context, parentKey: parentKey)
        case .array:
            var j = i + 1
            var index = 0
            while j < Int(node.next) && !stopped {
                let mark = push(index: index)
                walk(doc, j, context: context == .event ? .generic : context, parentKey: parentKey)
                pop(mark)
                j = doc.after(j)
                index += 1
            }
        case .string:
            let s = doc.string(i)
            switch context {
            case .metadata: return
            case .headers: scanHeader(name: parentKey, value: s)
            case .event, .generic: scanString(s, role: .value)
            }
        case .number, .literal: return
        }
    }

    mutating func walkObject(_ doc: JSONDocument, _ i: Int, context: WalkContext, parentKey: ArraySlice<UInt8>) {
        let end = Int(doc.nodes[i].next)
        var j = i + 1
        if context == .metadata {
            // Request context: only what a client or an authorizer can set is scanned.
            while j < end && !stopped {
                let key = doc.string(j)
                if Self.keyIs(key, Self.kAuthorizer) {
                    let mark = push(key)
                    walk(doc, j + 1, context: .generic, parentKey: key)
                    pop(mark)
                }
                j = doc.after(j + 1)
            }
            return
        }
        // Only an event API Gateway made (it has a requestContext) has values it set itself.
        let gatewaySet = context == .event && Self.hasKey(doc, i, Self.kRequestContext)
        while j < end && !stopped {
            let key = doc.string(j)
            let v = j + 1
            let mark = push(key)
            defer { pop(mark) }
            let vkind = doc.nodes[v].kind
            if context != .headers { scanKey(key, parentKey: parentKey) }
            if context == .headers {
                if vkind == .string {
                    scanHeader(name: key, value: doc.string(v))
                } else {
                    walk(doc, v, context: .headers, parentKey: key)
                }
                j = doc.after(v)
                continue
            }
            if vkind == .string {
                let s = doc.string(v)
                // Values API Gateway itself sets from its configuration (route, stage, method).
                if gatewaySet, Self.eventSetValues.contains(key) {
                    j = doc.after(v)
                    continue
                }
                if Self.keyIs(key, Self.kBody) {
                    let (base64Body, contentType) = Self.bodyFacts(doc, i)
                    inspectBody(s, base64: base64Body, contentType: contentType)
                } else if Self.keyIs(key, Self.kRawQuery) {
                    inspectForm(s, plusIsSpace: true)
                } else if Self.keyIs(key, Self.kRawPath) || (Self.keyIs(key, Self.kPath) && context == .event) {
                    scanValue(s, role: .path)
                } else {
                    scanString(s, role: .value)
                }
            } else if vkind == .object || vkind == .array {
                if Self.keyIs(key, Self.kHeaders) || Self.keyIs(key, Self.kMultiHeaders) {
                    walk(doc, v, context: .headers, parentKey: key)
                } else if Self.keyIs(key, Self.kRequestContext) {
                    walk(doc, v, context: .metadata, parentKey: key)
                } else if Self.keyIs(key, Self.kCookies), vkind == .array {
                    var k = v + 1
                    var index = 0
                    while k < Int(doc.nodes[v].next) && !stopped {
                        let m = push(index: index)
                        if doc.nodes[k].kind == .string { inspectCookies(doc.string(k)) }
                        pop(m)
                        k = doc.after(k)
                        index += 1
                    }
                } else {
                    walk(doc, v, context: .generic, parentKey: key)
                }
            }
            j = doc.after(v)
        }
    }

    /// Facts about the object holding a body that change how it is read: whether API
    /// Gateway marked it base64, and the content type from its headers.
    static func bodyFacts(_ doc: JSONDocument, _ i: Int) -> (base64: Bool, contentType: ArraySlice<UInt8>) {
        let end = Int(doc.nodes[i].next)
        var base64Body = false
        var contentType: ArraySlice<UInt8> = []
        var j = i + 1
        while j < end {
            let key = doc.string(j)
            let v = j + 1
            if Self.keyIs(key, Self.kBase64), doc.nodes[v].kind == .literal {
                base64Body = doc.nodes[v].next == 116  // `true`
            } else if Self.keyIs(key, Self.kHeaders) || Self.keyIs(key, Self.kMultiHeaders),
                doc.nodes[v].kind == .object
            {
                var k = v + 1
                while k < Int(doc.nodes[v].next) {
                    if Self.keyIs(doc.string(k), Self.kContentType) {
                        let hv = k + 1
                        if doc.nodes[hv].kind == .string { contentType = doc.string(hv) }
                        if doc.nodes[hv].kind == .array, hv + 1 < doc.after(hv), doc.nodes[hv + 1].kind == .string {
                            contentType = doc.string(hv + 1)
                        }
                    }
                    k = doc.after(k + 1)
                }
            }
            j = doc.after(v)
        }
        return (base64Body, contentType)
    }

    /// Keys: detectors run on them as on values, plus the structural checks (prototype
    /// pollution through `__proto__` or `constructor` → `prototype`, operator keys).
    /// The keys of the event formats themselves: not scanned as payload.
    static let knownKeys = WordTable(
        words: """
            version routeKey rawPath rawQueryString headers multiValueHeaders queryStringParameters \
            multiValueQueryStringParameters pathParameters stageVariables requestContext body isBase64Encoded cookies \
            resource path httpMethod Records messageId receiptHandle attributes messageAttributes md5OfBody eventSource \
            eventSourceARN awsRegion Sns Type MessageId TopicArn Subject Message Timestamp SignatureVersion Signature \
            SigningCertUrl SigningCertURL UnsubscribeUrl UnsubscribeURL MessageAttributes EventSource EventVersion \
            EventSubscriptionArn detail detail-type source account time region resources id ApproximateReceiveCount \
            SentTimestamp SenderId ApproximateFirstReceiveTimestamp stringValue binaryValue dataType kinesis data \
            partitionKey sequenceNumber eventID eventName eventVersion invokeIdentityArn
            """, value: true)

    mutating func scanKey(_ key: ArraySlice<UInt8>, parentKey: ArraySlice<UInt8>) {
        if key.count <= 32, key.count >= 2, let f = key.first, isAlpha(f), Self.knownKeys.contains(key) { return }
        if Self.keyIs(key, Self.kProto) {
            reportStructure(.proto, evidence: key)
        } else if Self.keyIs(key, Self.kPrototype), Self.keyIs(parentKey, Self.kConstructor) {
            reportStructure(.proto, evidence: parentKey + [46] + key)
        }
        scanValue(key, role: .key)
    }

    /// Top-level fields of an API Gateway event whose values come from the API's
    /// configuration, not the client.
    static let eventSetValues = WordTable(words: "version routeKey resource httpMethod", value: true)

    /// Does the object at `i` have the key `word` (lowercase)?
    static func hasKey(_ doc: JSONDocument, _ i: Int, _ word: [UInt8]) -> Bool {
        var j = i + 1
        while j < Int(doc.nodes[i].next) {
            if keyIs(doc.string(j), word) { return true }
            j = doc.after(j + 1)
        }
        return false
    }

    /// Headers that API Gateway, CloudFront or the load balancer set or overwrite, or that
    /// only carry protocol mechanics: not scanned.
    static let infrastructureHeaders = WordTable(
        words: """
            x-amzn-trace-id x-forwarded-proto x-forwarded-port content-length accept-encoding connection via x-amz-cf-id \
            x-amzn-tls-version x-amzn-tls-cipher-suite x-amzn-vpc-id x-amzn-vpce-id x-amzn-vpce-config \
            cloudfront-forwarded-proto cloudfront-is-desktop-viewer cloudfront-is-mobile-viewer \
            cloudfront-is-smarttv-viewer cloudfront-is-tablet-viewer cloudfront-viewer-country cloudfront-viewer-asn \
            sec-fetch-dest sec-fetch-mode sec-fetch-site sec-fetch-user sec-ch-ua-mobile upgrade-insecure-requests \
            x-amz-date x-amz-content-sha256 x-amz-security-token
            """, value: true)

    mutating func scanHeader(name: ArraySlice<UInt8>, value: ArraySlice<UInt8>) {
        if Self.keyIs(name, Self.kCookie) {
            inspectCookies(value)
            return
        }
        let lower = name.map(lowerASCII)
        if Self.infrastructureHeaders.contains(lower[...]) { return }
        scanValue(value, role: .header, name: lower)
    }

    /// A string value: JSON inside a string (SNS messages, SQS bodies) is walked as JSON.
    mutating func scanString(_ s: ArraySlice<UInt8>, role: ValueRole) {
        if nesting < 4, s.count >= 2, let first = s.first, first == 123 || first == 91 {
            let walked: Bool = s.withUnsafeBufferPointer { buf in
                guard JSONDocument.looksLikeJSON(buf),
                    let doc = try? JSONDocument.parse(
                        buf, maxDepth: inspector.limits.maxDepth, maxNodes: inspector.limits.maxStrings)
                else { return false }
                nesting += 1
                walk(doc, 0, context: .generic)
                nesting -= 1
                return true
            }
            if walked { return }
        }
        scanValue(s, role: role)
    }

    /// A request body: base64 as API Gateway marks it, then by content type (JSON, form,
    /// anything else as one value). Without a content type the body is sniffed.
    mutating func inspectBody(_ raw: ArraySlice<UInt8>, base64: Bool, contentType: ArraySlice<UInt8>) {
        var body = raw
        if base64, let d = Decoder.base64Decode(raw) { body = d[...] }
        let ct = Array(contentType).map(lowerASCII)
        if ct.find("json") != nil || (ct.isEmpty && body.first.map { $0 == 123 || $0 == 91 } == true) {
            scanString(body, role: .body)
        } else if ct.find("x-www-form-urlencoded") != nil || (ct.isEmpty && looksLikeForm(body)) {
            inspectForm(body, plusIsSpace: true)
        } else {
            scanValue(body, role: .body)
        }
    }

    func looksLikeForm(_ b: ArraySlice<UInt8>) -> Bool {
        var sawEquals = false
        for c in b {
            if c == 61 { sawEquals = true } else if c == 10 || c == 13 || c == 60 { return false }
        }
        return sawEquals
    }

    /// `a=1&b=2`: each name and value, decoded, at `<pointer>/<name>`.
    mutating func inspectForm(_ s: ArraySlice<UInt8>, plusIsSpace: Bool) {
        var start = s.startIndex
        while start <= s.endIndex && !stopped {
            var end = start
            while end < s.endIndex && s[end] != 38 { end += 1 }
            let pair = s[start..<end]
            if !pair.isEmpty {
                var eq = pair.startIndex
                while eq < pair.endIndex && pair[eq] != 61 { eq += 1 }
                let rawName = pair[pair.startIndex..<eq]
                let name =
                    plusIsSpace
                    ? Decoder.formDecode(rawName) : (Decoder.percentDecode(Array(rawName)) ?? Array(rawName))
                let mark = push(name[...])
                scanKey(name[...], parentKey: [])
                if eq < pair.endIndex {
                    let rawValue = pair[(eq + 1)...]
                    let value =
                        plusIsSpace
                        ? Decoder.formDecode(rawValue) : (Decoder.percentDecode(Array(rawValue)) ?? Array(rawValue))
                    scanString(value[...], role: .value)
                }
                pop(mark)
            }
            start = end + 1
        }
    }

    /// `a=1; b=2`: each cookie's name and value at `<pointer>/<name>`.
    mutating func inspectCookies(_ s: ArraySlice<UInt8>) {
        var start = s.startIndex
        while start < s.endIndex && !stopped {
            var end = start
            while end < s.endIndex && s[end] != 59 { end += 1 }
            var a = start
            while a < end && s[a] == 32 { a += 1 }
            let pair = s[a..<end]
            if !pair.isEmpty {
                var eq = pair.startIndex
                while eq < pair.endIndex && pair[eq] != 61 { eq += 1 }
                let name = pair[pair.startIndex..<eq]
                let mark = push(name)
                scanKey(name, parentKey: [])
                if eq < pair.endIndex { scanString(pair[(eq + 1)...], role: .value) }
                pop(mark)
            }
            start = end + 1
        }
    }
}
