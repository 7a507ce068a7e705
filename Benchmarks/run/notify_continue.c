// The yardstick for a supervised open: the least a seccomp-notify supervisor can do.
// It installs a filter that notifies on openat, runs the command, and answers every
// notification with CONTINUE (no path read, no check). With SYNC_WAKE_UP when available.
//   notify_continue COMMAND [ARG...]
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

int main(int argc, char **argv) {
    if (argc < 2) return 2;
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
    ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, 1UL);  // SYNC_WAKE_UP (6.6+); ignored if refused
    struct seccomp_notif *req;
    struct seccomp_notif_resp *resp;
    seccomp_notify_alloc(&req, &resp);
    for (;;) {
        memset(req, 0, sizeof *req);
        if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
            if (errno == EINTR) continue;
            break;  // the child is gone
        }
        resp->id = req->id;
        resp->val = 0;
        resp->error = 0;
        resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
    }
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
