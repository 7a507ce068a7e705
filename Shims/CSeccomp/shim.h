// libseccomp, imported only by the modules that compile filters and name syscalls.
#include <seccomp.h>
