import CGuardSys
import Glibc
import GuardPolicy
import GuardJSON
import GuardReport

extension Supervisor {
    func handleNotification() {
        guard let listener else { return }
        var raw = seccomp_notif()
        let rc = guard_notif_recv(listener, &raw)
        guard rc == 0 else {
            // ENOENT: the caller died or was interrupted before we read it, or no process
            // uses the filter any more (then RECV fails at once, forever: stop reading).
            // EINTR: asked to stop.
            if rc == ENOENT {
                var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
                if poll(&p, 1, 0) > 0 && p.revents & Int16(POLLHUP) != 0 { listenerOrphaned = true }
            } else if rc != EINTR && rc != EAGAIN {
                listenerOrphaned = true
            }
            return
        }
        let n = Notification(raw)
        if recording {
            respond(n, record(n))
            return
        }
        // After an exec the process is single-threaded: its next call comes from tid == pid.
        if pendingExecs[n.tid] != nil { confirmExec(of: n.tid) }
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
        }
        respond(n, verdict)
    }

    func respond(_ n: Notification, _ verdict: Verdict) {
        guard let listener else { return }
        switch verdict {
        case .continue: _ = guard_notif_respond(listener, n.id, 0, 0, UInt32(SECCOMP_USER_NOTIF_FLAG_CONTINUE))
        case .fail(let e): _ = guard_notif_respond(listener, n.id, 0, -e, 0)
        case .value(let v): _ = guard_notif_respond(listener, n.id, v, 0, 0)
        case .kill:
            kill(n.tid, SIGKILL)
            _ = guard_notif_respond(listener, n.id, 0, -EPERM, 0)
        case .answered: break
        }
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
        let severity: Severity = Policy.escapeSyscalls.contains(name) ? .high : .medium
        var extra: [(key: String, value: JSONValue)] = []
        if n.arch != Arch.x86_64 || n.nr & Arch.x32SyscallBit != 0 {
            extra.append(("arch", .string(n.arch == Arch.i386 ? "i386" : "x32")))
        }
        // A foreign entry the filter does not cover was refused as such, not by a list.
        let rule = !extra.isEmpty && !plan.coversForeignEntries ? "syscalls.foreign-entry" : ruleName(for: name, action: action)
        report(n, category: .syscall, action: reported, rule: rule, severity: severity, syscall: name, extra: extra)
        return verdict
    }

    /// Which list a syscall's action came from, for the report's `rule`.
    func ruleName(for name: String, action: RuleAction) -> String {
        guard let s = policy.syscalls else { return "syscalls.default" }
        let lists: [(String, [String])] = [("kill", s.kill), ("deny", s.deny), ("audit", s.audit), ("allow", s.allow)]
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
        let pid = ProcInfo.tgid(n.tid)
        reporter.submit(
            Report(
                event: .violation, function: policy.function, category: category, action: action, rule: rule,
                severity: severity, pid: pid, exe: ProcInfo.exe(n.tid), syscall: syscall, path: path, address: address,
                requestID: requestID(), extra: extra))
    }
}
