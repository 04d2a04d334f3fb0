/* The reactor half of the native helper (reactor.c), registered on the same module as fdutil.c's calls. */
#ifndef REDIS_LITE_REACTOR_H
#define REDIS_LITE_REACTOR_H
#include <node_api.h>

/* Adds the epoll/eventfd/non-blocking I/O functions to exports; returns 0 on failure. */
int register_reactor(napi_env env, napi_value exports);

#endif
