#ifndef CGUARDSYS_H
#define CGUARDSYS_H
// The few things Swift must not or cannot do. Each function says why it is C and whether
// it is async-signal-safe. They return 0 or a positive errno and never print.
#include <stdint.h>
#include <sys/types.h>

#endif
