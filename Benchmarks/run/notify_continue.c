// The yardsticks for a supervised open: the least a seccomp-notify supervisor can do.
// It installs a filter that notifies on openat, runs the command, and answers every
// notification with CONTINUE (no path read, no check), with SYNC_WAKE_UP when available;
// --plain leaves SYNC_WAKE_UP off: the minimal supervisor as issue 3 words its yardstick.
// With --emulate it does the least an emulating supervisor can do instead: read the path,
// check the notification is still valid, open the file itself and install it with
// ADDFD+SEND (no resolution as the caller, no rules): the floor under guard's design.
// --threads N answers from N threads blocked in RECV (guard runs two: while one waits in
// ADDFD for the caller to take its fd, the other is already waiting for the next call).
//   notify_continue [--plain] [--emulate] [--threads N] COMMAND [ARG...]
#define _GNU_SOURCE
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <pthread.h>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif

static int send_fd(int sock, int fd) {
    char buf[CMSG_SPACE(sizeof(int))] = {0}, c = 0;
    struct iovec io = {&c, 1};
    struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf};
    struct cmsghdr *h = CMSG_FIRSTHDR(&m);
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_RIGHTS;
    h->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(h), &fd, sizeof fd);
    return sendmsg(sock, &m, 0);
}

static int recv_fd(int sock) {
    char buf[CMSG_SPACE(sizeof(int))] = {0}, c;
    struct iovec io = {&c, 1};
    struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf};
    if (recvmsg(sock, &m, 0) < 0) return -1;
    int fd;
    memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof fd);
    return fd;
}

// Reads the path, opens it here and installs the result: 0, or -errno for the caller.
static int emulate_open(int fd, struct seccomp_notif *req) {
    char path[4096];
    uint64_t at = req->data.args[1];
    size_t first = 4096 - (at & 4095);  // up to the page end, then the next page
    struct iovec l = {path, first}, r = {(void *)at, first};
    if (process_vm_readv(req->pid, &l, 1, &r, 1, 0) < 0) return -EFAULT;
    if (!memchr(path, 0, first)) {
        l = (struct iovec){path + first, sizeof path - first};
        r = (struct iovec){(void *)(at + first), sizeof path - first};
        if (process_vm_readv(req->pid, &l, 1, &r, 1, 0) < 0) return -EFAULT;
    }
    path[sizeof path - 1] = 0;
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0) return 1;  // gone: nothing to answer
    int f = openat(AT_FDCWD, path, (int)req->data.args[2] | O_CLOEXEC, (mode_t)req->data.args[3]);
    if (f < 0) return -errno;
    struct seccomp_notif_addfd a = {.id = req->id, .flags = SECCOMP_ADDFD_FLAG_SEND, .srcfd = (uint32_t)f};
    ioctl(fd, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
    close(f);
    return 1;  // answered by ADDFD+SEND
}

static int listener, emulate;

// Answers notifications until the child is gone.
static void *serve(void *unused) {
    (void)unused;
    struct seccomp_notif *req;
    struct seccomp_notif_resp *resp;
    seccomp_notify_alloc(&req, &resp);
    for (;;) {
        memset(req, 0, sizeof *req);
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
            if (errno == EINTR) continue;
            break;  // the child is gone
        }
        int e = emulate ? emulate_open(listener, req) : 0;
        if (e > 0) continue;
        resp->id = req->id;
        resp->val = 0;
        resp->error = e;
        resp->flags = e ? 0 : SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
    }
    return 0;
}

int main(int argc, char **argv) {
    int plain = 0, threads = 1;
    for (; argc > 1 && argv[1][0] == '-'; argv++, argc--) {
        if (!strcmp(argv[1], "--emulate")) emulate = 1;
        else if (!strcmp(argv[1], "--plain")) plain = 1;
        else if (!strcmp(argv[1], "--threads") && argc > 2) threads = atoi((++argv)[1]), argc--;
        else return 2;
    }
    if (argc < 2 || threads < 1 || threads > 8) return 2;
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pid_t pid = fork();
    if (pid == 0) {
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(openat), 0);
        prctl(PR_SET_NO_NEW_PRIVS, 1);
        if (seccomp_load(ctx) != 0) _exit(125);
        int fd = seccomp_notify_fd(ctx);
        send_fd(sv[1], fd);  // sendmsg is not supervised here
        close(fd);
        execvp(argv[1], argv + 1);
        _exit(127);
    }
    int fd = recv_fd(sv[0]);
    if (!plain) ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, 1UL);  // SYNC_WAKE_UP (6.6+); ignored if refused
    listener = fd;
    pthread_t extra[7];
    for (int i = 1; i < threads; i++) pthread_create(&extra[i - 1], 0, serve, 0);
    serve(0);
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
