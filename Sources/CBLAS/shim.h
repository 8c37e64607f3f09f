#include <cblas.h>
// glibc's mallopt, which Cores.configure uses to keep the allocator from unmapping freed
// activations (the threads that run GEMMs would otherwise contend on page faults).
#include <malloc.h>
