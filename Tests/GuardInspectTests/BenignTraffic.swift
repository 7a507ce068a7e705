import Foundation

/// Realistic API traffic that must pass: names with apostrophes, prose with quotes,
/// semicolons and SQL or shell words, code snippets, markdown, JSON, URLs, emails,
/// base64 and JWTs, multilingual text. Deterministic (a fixed-seed generator).
enum BenignTraffic {
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        mutating func pick<T>(_ a: [T]) -> T { a[Int(next() % UInt64(a.count))] }
    }

    static let names = [
        "O'Brien", "D'Angelo", "Sinéad O'Connor", "Zoë Saldaña", "Jean-Luc Picard", "Mary-Kate O'Neil", "José Núñez",
        "Nguyễn Văn An", "Björk Guðmundsdóttir", "Łukasz Żółw", "Åsa Ødegård", "Siobhán Mac Giolla",
        "Ngũgĩ wa Thiong'o",
        "Renée d'Arcy", "Tom O'Reilly-Smith", "Dr. Anne-Marie L'Estrange", "Ma'ayan Levi", "Dunkin' Donuts",
    ]
    static let prose = [
        "Please select the best option; then update your profile.",
        "Drop by anytime; we're open until 9 or 10, depending on the day.",
        "I'd like to order 2 pizzas and 1 salad, or maybe 3 pizzas.",
        "Can you union the two lists and select distinct names?",
        "We'll insert the new clause into the contract where appropriate.",
        "Delete my account from your mailing list, please.",
        "Sleep well and don't forget: cat food is on the top shelf.",
        "Join us for a talk on \"Why 1 = 1 isn't always true\" this Friday.",
        "He said 'yes' and then 'no' - which one is it?",
        "The table was set for 4; the chairs were from an old union hall.",
        "Order by phone or online; shipping is free over $50.",
        "Where can I find the exec summary? It's in the shared drive.",
        "My password reset email didn't arrive :( can you resend?",
        "Echo chamber effects are real; see the paper by Smith et al. (2019).",
        "Ping me when you're back; I'll be at the cafe & library.",
        "Rock 'n' roll never dies -- Neil Young said so in '79.",
        "The kids' drawings (ages 4-7) are on the fridge.",
        "5 stars!!! Would buy again :) #happy",
        "Is it 'color' or 'colour'? Both, depending on where you live.",
        "Meeting notes: 1) budget, 2) hiring; 3) Q&A at the end.",
        "Our café's menu: croissants, pains au chocolat & brioche.",
        "Can't log in -- it says \"invalid token\"; tried twice already.",
        "Copy & paste the code from the email into the box.",
        "Type your name, then press enter; that's it.",
        "See you at 10:30 @ the office (room 3B).",
        "50% off everything this weekend; use code SAVE50.",
        "Where's the admin? I need access to the 'reports' folder.",
        "The \"or\" operator returns true if either side is true.",
        "SELECT your seat on the map, then pay at checkout.",
        "Tickets: $25 adults / $10 kids; under 3s go free.",
        "Please find attached the invoice #4411 for March.",
        "It's 5 o'clock somewhere; cheers!",
        "Let's grep the logs later; for now, just restart it.",
        "The sum of 2 + 2 = 4, and 3 * 3 = 9.",
        "Shipping to O'Fallon, MO 63366 -- is that possible?",
        "Call me at +1 (555) 010-2030 or email me; either works.",
        "Write-up due Friday; cut/paste from last year's is fine.",
        "We moved from /home/old to a new office on 5th Ave.",
        "Hi!\nThanks for the quick reply.\nBest,\nSam",
        "Dear team,\r\nPlease review the attached draft.\r\nRegards,\r\nKim",
        "Select all that apply; then click \"Next\".",
        "From the drop-down, select \"Other\" where applicable.",
        "I'd rate it 5/5 -- would order again!",
        "Use the \"sleep\" timer: 30 or 60 min.",
        "My cat's name is \"Echo\"; she's 3 years old.",
        "Can you ping me at 10:30? Thanks!",
        "The formula is =SUM(A1:A10) in Excel.",
        "1=1 is always true, right?",
        "He's 6'2\" and 180 lbs.",
        "Meet @ 5pm; bring ID & cash.",
        "Tom's \"special\" sauce; don't ask.",
        "5' or 6'? The shelf is 5' tall.",
        "Price: ${{price}} incl. VAT",
        "$HOME/.config is where settings go.",
        "The `rm -rf` command is dangerous!",
        "Server at 192.168.1.10:8080 is down, says the status page.",
    ]
    static let code = [
        "for i in range(10): print(i)",
        "const x = items.filter(i => i.done).length;",
        "if (a > b) { return a; } else { return b; }",
        "Use a parameterized query; never build SQL from strings.",
        "df.groupby('region').agg({'sales': 'sum'})",
        "Use `git log --oneline` to see history.",
        "Run `npm install` and then `npm test`.",
        "```python\ndef add(a, b):\n    return a + b\n```",
        "```bash\nls -la | grep txt\n```",
        "Kotlin: val x = listOf(1, 2, 3).map { it * 2 }",
        "In Go: `fmt.Println(\"hi\")`",
        "println!(\"{}\", x); // Rust",
        "List<String> names = new ArrayList<>();",
        "x = y; z = 1;",
        "a && b || c",
        "try { foo(); } catch (e) { console.error(e); }",
        "<b>bold</b> and <i>italic</i> text",
        "<a href=\"https://example.com/docs\">docs</a>",
        "<p>Hello, world!</p>",
        "<img src=\"/images/logo.png\" alt=\"Logo\">",
        "Regex: ^[a-z0-9_-]{3,16}$",
        "Path: C:\\Users\\sam\\Documents\\report.docx",
        "Config at ~/.config/app/settings.toml",
        "cURL example: curl is installed by default on macOS",
        "Price: {{price}} — {{currency}}",
        "Hello {{first_name}}, your order {{order_id}} has shipped!",
        "Dear ${NAME}, your balance is ${BALANCE}.",
        "Template: {% if user %}Hi {{ user.name }}{% endif %}",
        "a[b/1234*c] is the formula",
        "math: (x + y) * (x - y) = x^2 - y^2",
    ]
    static let markdown = [
        "# Release notes\n\n- Fixed login bug\n- Faster search",
        "**Important:** read the [docs](https://example.com/docs) first.",
        "> Quote: \"The only way out is through.\"",
        "| Name | Type |\n|------|------|\n| id | int |",
        "1. Install\n2. Configure\n3. Run",
        "![screenshot](https://img.example.com/a.png \"Screenshot\")",
        "Use *emphasis* and `code` sparingly.",
        "- [ ] todo\n- [x] done",
    ]
    static let urls = [
        "https://example.com/search?q=shoes&size=9",
        "https://www.google.com/url?q=https://example.com/path/&sa=D",
        "http://example.org/a/b/c?x=1&y=2#section",
        "https://api.example.com/v1/users/42/orders?limit=10&offset=20",
        "https://cdn.example.com/img/logo@2x.png?v=3",
        "https://maps.example.com/?ll=51.5,-0.12&z=14",
        "mailto:support@example.com?subject=Hello",
        "https://en.wikipedia.org/wiki/O'Brien_(surname)",
        "/api/v1/items?sort=-created_at",
        "https://example.com/redirect?to=/dashboard",
    ]
    static let emails = [
        "sam.o'neil@example.com", "first.last+tag@sub.example.co.uk", "\"john smith\"@example.org", "user_1@example.io",
    ]
    static let tokens = [
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        "SGVsbG8sIFdvcmxkIQ==", "dGhpcyBpcyBhIHRlc3Q=", "d41d8cd98f00b204e9800998ecf8427e",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "AKIAIOSFODNN7EXAMPLE",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "550e8400-e29b-41d4-a716-446655440000",
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    ]
    static let multilingual = [
        "Привет, как дела? Всё хорошо.", "こんにちは、元気ですか？", "你好，世界！我们明天见。", "مرحبا بالعالم",
        "שלום עולם", "Γειά σου Κόσμε", "नमस्ते दुनिया", "Ça va? Très bien, merci !", "¿Dónde está la estación?",
        "Grüße aus Köln; bis morgen!", "L'été dernier, j'ai visité l'île d'Oléron.", "Dziękuję bardzo!",
        "안녕하세요 세계", "Xin chào thế giới", "Olá! Tudo bem?",
    ]
    static let json = [
        "{\"event\":\"user.signup\",\"data\":{\"email\":\"sam@example.org\",\"plan\":\"pro\"}}",
        "{\"query\":\"select a plan\",\"filters\":{\"price\":{\"max\":100}},\"sort\":\"price\"}",
        "{\"comment\":\"Great product; would 'definitely' recommend!\",\"rating\":5}",
        "{\"items\":[{\"sku\":\"A-1\",\"qty\":2},{\"sku\":\"B-2\",\"qty\":1}],\"note\":\"leave at door\"}",
        "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\"}",
        "{\"user\":{\"name\":\"O'Hara\",\"bio\":\"Engineer & runner; loves SQL and shell scripts.\"}}",
        "{\"address\":\"10 Downing St, London\",\"ip\":\"203.0.113.5\"}",
        "{\"html\":\"<p>Welcome <b>back</b>!</p>\",\"lang\":\"en\"}",
    ]

    /// Values by kind, mixed: `count` values in all.
    static func values(count: Int, seed: UInt64 = 42) -> [String] {
        var rng = Rng(state: seed)
        let pools: [[String]] = [names, prose, code, markdown, urls, emails, tokens, multilingual, json]
        var out: [String] = []
        for pool in pools { out += pool }
        while out.count < count {
            let a = rng.pick(pools)
            var v = rng.pick(a)
            // Combine two, as real fields often do ("Name — comment").
            if rng.next() % 3 == 0 { v += rng.pick([" — ", "; ", " ", ", ", "\n"]) + rng.pick(rng.pick(pools)) }
            out.append(v)
        }
        return out
    }
}
