// guard-probe: performs, on command, the behaviours the tests attack the guard with, and
// prints one result line ("ok ..." or "err <errno-name>") so tests can assert on it.
#include "probe.h"

double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int result(long rc) {
    if (rc < 0) {
        printf("err %s\n", strerrorname_np(errno) ? strerrorname_np(errno) : "?");
        fflush(stdout);
        return 1;
    }
    printf("ok\n");
    fflush(stdout);
    return 0;
}

static int do_open(const char *path, const char *mode) {
    int flags = O_RDONLY;
    if (strcmp(mode, "w") == 0) flags = O_WRONLY;
    if (strcmp(mode, "c") == 0) flags = O_WRONLY | O_CREAT | O_TRUNC;
    int fd = open(path, flags, 0644);
    if (fd < 0) return result(-1);
    char buf[64] = {0};
    if (flags == O_RDONLY) {
        ssize_t n = read(fd, buf, sizeof buf - 1);
        if (n > 0) buf[strcspn(buf, "\n")] = 0;
    }
    printf("ok %s\n", buf);
    fflush(stdout);
    return 0;
}

static void *thread_open(void *arg) { return (void *)(long)do_open((const char *)arg, "r"); }

// --- TOCTOU: one thread flips the path buffer, the other opens it over and over.
static char race_path[4096];
static const char *race_allowed, *race_denied;
atomic_int race_stop;

static void *flipper(void *arg) {
    (void)arg;
    while (!atomic_load(&race_stop)) {
        strcpy(race_path, race_denied);
        sched_yield();
        strcpy(race_path, race_allowed);
    }
    return NULL;
}

// THREADS threads each open, read and create their own files ROUNDS times at once (in
// DIR: rN holds "N"; each creates and removes cN): every open must yield the thread's own
// file, none another's. Prints the count of opens that got something else.
static const char *parallel_dir;
static int parallel_rounds;
static atomic_int parallel_wrong, parallel_failed;

static void *parallel_worker(void *arg) {
    long t = (long)arg;
    char mine[4200], created[4200], want[32], got[32];
    snprintf(mine, sizeof mine, "%s/r%ld", parallel_dir, t);
    snprintf(created, sizeof created, "%s/c%ld", parallel_dir, t);
    int n = snprintf(want, sizeof want, "%ld", t);
    for (int i = 0; i < parallel_rounds; i++) {
        int fd = open(mine, O_RDONLY | O_CLOEXEC);
        if (fd < 0) { atomic_fetch_add(&parallel_failed, 1); continue; }
        ssize_t r = read(fd, got, sizeof got);
        close(fd);
        if (r != n || memcmp(got, want, n)) atomic_fetch_add(&parallel_wrong, 1);
        fd = open(created, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || write(fd, want, n) != n) atomic_fetch_add(&parallel_failed, 1);
        if (fd >= 0) close(fd);
        if (unlink(created) < 0) atomic_fetch_add(&parallel_failed, 1);
    }
    return NULL;
}

static int do_parallel_opens(const char *dir, int threads, int rounds) {
    parallel_dir = dir;
    parallel_rounds = rounds;
    pthread_t t[64];
    if (threads > 64) threads = 64;
    for (long i = 0; i < threads; i++) pthread_create(&t[i], NULL, parallel_worker, (void *)i);
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    printf("ok wrong=%d failed=%d\n", atomic_load(&parallel_wrong), atomic_load(&parallel_failed));
    return 0;
}

