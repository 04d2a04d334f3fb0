/*
 * memory: two calls that let a pool worker give back what an outsized client made it take, which JavaScript
 * cannot do by itself. releaseArrayBuffer frees a dead buffer's memory now (detaching it), not at the
 * worker's next garbage collection, which an idle worker never has. trimMemory is glibc's malloc_trim(0):
 * memory freed by a thread stays in that thread's malloc arena until trimmed, and a pool has one thread per
 * worker. Knows nothing of clients or sessions: callers decide which buffer is dead and when to trim.
 * hugePageOffset and collapseHugePages let the store's arena be mapped by 2 MiB pages (Linux's MADV_COLLAPSE):
 * eviction samples keys all over it, and each sample of a 4 KiB page missed the TLB as well as the cache.
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __linux__
#include <sys/mman.h>
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25 /* Linux 6.1 (include/uapi/asm-generic/mman-common.h); older headers lack it */
#endif
#endif

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

#define HUGE_PAGE_BYTES ((uintptr_t)2 << 20)

/* The view's first byte and byte length, or false (a TypeError thrown) when `value` is not a typed array. */
static bool view_bytes(napi_env env, napi_value value, uint8_t **data, size_t *bytes) {
  bool is_typedarray = false;
  napi_typedarray_type type;
  size_t length, offset;
  void *start;
  napi_value buffer;
  if (napi_is_typedarray(env, value, &is_typedarray) != napi_ok || !is_typedarray ||
      napi_get_typedarray_info(env, value, &type, &length, &start, &buffer, &offset) != napi_ok ||
      type != napi_uint8_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "a Uint8Array is wanted");
    return false;
  }
  *data = start;
  *bytes = length;
  return true;
}

/* hugePageOffset(view: Uint8Array) -> the first offset in the view that starts a 2 MiB page of the address
 * space: the pages collapseHugePages can make lie at that offset plus multiples of 2 MiB. */
static napi_value HugePageOffset(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  size_t argc = 1;
  uint8_t *data;
  size_t bytes;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1 || !view_bytes(env, argv[0], &data, &bytes)) return NULL;
  uintptr_t address = (uintptr_t)data;
  napi_create_double(env, (double)((HUGE_PAGE_BYTES - address % HUGE_PAGE_BYTES) % HUGE_PAGE_BYTES), &result);
  return result;
}

/* collapseHugePages(view: Uint8Array, offset, length) -> 0, or the errno: madvise(MADV_COLLAPSE) over the
 * view's bytes [offset, offset + length), which must be whole 2 MiB pages (hugePageOffset) already written:
 * their 4 KiB pages are copied into huge pages now, in this thread, whatever the transparent_hugepage setting
 * (but never). EINVAL where the kernel predates it (6.1), ENOSYS off Linux; EAGAIN and ENOMEM are passing. */
static napi_value CollapseHugePages(napi_env env, napi_callback_info info) {
  napi_value argv[3], result;
  size_t argc = 3;
  uint8_t *data;
  size_t bytes;
  double offset = 0, length = 0;
  int error = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 3 || !view_bytes(env, argv[0], &data, &bytes)) return NULL;
  if (napi_get_value_double(env, argv[1], &offset) != napi_ok ||
      napi_get_value_double(env, argv[2], &length) != napi_ok || !(offset >= 0) || !(length >= 0) ||
      offset + length > (double)bytes) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "the range lies outside the view");
    return NULL;
  }
#ifdef __linux__
  if (length > 0 && madvise(data + (size_t)offset, (size_t)length, MADV_COLLAPSE) != 0) error = errno;
#else
  error = ENOSYS;
#endif
  napi_create_int32(env, error, &result);
  return result;
}

int register_memory(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"releaseArrayBuffer", NULL, ReleaseArrayBuffer, NULL, NULL, NULL, napi_enumerable, NULL},
      {"trimMemory", NULL, TrimMemory, NULL, NULL, NULL, napi_enumerable, NULL},
      {"hugePageOffset", NULL, HugePageOffset, NULL, NULL, NULL, napi_enumerable, NULL},
      {"collapseHugePages", NULL, CollapseHugePages, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props) == napi_ok;
}
