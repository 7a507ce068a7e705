// guard-probe's network commands: connects, binds and sends, and the races on them.
#include "probe.h"
#include <stddef.h>

// sendto with an address of another family (AF_PACKET's sockaddr_ll) on a UDP socket.
int do_sendto_family(int family) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_family = (sa_family_t)family;
    return result(sendto(s, "x", 1, 0, (struct sockaddr *)&ss, 20));
}

int do_connect(const char *ip, int port, int bind_instead) {
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

// --- The same race for datagrams: a thread flips the destination port between an
// allowed and a denied receiver while the main thread sends with sendto and sendmsg.
static struct sockaddr_in race_to;
static int race_to_allowed, race_to_denied;

static void *port_flipper(void *arg) {
    (void)arg;
    while (!atomic_load(&race_stop)) {
        race_to.sin_port = htons(race_to_denied);
        sched_yield();
        race_to.sin_port = htons(race_to_allowed);
        sched_yield();
    }
    return NULL;
}

static int udp_receiver(int port) {
    int r = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    return bind(r, (struct sockaddr *)&a, sizeof a) == 0 ? r : -1;
}

static int drain(int r) {
    char b[16];
    int n = 0;
    while (recv(r, b, sizeof b, 0) >= 0) n++;
    return n;
}

int do_race_sendto(int allowed, int denied, int rounds) {
    int ra = udp_receiver(allowed), rd = udp_receiver(denied);
    if (ra < 0 || rd < 0) return result(-1);
    int buf = 1 << 22;
    setsockopt(ra, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    setsockopt(rd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    race_to_allowed = allowed;
    race_to_denied = denied;
    race_to.sin_family = AF_INET;
    race_to.sin_port = htons(allowed);
    inet_pton(AF_INET, "127.0.0.1", &race_to.sin_addr);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    pthread_t t;
    pthread_create(&t, NULL, port_flipper, NULL);
    int sent = 0, refused = 0, received = 0, leaked = 0, badlen = 0;
    // The last 16 rounds run after the flipper has stopped: they go to the allowed port
    // and must all arrive, whatever the race's timing did to the others.
    for (int i = 0; i < rounds + 16; i++) {
        long rc;
        if (i == rounds) {
            atomic_store(&race_stop, 1);
            pthread_join(t, NULL);
            race_to.sin_port = htons(allowed);
        }
        if (i % 3 == 0) {
            rc = sendto(s, "x", 1, 0, (struct sockaddr *)&race_to, sizeof race_to);
        } else if (i % 3 == 1) {
            struct iovec io = {"y", 1};
            struct msghdr m = {.msg_name = &race_to, .msg_namelen = sizeof race_to, .msg_iov = &io, .msg_iovlen = 1};
            rc = sendmsg(s, &m, 0);
        } else {
            // sendmmsg: two messages, each naming the flipping address; msg_len comes back.
            struct iovec io[2] = {{"z", 1}, {"w", 1}};
            struct mmsghdr mm[2] = {0};
            for (int k = 0; k < 2; k++)
                mm[k].msg_hdr = (struct msghdr){.msg_name = &race_to, .msg_namelen = sizeof race_to, .msg_iov = &io[k], .msg_iovlen = 1};
            rc = sendmmsg(s, mm, 2, 0);
            for (int k = 0; k < rc; k++) if (mm[k].msg_len != 1) badlen++;
            if (rc > 0) { sent += rc; continue; }
        }
        if (rc == 1) sent++; else refused++;
        if (i % 256 == 255) { received += drain(ra); leaked += drain(rd); }
    }
    received += drain(ra);
    leaked += drain(rd);
    printf("ok sent=%d refused=%d received=%d leaked=%d badlen=%d\n", sent, refused, received, leaked, badlen);
    return leaked ? 3 : 0;
}

// --- TCP connect: a thread flips the whole address between A (the allowed port, or with
// "unspec" an AF_UNSPEC dissolve) and B (the denied port) while the main thread connects
// a new socket ROUNDS times, then 16 times to the allowed port with the flipper stopped.
// The denied listener must never see a connection.
static struct sockaddr_in race_connect_to, race_connect_a, race_connect_b;

static void *address_flipper(void *arg) {
    (void)arg;
    while (!atomic_load(&race_stop)) {
        memcpy(&race_connect_to, &race_connect_b, sizeof race_connect_to);
        sched_yield();
        memcpy(&race_connect_to, &race_connect_a, sizeof race_connect_to);
        sched_yield();
    }
    return NULL;
}

static int tcp_listener(int port) {
    int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    int one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    return bind(l, (struct sockaddr *)&a, sizeof a) == 0 && listen(l, 4096) == 0 ? l : -1;
}

static int accept_all(int l) {
    int n = 0, c;
    while ((c = accept(l, NULL, NULL)) >= 0) {
        close(c);
        n++;
    }
    return n;
}

int do_race_connect(int allowed, int denied, int rounds, int unspec) {
    int la = tcp_listener(allowed), ld = tcp_listener(denied);
    if (la < 0 || ld < 0) return result(-1);
    race_connect_a = (struct sockaddr_in){.sin_family = unspec ? AF_UNSPEC : AF_INET, .sin_port = htons(allowed)};
    race_connect_b = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(denied)};
    inet_pton(AF_INET, "127.0.0.1", &race_connect_a.sin_addr);
    inet_pton(AF_INET, "127.0.0.1", &race_connect_b.sin_addr);
    memcpy(&race_connect_to, &race_connect_a, sizeof race_connect_to);
    pthread_t t;
    pthread_create(&t, NULL, address_flipper, NULL);
    int done = 0, refused = 0, reached = 0, leaked = 0;
    for (int i = 0; i < rounds + 16; i++) {
        if (i == rounds) {
            atomic_store(&race_stop, 1);
            pthread_join(t, NULL);
            race_connect_to = race_connect_b;
            race_connect_to.sin_port = htons(allowed);
        }
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(s, (struct sockaddr *)&race_connect_to, sizeof race_connect_to) == 0) done++; else refused++;
        close(s);
        if (i % 64 == 63 || i == rounds + 15) {
            reached += accept_all(la);
            leaked += accept_all(ld);
        }
    }
    printf("ok done=%d refused=%d reached=%d leaked=%d\n", done, refused, reached, leaked);
    return leaked ? 3 : 0;
}

// --- Unix sockets by path or abstract name ("@name"). The probe listens on both names
// itself (the tests' policies allow bind), then a thread flips the name between them
// while the main thread connects (stream) or sends (datagram): nothing may reach the
// denied one. The two names differ in one byte, so the buffer always holds one or the other.
static struct sockaddr_un race_un;
static socklen_t race_un_len;
static const char *un_allowed, *un_denied;

// Fills `a` with a path or, for "@name", the abstract name; returns the address length.
static socklen_t fill_un(struct sockaddr_un *a, const char *name) {
    a->sun_family = AF_UNIX;
    if (name[0] != '@') {
        strncpy(a->sun_path, name, sizeof a->sun_path - 1);
        return sizeof *a;
    }
    size_t n = strlen(name + 1);
    if (n > sizeof a->sun_path - 1) n = sizeof a->sun_path - 1;
    a->sun_path[0] = 0;
    memcpy(a->sun_path + 1, name + 1, n);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static void *path_flipper(void *arg) {
    (void)arg;
    while (!atomic_load(&race_stop)) {
        fill_un(&race_un, un_denied);
        sched_yield();
        fill_un(&race_un, un_allowed);
        sched_yield();
    }
    return NULL;
}

// Starts the flipper on ALLOWED/DENIED; stop_unix_race stops it, leaving ALLOWED.
static pthread_t start_unix_race(const char *allowed, const char *denied) {
    un_allowed = allowed;
    un_denied = denied;
    race_un_len = fill_un(&race_un, allowed);
    pthread_t t;
    pthread_create(&t, NULL, path_flipper, NULL);
    return t;
}

static void stop_unix_race(pthread_t t) {
    atomic_store(&race_stop, 1);
    pthread_join(t, NULL);
    fill_un(&race_un, un_allowed);
}

static int unix_listener(const char *name, int type) {
    int s = socket(AF_UNIX, type | SOCK_NONBLOCK, 0);
    struct sockaddr_un a = {0};
    socklen_t len = fill_un(&a, name);
    if (name[0] != '@') unlink(name);
    if (bind(s, (struct sockaddr *)&a, len) < 0) return -1;
    if (type == SOCK_STREAM && listen(s, 4096) < 0) return -1;
    return s;
}

// connect (stream) or bind to a unix path or "@abstract" name.
int do_unix(const char *name, int bind_instead) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {0};
    socklen_t len = fill_un(&a, name);
    return result(bind_instead ? bind(s, (struct sockaddr *)&a, len) : connect(s, (struct sockaddr *)&a, len));
}

// One thread flips the path between ALLOWED and DENIED (same length, one byte apart)
// while the main thread binds a new socket to it ROUNDS times, then 16 times more with the
// flipper stopped. No socket file may ever appear at DENIED; each bind that succeeded
// made ALLOWED (removed again before the next round).
int do_race_unix_bind(const char *allowed, const char *denied, int rounds) {
    pthread_t t = start_unix_race(allowed, denied);
    int done = 0, refused = 0, made = 0, leaked = 0;
    for (int i = 0; i < rounds + 16; i++) {
        if (i == rounds) stop_unix_race(t);
        int s = socket(AF_UNIX, SOCK_DGRAM, 0);
        if (bind(s, (struct sockaddr *)&race_un, race_un_len) == 0) done++; else refused++;
        close(s);
        if (access(denied, F_OK) == 0) { leaked++; unlink(denied); }
        if (unlink(allowed) == 0) made++;
    }
    printf("ok done=%d refused=%d made=%d leaked=%d\n", done, refused, made, leaked);
    return leaked ? 3 : 0;
}

int do_race_unix(const char *allowed, const char *denied, int rounds, int type) {
    int la = unix_listener(allowed, type), ld = unix_listener(denied, type);
    if (la < 0 || ld < 0) return result(-1);
    pthread_t t = start_unix_race(allowed, denied);
    int done = 0, refused = 0, reached = 0, leaked = 0;
    for (int i = 0; i < rounds + 16; i++) {
        if (i == rounds) stop_unix_race(t);  // the last 16 after the race: all must arrive
        int s = socket(AF_UNIX, type, 0);
        long rc = type == SOCK_STREAM ? connect(s, (struct sockaddr *)&race_un, race_un_len)
                                      : sendto(s, "x", 1, 0, (struct sockaddr *)&race_un, race_un_len);
        if (rc >= 0) done++; else refused++;
        close(s);
        if (i % 64 == 63 || i == rounds + 15) {
            reached += type == SOCK_STREAM ? accept_all(la) : drain(la);
            leaked += type == SOCK_STREAM ? accept_all(ld) : drain(ld);
        }
    }
    printf("ok done=%d refused=%d reached=%d leaked=%d\n", done, refused, reached, leaked);
    return leaked ? 3 : 0;
}

// While one thread waits in a blocking connect to a listener whose queue is full, the
// main thread opens a file 200 times: it must not wait behind the connect.
static void *blocked_connect(void *arg) {
    struct sockaddr_in *a = arg;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval tv = {3, 0};
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return (void *)(long)connect(s, (struct sockaddr *)a, sizeof *a);
}

static void *blocked_unix_connect(void *arg) {
    struct sockaddr_un *a = arg;
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct timeval tv = {3, 0};
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return (void *)(long)connect(s, (struct sockaddr *)a, sizeof *a);
}

// TARGET is a TCP port on 127.0.0.1 or a unix socket path.
int do_stalled_connect(const char *target) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(target))};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    struct sockaddr_un u = {.sun_family = AF_UNIX};
    strncpy(u.sun_path, target, sizeof u.sun_path - 1);
    int unix_path = target[0] == '/';
    struct sockaddr *sa = unix_path ? (struct sockaddr *)&u : (struct sockaddr *)&a;
    socklen_t len = unix_path ? sizeof u : sizeof a;
    int l = socket(sa->sa_family, SOCK_STREAM, 0);
    if (bind(l, sa, len) < 0 || listen(l, 0) < 0) return result(-1);
    for (int i = 0; i < 4; i++) {  // fill the queue (never accepted)
        int s = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(s, sa, len);
    }
    usleep(100000);
    pthread_t t;
    pthread_create(&t, NULL, unix_path ? blocked_unix_connect : blocked_connect, unix_path ? (void *)&u : (void *)&a);
    usleep(200000);
    double t0 = now();
    for (int i = 0; i < 200; i++) {
        int fd = open("/etc/hostname", O_RDONLY);
        if (fd < 0) return result(-1);
        close(fd);
    }
    double opens = now() - t0;
    void *rc;
    pthread_join(t, &rc);
    printf("ok opens_ms=%d connect_waited_ms=%d\n", (int)(opens * 1000), (int)((now() - t0) * 1000));
    return 0;
}