static int do_race(const char *allowed, const char *denied, int rounds) {
    race_allowed = allowed;
    race_denied = denied;
    strcpy(race_path, allowed);
    // The denied file's content is what must never be read.
    char secret[64] = {0};
    int sfd = open(denied, O_RDONLY);  // before the race: only works unsupervised
    if (sfd >= 0) { read(sfd, secret, sizeof secret - 1); close(sfd); }
    pthread_t t;
    pthread_create(&t, NULL, flipper, NULL);
    int leaked = 0, opened = 0, refused = 0;
    for (int i = 0; i < rounds; i++) {
        int fd = open(race_path, O_RDONLY);
        if (fd < 0) { refused++; continue; }
        opened++;
        char buf[64] = {0};
        read(fd, buf, sizeof buf - 1);
        close(fd);
        if (strstr(buf, "SECRET")) leaked++;
    }
    atomic_store(&race_stop, 1);
    pthread_join(t, NULL);
    printf("ok opened=%d refused=%d leaked=%d\n", opened, refused, leaked);
    return leaked ? 3 : 0;
}

// Same race for unlink: the allowed name is recreated and unlinked while the path flips.
static int do_race_unlink(const char *allowed, const char *denied, int rounds) {
    race_allowed = allowed;
    race_denied = denied;
    strcpy(race_path, allowed);
    pthread_t t;
    pthread_create(&t, NULL, flipper, NULL);
    int removed = 0, refused = 0;
    for (int i = 0; i < rounds; i++) {
        int fd = open(allowed, O_WRONLY | O_CREAT, 0644);
        if (fd >= 0) close(fd);
        if (unlink(race_path) == 0) removed++; else refused++;
    }
    atomic_store(&race_stop, 1);
    pthread_join(t, NULL);
    int survived = access(denied, F_OK) == 0;
    printf("ok removed=%d refused=%d denied_survived=%d\n", removed, refused, survived);
    return survived ? 0 : 3;
}

// Exec race: a thread flips the path between an allowed and a denied program while the
// other execs it, in `rounds` forked children. What the children print shows what ran.
static int do_race_exec(const char *allowed, const char *denied, int rounds) {
    int killed = 0;
    for (int i = 0; i < rounds; i++) {
        pid_t p = fork();
        if (p == 0) {
            race_allowed = allowed;
            race_denied = denied;
            strcpy(race_path, allowed);
            pthread_t t;
            pthread_create(&t, NULL, flipper, NULL);
            for (volatile int spin = 0; spin < 2000; spin++) {}
            char *argv[] = {race_path, NULL};
            execv(race_path, argv);
            _exit(126);
        }
        int status = 0;
        waitpid(p, &status, 0);
        killed += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    }
    printf("ok rounds=%d killed=%d\n", rounds, killed);
    return 0;
}

// Creates N new files in DIR (O_CREAT|O_EXCL) while a timer interrupts it every 50 µs:
// a supervised call interrupted and restarted must not be done twice (a spurious EEXIST).
static volatile sig_atomic_t ticks;
static void on_tick(int sig) { (void)sig; ticks++; }

static int do_signal_storm(const char *dir, int n) {
    struct sigaction sa = {.sa_handler = on_tick, .sa_flags = SA_RESTART};
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 50}, {0, 50}};
    setitimer(ITIMER_REAL, &it, NULL);
    int created = 0, failed = 0;
    char path[4096];
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/f%d", dir, i);
        int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
        if (fd >= 0) { created++; close(fd); } else failed++;
    }
    struct itimerval off = {0};
    setitimer(ITIMER_REAL, &off, NULL);
    printf("ok created=%d failed=%d ticks=%d\n", created, failed, (int)ticks);
    return 0;
}

// Tries to kill every thread of the parent (the guard) with tkill and tgkill.
static int do_kill_parent_threads(void) {
    char dir[64];
    pid_t parent = getppid();
    snprintf(dir, sizeof dir, "/proc/%d/task", parent);
    DIR *d = opendir(dir);
    if (!d) return result(-1);
    int tried = 0, refused = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        int tid = atoi(e->d_name);
        if (tid <= 0) continue;
        tried += 2;
        if (syscall(SYS_tkill, tid, SIGKILL) < 0 && errno == EPERM) refused++;
        if (syscall(SYS_tgkill, parent, tid, SIGKILL) < 0 && errno == EPERM) refused++;
    }
    closedir(d);
    printf("ok tried=%d refused=%d\n", tried, refused);
    return 0;
}

