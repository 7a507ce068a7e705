// guard-probe: performs, on command, the behaviours the tests attack the guard with, and
// prints one result line ("ok ..." or "err <errno-name>") so tests can assert on it.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int result(long rc) {
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
static atomic_int race_stop;

static void *flipper(void *arg) {
    (void)arg;
    while (!atomic_load(&race_stop)) {
        strcpy(race_path, race_denied);
        sched_yield();
        strcpy(race_path, race_allowed);
    }
    return NULL;
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
        waitpid(p, NULL, 0);
    }
    printf("ok rounds=%d\n", rounds);
    return 0;
}

// sendto with an address of another family (AF_PACKET's sockaddr_ll) on a UDP socket.
static int do_sendto_family(int family) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_family = (sa_family_t)family;
    return result(sendto(s, "x", 1, 0, (struct sockaddr *)&ss, 20));
}

static int do_connect(const char *ip, int port, int bind_instead) {
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t len;
    int family;
    if (strchr(ip, ':')) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        if (inet_pton(AF_INET6, ip, &a->sin6_addr) != 1) return 2;
        len = sizeof *a;
        family = AF_INET6;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        if (inet_pton(AF_INET, ip, &a->sin_addr) != 1) return 2;
        len = sizeof *a;
        family = AF_INET;
    }
    int s = socket(family, SOCK_STREAM, 0);
    if (s < 0) return result(-1);
    // A short timeout so an allowed but unreachable address does not hang the test.
    struct timeval tv = {2, 0};
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    long rc = bind_instead ? bind(s, (struct sockaddr *)&ss, len) : connect(s, (struct sockaddr *)&ss, len);
    return result(rc);
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

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
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
    if (!strcmp(c, "race") && argc == 5) return do_race(argv[2], argv[3], atoi(argv[4]));
    if (!strcmp(c, "race-unlink") && argc == 5) return do_race_unlink(argv[2], argv[3], atoi(argv[4]));
    if (!strcmp(c, "race-exec") && argc == 5) return do_race_exec(argv[2], argv[3], atoi(argv[4]));
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
    if (!strcmp(c, "mount")) return result(mount("none", "/mnt", "tmpfs", 0, NULL));
    if (!strcmp(c, "syscall") && argc >= 3) return result(syscall(atol(argv[2]), argc > 3 ? atol(argv[3]) : 0));
    if (!strcmp(c, "int80") && argc >= 3) return do_int80(atol(argv[2]), argc > 3 ? atol(argv[3]) : 0);
    if (!strcmp(c, "int80-open") && argc == 3) return do_int80_open(argv[2]);
    if (!strcmp(c, "int80-connect") && argc == 4) return do_int80_connect(argv[2], atoi(argv[3]));
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
