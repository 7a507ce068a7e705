// seccomp user-notification ioctls: their request codes are function-like macros
// (_IOWR), which Swift cannot import.
#define _GNU_SOURCE
#include "CGuardSys.h"
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

// Linux 6.6; Debian 12's headers predate it.
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

_Static_assert(sizeof(struct guard_child_msg) == 8, "status messages must be one atomic pipe write");

int guard_notif_recv(int fd, struct seccomp_notif *req) {
    memset(req, 0, sizeof *req);  // the kernel insists on a zeroed request
    return ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0 ? errno : 0;
}

int guard_notif_respond(int fd, uint64_t id, int64_t val, int32_t error, uint32_t flags) {
    struct seccomp_notif_resp resp = {.id = id, .val = val, .error = error, .flags = flags};
    return ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 ? errno : 0;
}

int guard_notif_id_valid(int fd, uint64_t id) {
    return ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0 ? errno : 0;
}

int guard_notif_addfd_send(int fd, uint64_t id, int srcfd, uint32_t newfd_flags) {
    struct seccomp_notif_addfd a = {
        .id = id, .flags = SECCOMP_ADDFD_FLAG_SEND, .srcfd = (uint32_t)srcfd, .newfd = 0, .newfd_flags = newfd_flags};
    int r = ioctl(fd, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
    return r < 0 ? -errno : r;
}

int guard_notif_set_sync_wakeup(int fd) {
    return ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) < 0 ? errno : 0;
}
