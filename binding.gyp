# Builds the pool transport's native helper (native/fdutil.c: dup, setBlocking, shutdown) with node-gyp.
# Plain C on N-API, so one build works for every Node version with the same N-API level.
{
  "targets": [
    {
      "target_name": "fdutil",
      "sources": ["native/fdutil.c"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-O2"],
      "defines": ["_POSIX_C_SOURCE=200809L", "_GNU_SOURCE"]
    }
  ]
}