// Binds PATH (umask 027), connects to it and prints what the listening side sees of the
// connecting side (SO_PEERCRED) and the socket file's owner and mode.
int do_peercred(const char *path) {
    umask(027);
    int l = unix_listener(path, SOCK_STREAM);
    if (l < 0) return result(-1);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a;
    socklen_t alen = fill_un(&a, path);
    if (connect(s, (struct sockaddr *)&a, alen) < 0) return result(-1);
    int c = accept(l, NULL, NULL);
    struct ucred u;
    socklen_t len = sizeof u;
    struct stat st = {0};  // an abstract name (@…) has no file: owner 0, mode 0
    if (c < 0 || getsockopt(c, SOL_SOCKET, SO_PEERCRED, &u, &len) < 0 || (path[0] != '@' && stat(path, &st) < 0))
        return result(-1);
    printf("ok uid=%d gid=%d pid=%d self=%d parent=%d owner=%d mode=%o\n", u.uid, u.gid, u.pid, getpid(), getppid(),
           st.st_uid, st.st_mode & 0777);
    return 0;
}

// Sends an open file over an unconnected unix datagram socket to PATH (SCM_RIGHTS) and
// reads the file through the descriptor that arrives.
int do_pass_fd(const char *path, const char *file) {
    int r = unix_listener(path, SOCK_DGRAM), f = open(file, O_RDONLY), s = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (r < 0 || f < 0) return result(-1);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strncpy(a.sun_path, path, sizeof a.sun_path - 1);
    char control[CMSG_SPACE(sizeof(int))] = {0}, c = 'f';
    struct iovec io = {&c, 1};
    struct msghdr m = {.msg_name = &a, .msg_namelen = sizeof a, .msg_iov = &io, .msg_iovlen = 1,
                       .msg_control = control, .msg_controllen = sizeof control};
    struct cmsghdr *h = CMSG_FIRSTHDR(&m);
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_RIGHTS;
    h->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(h), &f, sizeof f);
    if (sendmsg(s, &m, 0) < 0) return result(-1);
    close(f);
    char in[CMSG_SPACE(sizeof(int))] = {0};
    struct msghdr back = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = in, .msg_controllen = sizeof in};
    if (recvmsg(r, &back, 0) < 0 || !CMSG_FIRSTHDR(&back)) return result(-1);
    int g;
    memcpy(&g, CMSG_DATA(CMSG_FIRSTHDR(&back)), sizeof g);
    char buf[64] = {0};
    if (read(g, buf, sizeof buf - 1) < 0) return result(-1);
    buf[strcspn(buf, "\n")] = 0;
    printf("ok %s\n", buf);
    return 0;
}