static int do_memfd_exec(void) {
    int src = open("/bin/true", O_RDONLY);
    int m = memfd_create("payload", MFD_CLOEXEC);
    if (src < 0 || m < 0) return result(-1);
    char buf[65536];
    ssize_t n;
    while ((n = read(src, buf, sizeof buf)) > 0) write(m, buf, n);
    char *argv[] = {"payload", NULL};
    char *envp[] = {NULL};
    syscall(SYS_execveat, m, "", argv, envp, AT_EMPTY_PATH);
    return result(-1);
}

static int do_int80(long nr, long a1) {
    long rc;
    __asm__ volatile("int $0x80" : "=a"(rc) : "a"(nr), "b"(a1) : "memory");
    if (rc < 0) { errno = (int)-rc; return result(-1); }
    return result(0);
}

// i386 entry with a path: the string must sit below 4 GiB for a 32-bit pointer.
static int do_int80_open(const char *path) {
    char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (low == MAP_FAILED) return result(-1);
    strncpy(low, path, 4095);
    long rc;
    __asm__ volatile("int $0x80" : "=a"(rc) : "a"(5L), "b"((long)low), "c"(0L), "d"(0L) : "memory");
    if (rc < 0) { errno = (int)-rc; return result(-1); }
    char buf[64] = {0};
    read((int)rc, buf, sizeof buf - 1);
    buf[strcspn(buf, "\n")] = 0;
    printf("ok %s\n", buf);
    return 0;
}

// i386 socketcall(SYS_CONNECT): the multiplexer a 32-bit program connects through.
static int do_int80_connect(const char *ip, int port) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    unsigned int *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (s < 0 || low == MAP_FAILED) return result(-1);
    struct sockaddr_in *a = (struct sockaddr_in *)(low + 16);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    inet_pton(AF_INET, ip, &a->sin_addr);
    low[0] = (unsigned int)s;
    low[1] = (unsigned int)(unsigned long)a;
    low[2] = sizeof *a;
    long rc;
    __asm__ volatile("int $0x80" : "=a"(rc) : "a"(102L), "b"(3L), "c"((long)low) : "memory");
    if (rc < 0) { errno = (int)-rc; return result(-1); }
    return result(0);
}

static int do_orphans(int count) {
    // Each child forks a grandchild that outlives it: the grandchildren are orphaned.
    for (int i = 0; i < count; i++) {
        pid_t p = fork();
        if (p == 0) {
            if (fork() == 0) { usleep(100000); _exit(0); }
            _exit(0);
        }
        waitpid(p, NULL, 0);
    }
    usleep(300000);
    printf("ok\n");
    return 0;
}

// --- Namespaces the way a sandbox makes them: raw clone with namespace flags (no new
// stack: the child runs on a copy of ours, as after fork, and exits at once).
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
struct probe_clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static int reap_clone(long pid, const char *how) {
    if (pid == 0) syscall(SYS_exit_group, 0);
    if (pid < 0) return result(-1);
    int status = 0;
    if (waitpid((pid_t)pid, &status, __WALL) < 0) return result(-1);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) { printf("err child %d\n", status); return 1; }
    printf("ok %s\n", how);
    return 0;
}

static int do_clone_ns(unsigned long flags) {
    return reap_clone(syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0), "clone");
}

// clone3 first and, when it fails with ENOSYS, clone with the same flags: what glibc does.
static int do_clone3_ns(unsigned long flags) {
    struct probe_clone_args args = {.flags = flags, .exit_signal = SIGCHLD};
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0 && errno == ENOSYS) return do_clone_ns(flags);
    return reap_clone(pid, "clone3");
}


