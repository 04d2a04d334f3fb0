/*
 * reactor: what a non-blocking event loop on a worker thread needs and Node does not expose (the hybrid
 * transport): epoll (create, ctl, wait: the wait blocks the calling thread, as a pool worker blocks in read),
 * an eventfd another thread writes to wake that wait, and read/write on non-blocking descriptors that return
 * EAGAIN as a value (-errno) instead of throwing: an empty read is the common case, and a thrown error per
 * empty read costs microseconds; and a listening socket the loops accept from without a JS object per
 * connection (accept4, with Redis's socket options). Linux only; elsewhere none of these functions is exported and the hybrid
 * transport says so. Knows nothing of clients, sessions or threads: callers own their descriptors.
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include "reactor.h"

#ifdef __linux__
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

static int int_arg(napi_env env, napi_value value, int32_t *out) {
  if (napi_get_value_int32(env, value, out) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected an integer");
    return 0;
  }
  return 1;
}

static napi_value int_result(napi_env env, int32_t value) {
  napi_value result;
  napi_create_int32(env, value, &result);
  return result;
}

/* Takes `want` arguments or throws. */
static int args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "missing arguments");
    return 0;
  }
  return 1;
}

/* The bytes [offset, offset + length) of a Uint8Array/Buffer argument, bounds-checked. */
static int bytes_arg(napi_env env, napi_value value, int32_t offset, int32_t length, uint8_t **out) {
  napi_typedarray_type type;
  size_t count;
  void *data;
  if (napi_get_typedarray_info(env, value, &type, &count, &data, NULL, NULL) != napi_ok ||
      type != napi_uint8_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a Uint8Array");
    return 0;
  }
  if (offset < 0 || length < 0 || (size_t)offset + (size_t)length > count) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "offset and length must lie within the array");
    return 0;
  }
  *out = (uint8_t *)data + offset;
  return 1;
}

/* epollCreate() -> epoll descriptor (close-on-exec), or -errno. */
static napi_value EpollCreate(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = epoll_create1(EPOLL_CLOEXEC);
  return int_result(env, fd < 0 ? -errno : fd);
}

/* epollCtl(epfd, op, fd, events) -> 0 or -errno. op: 1 add, 2 del, 3 mod (EPOLL_CTL_*). Level-triggered. */
static napi_value EpollCtl(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t epfd, op, fd, events;
  if (!args(env, info, 4, argv) || !int_arg(env, argv[0], &epfd) || !int_arg(env, argv[1], &op) ||
      !int_arg(env, argv[2], &fd) || !int_arg(env, argv[3], &events))
    return NULL;
  struct epoll_event event = {.events = (uint32_t)events, .data = {.fd = fd}};
  return int_result(env, epoll_ctl(epfd, op, fd, &event) < 0 ? -errno : 0);
}

/*
 * epollWait(epfd, out: Int32Array, timeoutMs) -> number of ready descriptors (0 on timeout or EINTR), or
 * -errno. Writes [fd, events] pairs into out (at most out.length / 2). Blocks the calling thread.
 */
static napi_value EpollWait(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t epfd, timeout;
  napi_typedarray_type type;
  size_t count;
  void *data;
  if (!args(env, info, 3, argv) || !int_arg(env, argv[0], &epfd) || !int_arg(env, argv[2], &timeout))
    return NULL;
  if (napi_get_typedarray_info(env, argv[1], &type, &count, &data, NULL, NULL) != napi_ok ||
      type != napi_int32_array || count < 2) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "out must be an Int32Array of at least 2");
    return NULL;
  }
  enum { MAX_BATCH = 256 };
  struct epoll_event events[MAX_BATCH];
  int max = (int)(count / 2) < MAX_BATCH ? (int)(count / 2) : MAX_BATCH;
  int ready = epoll_wait(epfd, events, max, timeout);
  if (ready < 0) return int_result(env, errno == EINTR ? 0 : -errno);
  int32_t *out = data;
  for (int i = 0; i < ready; i++) {
    out[2 * i] = events[i].data.fd;
    out[2 * i + 1] = (int32_t)events[i].events;
  }
  return int_result(env, ready);
}

/* eventfdCreate() -> a non-blocking, close-on-exec eventfd, or -errno. */
static napi_value EventfdCreate(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  return int_result(env, fd < 0 ? -errno : fd);
}

