/* The memory half of the native helper (memory.c), registered on the same module as fdutil.c's calls. */
#ifndef REDIS_LITE_MEMORY_H
#define REDIS_LITE_MEMORY_H
#include <node_api.h>

/* Adds releaseArrayBuffer, trimMemory, hugePageOffset and collapseHugePages to exports; returns 0 on failure. */
int register_memory(napi_env env, napi_value exports);

#endif
