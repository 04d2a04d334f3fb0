/*
 * fdutil: the three descriptor calls the pool transport needs and Node does not expose: dup, set-blocking
 * and shutdown (the hybrid transport's reactor calls are added from reactor.c, the pool's memory calls from
 * memory.c). Plain C on N-API (stable ABI, context-aware, loadable in any thread). It knows nothing of
 * sockets' owners, threads or the server: callers decide which descriptor is theirs to touch.
 * Failures throw an Error shaped like Node's system errors: code ("EBADF"), errno (negative), syscall.
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "libm.h"
#include "memory.h"
#include "reactor.h"

static const char *errno_code(int err) {
  switch (err) {
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case ENOTSOCK: return "ENOTSOCK";
    case ENOTCONN: return "ENOTCONN";
    case EINTR: return "EINTR";
    case ENOMEM: return "ENOMEM";
    case EBUSY: return "EBUSY";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    default: return "EUNKNOWN";
  }
}

/* Throws a system error; always returns NULL so callers can `return throw_errno(...)`. */
static napi_value throw_errno(napi_env env, int err, const char *syscall) {
  char message[160];
  napi_value code, msg, error, errno_value, syscall_value;
  snprintf(message, sizeof message, "%s failed: %s (%s)", syscall, strerror(err), errno_code(err));
  napi_create_string_utf8(env, errno_code(err), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, code, msg, &error);
  napi_create_int32(env, -err, &errno_value);
  napi_set_named_property(env, error, "errno", errno_value);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_value);
  napi_set_named_property(env, error, "syscall", syscall_value);
  napi_throw(env, error);
  return NULL;
}

/* Reads argument `index` as a non-negative int32 descriptor; throws a TypeError otherwise. */
static int fd_arg(napi_env env, napi_value value, int *fd) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number ||
      napi_get_value_int32(env, value, fd) != napi_ok || *fd < 0) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "fd must be a non-negative integer");
    return 0;
  }
  return 1;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (argc < want) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "missing arguments");
    return 0;
  }
  return 1;
}

/* dup(fd) -> new descriptor, close-on-exec so a spawned child never inherits a client's socket. */
static napi_value Dup(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  int fd, copy;
  if (!get_args(env, info, 1, argv) || !fd_arg(env, argv[0], &fd)) return NULL;
  copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return throw_errno(env, errno, "dup");
  napi_create_int32(env, copy, &result);
  return result;
}

/* setBlocking(fd, blocking): clears or sets O_NONBLOCK. The flag lives on the open file description, so it
 * is shared with every duplicate of the descriptor. */
static napi_value SetBlocking(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd, flags, wanted;
  bool blocking;
  if (!get_args(env, info, 2, argv) || !fd_arg(env, argv[0], &fd)) return NULL;
  if (napi_get_value_bool(env, argv[1], &blocking) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "blocking must be a boolean");
    return NULL;
  }
  flags = fcntl(fd, F_GETFL);
  if (flags < 0) return throw_errno(env, errno, "fcntl");
  wanted = blocking ? (flags & ~O_NONBLOCK) : (flags | O_NONBLOCK);
  if (wanted != flags && fcntl(fd, F_SETFL, wanted) < 0) return throw_errno(env, errno, "fcntl");
  return NULL;
}

/* shutdown(fd, 'read' | 'write' | 'both'). Wakes a thread blocked in read(2) ('read') or write(2) ('both')
 * on the same socket, which close(2) from another thread would not do reliably. */
static napi_value Shutdown(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd, how;
  char word[8];
  size_t length = 0;
  if (!get_args(env, info, 2, argv) || !fd_arg(env, argv[0], &fd)) return NULL;
  if (napi_get_value_string_utf8(env, argv[1], word, sizeof word, &length) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "how must be 'read', 'write' or 'both'");
    return NULL;
  }
  if (strcmp(word, "read") == 0) how = SHUT_RD;
  else if (strcmp(word, "write") == 0) how = SHUT_WR;
  else if (strcmp(word, "both") == 0) how = SHUT_RDWR;
  else {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "how must be 'read', 'write' or 'both'");
    return NULL;
  }
  if (shutdown(fd, how) < 0) return throw_errno(env, errno, "shutdown");
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"dup", NULL, Dup, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setBlocking", NULL, SetBlocking, NULL, NULL, NULL, napi_enumerable, NULL},
      {"shutdown", NULL, Shutdown, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  if (!register_reactor(env, exports)) return NULL;
  if (!register_memory(env, exports)) return NULL;
  if (!register_libm(env, exports)) return NULL;
  return exports;
}