/* eventfdSignal(fd) -> 0 or -errno: wakes the thread waiting on it (safe from any thread). */
static napi_value EventfdSignal(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd;
  if (!args(env, info, 1, argv) || !int_arg(env, argv[0], &fd)) return NULL;
  uint64_t one = 1;
  return int_result(env, write(fd, &one, sizeof one) < 0 ? -errno : 0);
}

/* eventfdDrain(fd) -> 0 or -errno (-EAGAIN: nothing was signalled). Resets the counter. */
static napi_value EventfdDrain(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd;
  if (!args(env, info, 1, argv) || !int_arg(env, argv[0], &fd)) return NULL;
  uint64_t value;
  return int_result(env, read(fd, &value, sizeof value) < 0 ? -errno : 0);
}

/* readInto(fd, bytes, offset, length) -> bytes read (0: end of input), or -errno (-EAGAIN: nothing yet). */
static napi_value ReadInto(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t fd, offset, length;
  uint8_t *at;
  if (!args(env, info, 4, argv) || !int_arg(env, argv[0], &fd) || !int_arg(env, argv[2], &offset) ||
      !int_arg(env, argv[3], &length) || !bytes_arg(env, argv[1], offset, length, &at))
    return NULL;
  ssize_t n;
  do n = read(fd, at, (size_t)length);
  while (n < 0 && errno == EINTR);
  return int_result(env, n < 0 ? -errno : (int32_t)n);
}

/* writeFrom(fd, bytes, offset, length) -> bytes written, or -errno (-EAGAIN: the socket buffer is full).
 * send(MSG_NOSIGNAL): a gone peer is -EPIPE, never a signal. */
static napi_value WriteFrom(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t fd, offset, length;
  uint8_t *at;
  if (!args(env, info, 4, argv) || !int_arg(env, argv[0], &fd) || !int_arg(env, argv[2], &offset) ||
      !int_arg(env, argv[3], &length) || !bytes_arg(env, argv[1], offset, length, &at))
    return NULL;
  ssize_t n;
  do n = send(fd, at, (size_t)length, MSG_NOSIGNAL | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  return int_result(env, n < 0 ? -errno : (int32_t)n);
}

/* closeFd(fd) -> 0 or -errno. */
static napi_value CloseFd(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd;
  if (!args(env, info, 1, argv) || !int_arg(env, argv[0], &fd)) return NULL;
  return int_result(env, close(fd) < 0 ? -errno : 0);
}

/* listenTcp(ip, port, backlog) -> a non-blocking, close-on-exec listening socket (SO_REUSEADDR), or -errno.
 * ip is a numeric IPv4 or IPv6 address (the caller resolves names). */
static napi_value ListenTcp(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  char ip[INET6_ADDRSTRLEN + 1];
  size_t length = 0;
  int32_t port, backlog;
  if (!args(env, info, 3, argv) || !int_arg(env, argv[1], &port) || !int_arg(env, argv[2], &backlog)) return NULL;
  if (napi_get_value_string_utf8(env, argv[0], ip, sizeof ip, &length) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "ip must be a string");
    return NULL;
  }
  struct sockaddr_storage address;
  socklen_t size;
  memset(&address, 0, sizeof address);
  struct sockaddr_in *v4 = (struct sockaddr_in *)&address;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&address;
  if (inet_pton(AF_INET, ip, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    size = sizeof *v4;
  } else if (inet_pton(AF_INET6, ip, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    size = sizeof *v6;
  } else {
    return int_result(env, -EINVAL);
  }
  int fd = socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return int_result(env, -errno);
  int yes = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) < 0 ||
      bind(fd, (struct sockaddr *)&address, size) < 0 || listen(fd, backlog) < 0) {
    int err = errno;
    close(fd);
    return int_result(env, -err);
  }
  return int_result(env, fd);
}

/* boundPort(fd) -> the local port of a socket, or -errno. */
static napi_value BoundPort(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd;
  if (!args(env, info, 1, argv) || !int_arg(env, argv[0], &fd)) return NULL;
  struct sockaddr_storage address;
  socklen_t size = sizeof address;
  if (getsockname(fd, (struct sockaddr *)&address, &size) < 0) return int_result(env, -errno);
  int port = address.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&address)->sin6_port)
                                           : ntohs(((struct sockaddr_in *)&address)->sin_port);
  return int_result(env, port);
}

