/// The command names the shell lexer knows. `strong` names are rarely English words;
/// `weak` ones are (`find`, `time`, `more`) and need shell-looking arguments.
enum ShellCommands {
    static let strong = """
        whoami uname ifconfig ipconfig netstat nslookup wget curl nc ncat netcat bash sh zsh ksh csh tcsh dash fish \
        powershell pwsh cmd python python2 python3 perl ruby php irb lua luajit telnet chmod chown chgrp passwd \
        useradd usermod userdel adduser crontab systeminfo tasklist taskkill certutil bitsadmin wmic nmap socat xterm \
        busybox base64 base32 xxd rmt c89 c99 gcc g++ cc clang jrunscript jjs osascript tftp printenv id pwd ls ps \
        dir awk gawk nawk mawk sed grep egrep fgrep zgrep rgrep rm sudo doas nohup xargs wc od hexdump strings whereis \
        lsof arp traceroute tracert tracepath dig getent uptime dmesg ping ping6 ip hostname hostid cat tac echo printf \
        sleep reg ver env vi vim nvim nano emacs ed ex mkdir rmdir cp mv ln tar zip unzip gzip gunzip bzip2 xz 7z \
        dd timeout mysql psql sqlite3 mongo redis-cli setsid chroot ssh scp sftp ftp sendmail node nodejs java javac \
        deno bun systemctl iptables nft tcpdump tshark ifup ifdown rundll32 regsvr32 mshta cscript wscript schtasks \
        netsh icacls cacls attrib takeown vssadmin bcdedit bcdboot diskpart sc wevtutil fsutil diskshadow esentutl \
        msiexec installutil regasm regsvcs msbuild forfiles pcalua syncappvpublishingserver \
        nice renice strace ltrace gdb lldb valgrind ansible ansible-playbook ansible-galaxy ansible-inventory \
        ansible-doc ansible-console ansible-pull ansible-vault chef-shell chef-vault chef-client \
        cscli visudo tmux shuf base58 uuencode uudecode openssl \
        gpg php-cgi pkill pgrep killall htop iftop nethogs rpm dpkg apt apt-get yum dnf apk pacman \
        pip pip3 npm npx yarn cargo composer docker podman kubectl terraform gcloud \
        mount umount fdisk mkfs losetup modprobe insmod rmmod lsmod sysctl ulimit chattr lsattr setfacl getfacl \
        sshpass nsenter unshare capsh setcap getcap runc ctr crictl lxc tclsh wish rlwrap socat2 stty tput \
        zsoelim soelim troff nroff groff mail mailx mutt hping3 masscan sqlmap msfconsole msfvenom \
        nikto hashcat wpscan whatweb gobuster ffuf dirb rustscan zip7 unrar xdg-open \
        .shell .system certreq ldifde csvde dsquery nltest klist qwinsta quser whoami.exe ipconfig.exe \
        systeminfo.exe netstat.exe cmd.exe powershell.exe net.exe nc.exe wget.exe curl.exe sh.exe bash.exe \
        iwmi sysinfo locate updatedb mlocate cscli flock cpulimit lastlog lastlogin regedit aptitude bsdtar ll la .databases .tables .dump \
        .import .read .open .load .output .once ssh-copy-id ssh-keygen ssh-keyscan \
        findstr xcopy robocopy cmdkey runas ntdsutil vaultcmd wusa whoami.exe tasklist.exe
        """

    static let weak = """
        type find more less touch kill set del copy start call at cut sort tr tee file which history jobs last who \
        w finger route mail open make time date host man join paste exec eval expr service shutdown reboot su uniq \
        diff rev nl explorer head tail net cd fold split look pr fmt watch wait yes true false alias unalias export \
        source test read print write wall talk logger env trap umask bind hash help let local return shift \
        logout exit halt poweroff init run screen script expect chef knife column bridge comm john hydra top perf \
        snap gem helm query expand go vigr vipw ksshell pkexec tmate torify torsocks chpasswd newgrp enum4linux crackmapexec rpcclient smbclient smbmap
        """

