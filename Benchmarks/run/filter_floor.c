// The floor of any seccomp filter: installs a one-instruction program (return ALLOW)
// and runs the command. What an allowed syscall costs under it is the kernel's own price
// for having a filter at all, whatever the filter says.
//   filter_floor COMMAND [ARG...]
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
    struct sock_fprog prog = {1, allow};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) return 125;
    execvp(argv[1], argv + 1);
    return 127;
}
