import CGuardSys
import Glibc
import GuardPolicy
import GuardJSON
import GuardReport

extension Supervisor {
    /// Takes one notification and answers it. Decisions are made one at a time, under
    /// decisionLock; the answer is sent outside it, so that while one thread waits in
    /// ADDFD for the caller to take its fd, the other is already back in RECV.
    func handleNotification() {
        guard let listener else { return }
        var raw = seccomp_notif()
        let rc = guard_notif_recv(listener, &raw)
        guard rc == 0 else {
            // ENOENT: the caller died or was interrupted before we read it, or no process
            // uses the filter any more (then RECV fails at once, forever: stop reading).
            // EINTR: asked to stop.
            var orphaned = rc != EINTR && rc != EAGAIN && rc != ENOENT
            if rc == ENOENT {
                var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
                orphaned = poll(&p, 1, 0) > 0 && p.revents & Int16(POLLHUP) != 0
            }
            if orphaned { listenerOrphaned.store(true, ordering: .relaxed) }
            return
        }
        let n = Notification(raw)
        let verdict = withDecisionLock { decide(n) }
        verdict.send(id: n.id, on: listener)
        if case .continueTraced(let tid, let exec) = verdict { followExec(tid: tid, exec) }
    }

    /// The caller's process id, read once per decision (a /proc/TID/status read, 10 us here).
    func callerTGID(_ tid: Int32) -> Int32 {
        if let memo = tgidMemo, memo.tid == tid { return memo.tgid }
        let tgid = ProcInfo.tgid(tid)
        tgidMemo = (tid, tgid)
        return tgid
    }

    func withDecisionLock<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(decisionLock)
        defer { pthread_mutex_unlock(decisionLock) }
        return body()
    }

    /// The verdict on one notification; a kill is carried out here.
    func decide(_ n: Notification) -> Verdict {
        tgidMemo = nil
        if recording { return record(n) }
        // After an exec the process is single-threaded: its next call comes from tid == pid.
        if pendingExecs[n.tid] != nil { asSupervisor { confirmExec(of: n.tid) } }
        let (name, kind) = plan.lookup(arch: n.arch, nr: n.nr)
        let verdict: Verdict
        switch kind {
        case .rule(let action): verdict = decideRule(n, name: name, action: action)
        case .file(let op): verdict = decideFile(n, name: name, op: op)
        case .exec(let atVariant): verdict = decideExec(n, name: name, atVariant: atVariant)
        case .network(let op): verdict = decideNetwork(n, name: name, op: op)
        case .credentials:
            credentialCache[n.tid] = nil
            verdict = .continue
        case .signal: verdict = decideSignal(n, name: name)
        case .command: verdict = decideCommand(n, name: name)
        }
        if case .kill = verdict { asSupervisor { _ = kill(n.tid, SIGKILL) } }
        return verdict
    }

    /// A `syscalls` rule: deny, kill or audit, each reported.
    func decideRule(_ n: Notification, name: String, action: RuleAction) -> Verdict {
        let effective = policy.effective(action)
        let verdict: Verdict
        let reported: ReportAction
        switch effective {
        case .allow: return .continue
        case .audit: (verdict, reported) = (.continue, .audited)
        case .deny: (verdict, reported) = (.fail(plan.errno.rawValue), .denied)
        case .kill: (verdict, reported) = (.kill, .killed)
        }
        let severity: Severity = Self.highSeverity.contains(name) ? .high : .medium
        var extra: [(key: String, value: JSONValue)] = []
        if n.arch != Arch.x86_64 || n.nr & Arch.x32SyscallBit != 0 {
            extra.append(("arch", .string(n.arch == Arch.i386 ? "i386" : "x32")))
        }
        // A foreign entry the filter does not cover was refused as such, not by a list.
        let rule = !extra.isEmpty && !plan.coversForeignEntries ? "syscalls.foreign-entry" : ruleName(for: name, action: action)
        report(n, category: .syscall, action: reported, rule: rule, severity: severity, syscall: name, extra: extra)
        return verdict
    }

    /// Refused syscalls reported as high: the default policy's escape set, those tagged as
    /// escapes to the host (T1611) and those that would take the supervisor out.
    static let highSeverity = Set(Policy.escapeSyscalls).union(FalcoTags.escapeSyscalls)
        .union(SupervisedSyscalls.supervisionEscapes)

    /// Which list a syscall's action came from, for the report's `rule`.
    func ruleName(for name: String, action: RuleAction) -> String {
        let s = policy.syscalls
        let lists: [(String, [String])] = s.map { [("kill", $0.kill), ("deny", $0.deny), ("audit", $0.audit), ("allow", $0.allow)] } ?? []
        if let hit = lists.first(where: { $0.1.contains(name) }) { return "syscalls.\(hit.0)" }
        if let hit = lists.first(where: { $0.1.contains("*") }) { return "syscalls.\(hit.0)" }
        if SupervisedSyscalls.supervisionEscapes.contains(name) { return "syscalls.supervision" }
        return "syscalls.default"
    }

    /// Queues a violation report; never blocks (the reporter drops and counts when full).
    func report(
        _ n: Notification, category: ReportCategory, action: ReportAction, rule: String, severity: Severity,
        syscall: String, path: String? = nil, address: String? = nil, extra: [(key: String, value: JSONValue)] = []
    ) {
        let pid = callerTGID(n.tid)
        reporter.submit(
            Report(
                event: .violation, function: policy.function, category: category, action: action, rule: rule,
                severity: severity, pid: pid, exe: ProcInfo.exe(n.tid) ?? asSupervisor { ProcInfo.exe(n.tid) }, syscall: syscall, path: path, address: address,
                requestID: requestID(), extra: extra))
    }
}
