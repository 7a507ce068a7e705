// jansson, imported only by GuardJSON: nothing else touches json_t pointers.
#include <jansson.h>
