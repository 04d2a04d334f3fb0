# Builds the native helper with node-gyp: native/fdutil.c (dup, setBlocking, shutdown: the pool transport),
# native/reactor.c (epoll, eventfd, non-blocking read/write: the hybrid transport, Linux only) and native/memory.c
# (free a dead buffer now, malloc_trim: a pool worker gives back what an outsized client took; 2 MiB pages for
# the store's arena).
# Plain C on N-API, so one build works for every Node version with the same N-API level.
{
  "targets": [
    {
      "target_name": "fdutil",
      "sources": ["native/fdutil.c", "native/reactor.c", "native/memory.c"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-O2"],
      "defines": ["_POSIX_C_SOURCE=200809L", "_GNU_SOURCE"]
    }
  ]
}
