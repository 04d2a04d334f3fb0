/*
 * memory: two calls that let a pool worker give back what an outsized client made it take, which JavaScript
 * cannot do by itself. releaseArrayBuffer frees a dead buffer's memory now (detaching it), not at the
 * worker's next garbage collection, which an idle worker never has. trimMemory is glibc's malloc_trim(0):
 * memory freed by a thread stays in that thread's malloc arena until trimmed, and a pool has one thread per
 * worker. Knows nothing of clients or sessions: callers decide which buffer is dead and when to trim.
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include <stdbool.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "memory.h"

/* releaseArrayBuffer(arrayBuffer) -> bool: detaches it, which frees its memory once nothing else holds it
 * (every view of it becomes empty). False when it cannot be detached (shared, or wasm memory). */
static napi_value ReleaseArrayBuffer(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  size_t argc = 1;
  bool is_arraybuffer = false, detached = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1 || napi_is_arraybuffer(env, argv[0], &is_arraybuffer) != napi_ok || !is_arraybuffer) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "releaseArrayBuffer wants an ArrayBuffer");
    return NULL;
  }
  if (napi_detach_arraybuffer(env, argv[0]) == napi_ok) detached = true;
  else {
    /* Not detachable: leave it to the garbage collector, and clear the pending N-API error state. */
    const napi_extended_error_info *ignored;
    napi_get_last_error_info(env, &ignored);
  }
  napi_get_boolean(env, detached, &result);
  return result;
}

/* trimMemory() -> bool: malloc_trim(0) over every arena: true if memory went back to the system. Without
 * glibc, false (other allocators return memory on their own terms). */
static napi_value TrimMemory(napi_env env, napi_callback_info info) {
  napi_value result;
  bool released = false;
  (void)info;
#ifdef __GLIBC__
  released = malloc_trim(0) == 1;
#endif
  napi_get_boolean(env, released, &result);
  return result;
}

int register_memory(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"releaseArrayBuffer", NULL, ReleaseArrayBuffer, NULL, NULL, NULL, napi_enumerable, NULL},
      {"trimMemory", NULL, TrimMemory, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props) == napi_ok;
}
