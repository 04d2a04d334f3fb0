/* The libm half of the native helper (libm.c), registered on the same module as fdutil.c's calls. */
#ifndef REDIS_LITE_LIBM_H
#define REDIS_LITE_LIBM_H
#include <node_api.h>

/* Adds sin, cos and asin to exports; returns 0 on failure. */
int register_libm(napi_env env, napi_value exports);

#endif