int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) { fprintf(stderr, "usage: probe COMMAND ...\n"); return 2; }
    const char *c = argv[1];
    if (!strcmp(c, "open") && argc >= 3) return do_open(argv[2], argc > 3 ? argv[3] : "r");
    if (!strcmp(c, "thread-open") && argc == 3) {
        pthread_t t;
        void *r;
        pthread_create(&t, NULL, thread_open, argv[2]);
        pthread_join(t, &r);
        return (int)(long)r;
    }
    if (!strcmp(c, "grandchild-open") && argc == 3) {
        pid_t p = fork();
        if (p == 0) {
            pid_t q = fork();
            if (q == 0) _exit(do_open(argv[2], "r"));
            int st;
            waitpid(q, &st, 0);
            _exit(WEXITSTATUS(st));
        }
        int st;
        waitpid(p, &st, 0);
        return WEXITSTATUS(st);
    }
    if (!strcmp(c, "parallel-opens") && argc == 5) return do_parallel_opens(argv[2], atoi(argv[3]), atoi(argv[4]));
    if (!strcmp(c, "race") && argc == 5) return do_race(argv[2], argv[3], atoi(argv[4]));
    if (!strcmp(c, "race-unlink") && argc == 5) return do_race_unlink(argv[2], argv[3], atoi(argv[4]));
    if (!strcmp(c, "race-exec") && argc == 5) return do_race_exec(argv[2], argv[3], atoi(argv[4]));
    if (!strcmp(c, "kill-parent-threads")) return do_kill_parent_threads();
    if (!strcmp(c, "race-sendto") && argc == 5) return do_race_sendto(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
    if (!strcmp(c, "race-unix") && argc == 6)
        return do_race_unix(argv[2], argv[3], atoi(argv[4]), !strcmp(argv[5], "dgram") ? SOCK_DGRAM : SOCK_STREAM);
    if (!strcmp(c, "race-connect") && argc >= 5)
        return do_race_connect(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), argc > 5 && !strcmp(argv[5], "unspec"));
    if (!strcmp(c, "race-unix-bind") && argc == 5) return do_race_unix_bind(argv[2], argv[3], atoi(argv[4]));
    if (!strcmp(c, "unix-connect") && argc == 3) return do_unix(argv[2], 0);
    if (!strcmp(c, "unix-bind") && argc == 3) return do_unix(argv[2], 1);
    if (!strcmp(c, "signal-storm") && argc == 4) return do_signal_storm(argv[2], atoi(argv[3]));
    if (!strcmp(c, "stalled-connect") && argc == 3) return do_stalled_connect(argv[2]);
    if (!strcmp(c, "peercred") && argc == 3) return do_peercred(argv[2]);
    if (!strcmp(c, "pass-fd") && argc == 4) return do_pass_fd(argv[2], argv[3]);
    if (!strcmp(c, "sendto-family") && argc == 3) return do_sendto_family(atoi(argv[2]));
    if (!strcmp(c, "fchmodat2") && argc == 4) return result(syscall(452, AT_FDCWD, argv[2], strtol(argv[3], NULL, 8), 0));
    if (!strcmp(c, "link") && argc == 4) return result(link(argv[2], argv[3]));
    if (!strcmp(c, "chmod") && argc == 4) return result(chmod(argv[2], strtol(argv[3], NULL, 8)));
    if (!strcmp(c, "truncate") && argc == 4) return result(truncate(argv[2], atol(argv[3])));
    if (!strcmp(c, "unlink") && argc == 3) return result(unlink(argv[2]));
    if (!strcmp(c, "mkdir") && argc == 3) return result(mkdir(argv[2], 0755));
    if (!strcmp(c, "rename") && argc == 4) return result(rename(argv[2], argv[3]));
    if (!strcmp(c, "symlink") && argc == 4) return result(symlink(argv[2], argv[3]));
    if (!strcmp(c, "exec") && argc >= 3) { execv(argv[2], argv + 2); return result(-1); }
    if (!strcmp(c, "memfd-exec")) return do_memfd_exec();
    if (!strcmp(c, "connect") && argc == 4) return do_connect(argv[2], atoi(argv[3]), 0);
    if (!strcmp(c, "bind") && argc == 4) return do_connect(argv[2], atoi(argv[3]), 1);
    if (!strcmp(c, "unshare")) return result(unshare(CLONE_NEWUTS));
    if (!strcmp(c, "clone-ns") && argc == 3) return do_clone_ns(strtoul(argv[2], NULL, 0));
    if (!strcmp(c, "clone3-ns") && argc == 3) return do_clone3_ns(strtoul(argv[2], NULL, 0));
    if (!strcmp(c, "mount")) return result(mount("none", "/mnt", "tmpfs", 0, NULL));
    if (!strcmp(c, "syscall") && argc >= 3) return result(syscall(atol(argv[2]), argc > 3 ? atol(argv[3]) : 0));
    if (!strcmp(c, "int80") && argc >= 3) return do_int80(atol(argv[2]), argc > 3 ? atol(argv[3]) : 0);
    if (!strcmp(c, "int80-open") && argc == 3) return do_int80_open(argv[2]);
    if (!strcmp(c, "int80-connect") && argc == 4) return do_int80_connect(argv[2], atoi(argv[3]));
    if (!strcmp(c, "capsets")) {  // every capability set: "ok Inh=HEX Prm=HEX Eff=HEX Bnd=HEX Amb=HEX"
        FILE *f = fopen("/proc/self/status", "r");
        char line[256], set[4];
        unsigned long long value;
        int sets = 0;
        printf("ok");
        while (f && fgets(line, sizeof line, f))
            if (sscanf(line, "Cap%3[A-Za-z]: %llx", set, &value) == 2) {
                printf(" %s=%llx", set, value);
                sets++;
            }
        printf("\n");
        return sets == 5 ? 0 : 1;
    }
    if (!strcmp(c, "capeff")) {
        FILE *f = fopen("/proc/self/status", "r");
        char line[256];
        while (f && fgets(line, sizeof line, f)) if (!strncmp(line, "CapEff:", 7)) { printf("ok %s", line + 8); return 0; }
        return result(-1);
    }
    if (!strcmp(c, "getfd-parent") && argc == 3) {
        int pfd = (int)syscall(SYS_pidfd_open, getppid(), 0);
        if (pfd < 0) return result(-1);
        return result(syscall(SYS_pidfd_getfd, pfd, atoi(argv[2]), 0));
    }
    if (!strcmp(c, "open-parent-fd") && argc == 3) {
        char p[128];
        snprintf(p, sizeof p, "/proc/self/fd/../../%d/fd/%s", getppid(), argv[2]);
        return do_open(p, "r");
    }
    if (!strcmp(c, "orphans") && argc == 3) return do_orphans(atoi(argv[2]));
    if (!strcmp(c, "exit") && argc == 3) return atoi(argv[2]);
    if (!strcmp(c, "pause")) {
        printf("ready\n");
        pause();
        return 0;
    }
    if (!strcmp(c, "loop-getppid") && argc == 3) {
        long n = atol(argv[2]);
        double t0 = now();
        for (long i = 0; i < n; i++) syscall(SYS_getppid);
        printf("ns_per_call %.2f\n", (now() - t0) * 1e9 / n);
        return 0;
    }
    if (!strcmp(c, "loop-open") && argc == 4) {
        long n = atol(argv[3]);
        double t0 = now();
        for (long i = 0; i < n; i++) {
            int fd = open(argv[2], O_RDONLY);
            if (fd < 0) return result(-1);
            close(fd);
        }
        printf("us_per_open %.3f\n", (now() - t0) * 1e6 / n);
        return 0;
    }
    fprintf(stderr, "probe: unknown command %s\n", c);
    return 2;
}