    /// Unix tools (GTFOBins-style binaries) that are weak and, besides, only count with
    /// arguments or inside a substitution: alone they are too often a word (`view`, `install`).
    static let argsOnly = """
        aria2c ash atobm basenc bpftrace busctl byebug cabal cdist certbot check_by_ssh check_cups check_log \
        check_memory check_raid check_ssl_cert check_statusfile choom cmp cobc cowsay cowthink cpan cpio csplit \
        csvtool cupsfilter debugfs dialog dmidecode dmsetup dosbox dstat dvips easy_install eb efax eqn espeak \
        exiftool facter fping gcore genisoimage ghc ghci gimp ginsh git grc gtester hd highlight iconv install \
        ionice ispell joe journalctl jq jtag julia ksu latex latexmk ldconfig lftp links loginctl \
        logsave lp lualatex luatex lwp-download lwp-request minicom mosquitto msgattrib msgcat msgconv \
        msgfilter msgmerge msguniq mtr multitime nasm ncdu ncftp neofetch nm octave openvpn openvt opkg pandoc \
        pax pdb pdflatex pdftex perlbug pexec pg pic pico pidstat pkg pry psftp ptx puppet rake rc \
        readelf red redcarpet restic rpmdb rpmquery rpmverify rsync rtorrent run-mailcap run-parts rview rvim \
        sash scanmem scrot setarch setlock sg slsh socket softlimit ss ssh-agent start-stop-daemon \
        systemd-resolve tasksh tbl tdbtool tex tic timedatectl ul unexpand unsquashfs \
        update-alternatives vagrant view vimdiff virsh volatility w3m whiptail wireshark xdg-user-dir \
        xdotool xelatex xetex xmodmap xmore xpad yash yelp zathura zypper whois apropos sshd \
        impacket-psexec psexec auditpol dsget dsmod
        """

    static let needsArgs = WordTable(words: argsOnly, value: true)

    /// The tier of a command word, also for `ansible-doc` (a family), `gcc10.1` and
    /// `python3.11` (a version).
    static func lookup(_ word: [UInt8]) -> ShellDetector.Tier? {
        if let t = table.lookup(word) { return t }
        var w = word
        while let last = w.last, isDigit(last) || last == 46 { w.removeLast() }
        if w.count >= 2, w.count < word.count, let t = table.lookup(w), t == .strong { return t }
        if let dash = word.firstIndex(of: 45), dash >= 3, let t = table.lookup(word[..<dash]), t == .strong { return t }
        return nil
    }

    static let table: WordTable<ShellDetector.Tier> = {
        var d: [([UInt8], ShellDetector.Tier)] = []
        for w in strong.split(whereSeparator: { $0 == " " || $0 == "\n" }) { d.append((Array(w.utf8), .strong)) }
        for w in weak.split(whereSeparator: { $0 == " " || $0 == "\n" }) { d.append((Array(w.utf8), .weak)) }
        for w in argsOnly.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\\" }) {
            d.append((Array(w.utf8), .weak))
        }
        return WordTable(d)
    }()

    /// Strong commands that are also nouns of prose about software ("; python rocks"): after an
    /// operator they need shell-looking arguments like the weak ones.
    static let prose = WordTable(
        words: """
            python python2 python3 ruby perl php java node nodejs docker git npm pip pip3 go cargo gem yarn helm aws \
            gcloud az ping echo cat sleep kill ls id ps env ver reg ip nc cc sh ed ex vi vim nano emacs top w mail open \
            rm cp mv ln dd tar zip man mysql psql mongo ssh ftp screen script tail head find more less dir lua tmux \
            expect make deno bun gpg snap printf locate strings file sort time date host route net cd
            """, value: true)

    /// Strong commands that are also English verbs or nouns: not judged alone at a value's start.
    static let verbs = WordTable(
        words: """
            curl bash grep crash chef knife column bridge comm screen script expect shuf split watch touch \
            mount pkill kill sudo tee trap look fold cut paste join sort uniq whois dig host finger route \
            which where locate unzip mail nice time wall apropos terraform kubectl cmake gcc clang openssl gpg tmux
            """, value: true)

    /// Commands that run the command after them.
    static let prefixes = WordTable(
        words:
            "time nohup sudo doas env exec call nice timeout xargs strace busybox setsid chroot watch command builtin stdbuf ionice taskset",
        value: true)
}
