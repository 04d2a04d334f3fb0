/*
 * memory: two calls that let a pool worker give back what an outsized client made it take, which JavaScript
 * cannot do by itself. releaseArrayBuffer frees a dead buffer's memory now (detaching it), not at the
 * worker's next garbage collection, which an idle worker never has. trimMemory is glibc's malloc_trim(0):
 * memory freed by a thread stays in that thread's malloc arena until trimmed, and a pool has one thread per
 * worker. Knows nothing of clients or sessions: callers decide which buffer is dead and when to trim.
 * adviseHugePages asks for transparent huge pages under a buffer (the store's arena: src/arena-huge-pages.ts).
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include <stdbool.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdint.h>
#include <sys/mman.h>

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

/* adviseHugePages(typedArray, bytes) -> bool: madvise(MADV_HUGEPAGE) over `bytes` from the view's first byte
 * (whole 2 MiB pages inside it only are affected). For the store's arena: its lookups land on random entries
 * spread over hundreds of MB, and with 4 KiB pages nearly each one misses the TLB. A growable buffer's
 * reservation is mapped whole up front, so `bytes` may be its maximum length. False where the kernel refuses
 * (THP off, not Linux). */
static napi_value AdviseHugePages(napi_env env, napi_callback_info info) {
  napi_value argv[2], result;
  size_t argc = 2;
  napi_typedarray_type type;
  size_t count = 0, offset = 0;
  void *data = NULL;
  double bytes = 0;
  bool advised = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 2 || napi_get_typedarray_info(env, argv[0], &type, &count, &data, NULL, &offset) != napi_ok ||
      napi_get_value_double(env, argv[1], &bytes) != napi_ok || bytes <= 0) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "adviseHugePages wants a typed array and a byte count");
    return NULL;
  }
#ifdef MADV_HUGEPAGE
  {
    const uintptr_t page = 4096;
    uintptr_t start = ((uintptr_t)data + page - 1) & ~(page - 1);
    uintptr_t end = ((uintptr_t)data + (uintptr_t)bytes) & ~(page - 1);
    if (end > start) advised = madvise((void *)start, end - start, MADV_HUGEPAGE) == 0;
  }
#endif
  napi_get_boolean(env, advised, &result);
  return result;
}

int register_memory(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"releaseArrayBuffer", NULL, ReleaseArrayBuffer, NULL, NULL, NULL, napi_enumerable, NULL},
      {"trimMemory", NULL, TrimMemory, NULL, NULL, NULL, napi_enumerable, NULL},
      {"adviseHugePages", NULL, AdviseHugePages, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props) == napi_ok;
}
