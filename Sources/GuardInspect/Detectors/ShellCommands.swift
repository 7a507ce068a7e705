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
        iwmi sysinfo locate updatedb mlocate flock cpulimit lastlog lastlogin regedit aptitude bsdtar ll la .databases .tables .dump \
        .import .read .open .load .output .once ssh-copy-id ssh-keygen ssh-keyscan \
        findstr xcopy robocopy cmdkey runas ntdsutil vaultcmd wusa tasklist.exe \
        df  lsblk lscpu lspci lsusb lsb_release pstree compgen getconf nproc realpath readlink ldd \
        md5sum sha1sum sha256sum sha512sum cksum  mkfifo mknod hostnamectl nmcli iwconfig ethtool \
        runuser systemd-run aws az chef-run chef-solo chef-apply aa-status aa-enforce aa-complain aa-disable aa-exec \
        getmac driverquery gpresult nbtstat pathping qprocess notepad mspaint cmstp msdt odbcconf ieexec dnscmd \
        powercfg wbadmin manage-bde dism fltmc mountvol net1 csc jsc vbc wmiprvse bginfo stdbuf taskset \
        shopt  pushd popd pidof mktemp dmidecode lshw modinfo depmod swapoff swapon  blkid lvdisplay \
        vgdisplay pvdisplay ufw firewall-cmd setenforce getenforce sestatus gpasswd lastb faillog logname  tty mesg \
        conhost makecab extrac32 diantz mavinject msxsl wsl atbroker regini rpcping scriptrunner tttracer verclsid \
        wuauclt xwizard pktmon desktopimgdownldr infdefaultinstall ie4uinit cmdl32 certoc presentationhost msdeploy \
        eventvwr
        """

    static let weak = """
        type find more less touch kill set del copy start call at cut sort tr tee file which history jobs last who \
        w finger route mail open make time date host man join paste exec eval expr service shutdown reboot su uniq \
        diff rev nl explorer head tail net cd fold split look pr fmt watch wait yes true false alias unalias export \
        source test read print write wall talk logger env trap umask bind hash help let local return shift \
        logout exit halt poweroff init run screen script expect chef knife column bridge comm john hydra top perf \
        snap gem helm query expand go vigr vipw ksshell pkexec tmate torify torsocks chpasswd newgrp enum4linux crackmapexec rpcclient smbclient smbmap \
        free groups users fetch unset tree where calc choice erase rd md ren rename move stat seq arch cipher sfc \
        command builtin locale cal bc dc factor sync fg bg dirs sg
        """

    /// Unix tools (GTFOBins-style binaries) that are weak and, besides, only count with
    /// arguments or inside a substitution: alone they are too often a word (`view`, `install`).
    static let argsOnly = """
        shred parted pinky typeset du \
        aria2c ash atobm basenc bpftrace busctl byebug cabal cdist certbot check_by_ssh check_cups check_log \
        check_memory check_raid check_ssl_cert check_statusfile choom cmp cobc cowsay cowthink cpan cpio csplit \
        csvtool cupsfilter debugfs dialog dmsetup dosbox dstat dvips easy_install eb efax eqn espeak \
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

    /// Commands whose variants are named `family.member` (mkfs.ext4, mount.cifs, fsck.vfat).
    static let dotFamilies: Set<String> = ["mkfs", "mount", "umount", "fsck"]

    /// The tier of a command word, also for `ansible-doc` (a family), `gcc10.1` and
    /// `python3.11` (a version), and `certutil.exe` (a Windows program named with its extension,
    /// which no prose spells out: strong whatever the bare name's tier).
    static func lookup(_ word: [UInt8]) -> ShellDetector.Tier? {
        if let t = table.lookup(word) { return t }
        if word.count > 5, word.last == 101, word.matches(".exe", at: word.count - 4), table.lookup(word[..<(word.count - 4)]) != nil {
            return .strong
        }
        var w = word
        while let last = w.last, isDigit(last) || last == 46 { w.removeLast() }
        if w.count >= 2, w.count < word.count, let t = table.lookup(w), t == .strong { return t }
        if let dash = word.firstIndex(of: 45), dash >= 3, let t = table.lookup(word[..<dash]), t == .strong { return t }
        // mkfs.ext4, mount.cifs: a member of a family that names itself so (not "Node.js").
        if let dot = word.firstIndex(of: 46), word.count - dot <= 6, dotFamilies.contains(String(decoding: word[..<dot], as: UTF8.self)) {
            return .strong
        }
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
            expect make deno bun gpg snap printf locate strings file sort time date host route net cd notepad mspaint \
            tree where calc free groups users
            """, value: true)

    /// Strong commands that are also English verbs or nouns: not judged alone at a value's start.
    static let verbs = WordTable(
        words: """
            curl bash grep crash chef knife column bridge comm screen script expect shuf split watch touch \
            mount pkill kill sudo tee trap look fold cut paste join sort uniq whois dig host finger route \
            which where locate unzip mail nice time wall apropos terraform kubectl cmake gcc clang openssl gpg tmux
            """, value: true)

    /// Programming languages, runtimes and tools named in prose ("Perl & Python", "sed & awk",
    /// "Cat | Fish"): alone after a blank-separated operator, or with a version, they are names.
    static let languages = WordTable(
        words: """
            python python2 python3 ruby perl php java javac node nodejs deno bun lua go rust tclsh gcc clang fish awk sed \
            grep git docker npm yarn pip pip3 cargo gem helm kubectl terraform
            """,
        value: true)

    /// cmd.exe verbs judged with their objects (ShellDetector.windowsVerb): 1 route, 2 query, 3 file verbs, 4 sc.
    static let windowsVerbs = WordTable<UInt8>([
        (u8("route"), 1), (u8("query"), 2), (u8("copy"), 3), (u8("ren"), 3), (u8("rename"), 3), (u8("move"), 3),
        (u8("del"), 3), (u8("erase"), 3), (u8("sc"), 4),
    ])

    /// Tools that take a subcommand word before their options (`git clone …`, `docker run -v …`).
    static let subcommands = WordTable(
        words: """
            git docker podman kubectl helm pip pip3 npm npx yarn cargo go gem apt apt-get yum dnf apk brew aws az \
            gcloud terraform systemctl service openssl tar svn hg composer snap nmcli ansible vagrant rpm dpkg tmux
            """,
        value: true)

    /// Commands whose quoted argument is a command line they run.
    static let runners = WordTable(
        words: """
            at trap eval watch su sudo doas runuser sh bash zsh dash ksh ssh timeout xargs nohup env exec time cmd \
            powershell pwsh schtasks crontab script flock setsid chroot nice
            """,
        value: true)

    /// Network tools whose first argument is a host.
    static let netTools = WordTable(
        words: "host whois finger ping ping6 nslookup dig traceroute tracert tracepath telnet nc ncat netcat ftp tftp curl wget fetch mtr nmap ssh",
        value: true)

    /// Commands that run the command after them.
    static let prefixes = WordTable(
        words:
            "time nohup sudo doas env exec eval call nice timeout xargs strace busybox setsid chroot watch command builtin stdbuf ionice taskset setarch unshare pkexec sg runuser",
        value: true)
}