/* acceptClient(listenFd) -> a non-blocking, close-on-exec client socket with TCP_NODELAY (replies are whole)
 * and keepalive as Redis's tcp-keepalive 300 (anetKeepAlive), or -errno (-EAGAIN: nobody waiting). */
static napi_value AcceptClient(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t listen_fd;
  if (!args(env, info, 1, argv) || !int_arg(env, argv[0], &listen_fd)) return NULL;
  int fd;
  do fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return int_result(env, -errno);
  int yes = 1, idle = 300, interval = 100, count = 3;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &yes, sizeof yes);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
  return int_result(env, fd);
}

/* "ip:port" of one end of a socket (peer: getpeername, else getsockname), or null when it has none. */
static napi_value address_text(napi_env env, napi_callback_info info, int peer) {
  napi_value argv[1], result;
  int32_t fd;
  if (!args(env, info, 1, argv) || !int_arg(env, argv[0], &fd)) return NULL;
  struct sockaddr_storage address;
  socklen_t size = sizeof address;
  int failed = peer ? getpeername(fd, (struct sockaddr *)&address, &size)
                    : getsockname(fd, (struct sockaddr *)&address, &size);
  char ip[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN + 8];
  int port;
  if (failed == 0 && address.ss_family == AF_INET) {
    inet_ntop(AF_INET, &((struct sockaddr_in *)&address)->sin_addr, ip, sizeof ip);
    port = ntohs(((struct sockaddr_in *)&address)->sin_port);
  } else if (failed == 0 && address.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&address)->sin6_addr, ip, sizeof ip);
    port = ntohs(((struct sockaddr_in6 *)&address)->sin6_port);
  } else {
    napi_get_null(env, &result);
    return result;
  }
  snprintf(text, sizeof text, "%s:%d", ip, port);
  napi_create_string_latin1(env, text, NAPI_AUTO_LENGTH, &result);
  return result;
}

static napi_value PeerName(napi_env env, napi_callback_info info) { return address_text(env, info, 1); }
static napi_value SockName(napi_env env, napi_callback_info info) { return address_text(env, info, 0); }

static void set_int(napi_env env, napi_value object, const char *name, int32_t value) {
  napi_set_named_property(env, object, name, int_result(env, value));
}

int register_reactor(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"epollCreate", NULL, EpollCreate, NULL, NULL, NULL, napi_enumerable, NULL},
      {"epollCtl", NULL, EpollCtl, NULL, NULL, NULL, napi_enumerable, NULL},
      {"epollWait", NULL, EpollWait, NULL, NULL, NULL, napi_enumerable, NULL},
      {"eventfdCreate", NULL, EventfdCreate, NULL, NULL, NULL, napi_enumerable, NULL},
      {"eventfdSignal", NULL, EventfdSignal, NULL, NULL, NULL, napi_enumerable, NULL},
      {"eventfdDrain", NULL, EventfdDrain, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readInto", NULL, ReadInto, NULL, NULL, NULL, napi_enumerable, NULL},
      {"writeFrom", NULL, WriteFrom, NULL, NULL, NULL, napi_enumerable, NULL},
      {"closeFd", NULL, CloseFd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"listenTcp", NULL, ListenTcp, NULL, NULL, NULL, napi_enumerable, NULL},
      {"boundPort", NULL, BoundPort, NULL, NULL, NULL, napi_enumerable, NULL},
      {"acceptClient", NULL, AcceptClient, NULL, NULL, NULL, napi_enumerable, NULL},
      {"peerName", NULL, PeerName, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sockName", NULL, SockName, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return 0;
  napi_value epoll;
  if (napi_create_object(env, &epoll) != napi_ok) return 0;
  set_int(env, epoll, "IN", EPOLLIN);
  set_int(env, epoll, "OUT", EPOLLOUT);
  set_int(env, epoll, "ERR", EPOLLERR);
  set_int(env, epoll, "HUP", EPOLLHUP);
  set_int(env, epoll, "RDHUP", EPOLLRDHUP);
  set_int(env, epoll, "CTL_ADD", EPOLL_CTL_ADD);
  set_int(env, epoll, "CTL_DEL", EPOLL_CTL_DEL);
  set_int(env, epoll, "CTL_MOD", EPOLL_CTL_MOD);
  return napi_set_named_property(env, exports, "epoll", epoll) == napi_ok;
}

#else

int register_reactor(napi_env env, napi_value exports) {
  (void)env;
  (void)exports;
  return 1; /* not Linux: no reactor functions; the hybrid transport reports it */
}

#endif
