// The probe's shared pieces: main.c has the dispatch and the file, exec and process
// commands; net.c the network ones.
#ifndef GUARD_PROBE_H
#define GUARD_PROBE_H
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double now(void);
/// Prints "ok" or "err <ERRNO>" for a syscall's result; 0 or 1.
int result(long rc);
/// Set to end a race's flipper thread.
extern atomic_int race_stop;

int do_sendto_family(int family);
int do_connect(const char *ip, int port, int bind_instead);
int do_race_sendto(int allowed, int denied, int rounds);
int do_race_connect(int allowed, int denied, int rounds, int unspec);
int do_race_unix(const char *allowed, const char *denied, int rounds, int type);
int do_race_unix_bind(const char *allowed, const char *denied, int rounds);
int do_unix(const char *name, int bind_instead);
int do_stalled_connect(const char *target);
int do_peercred(const char *path);
int do_pass_fd(const char *path, const char *file);
#endif
