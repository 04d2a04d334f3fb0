# Builds the native helper with node-gyp: native/fdutil.c (dup, setBlocking, shutdown: the pool transport),
# native/reactor.c (epoll, eventfd, non-blocking read/write: the hybrid transport, Linux only) and native/memory.c
# (free a dead buffer now, malloc_trim: a pool worker gives back what an outsized client took; 2 MiB pages for
# the store's arena), and native/libm.c (the C library's sin, cos and asin: the GEO commands' distances as Redis's).
# Plain C on N-API, so one build works for every Node version with the same N-API level.
# The Lua interpreter of EVAL (native/lua-engine.c, native/lua-reply.c, native/lua-busy.c, and the cmsgpack and
# struct libraries Redis bundles: native/lua-cmsgpack.c, native/lua-struct.c) is a second addon, luaengine.node, built
# only where Lua 5.1's headers are installed (Debian: liblua5.1-0-dev), and linked to that system library:
# without it the first addon still builds, and EVAL answers that scripting is unavailable.
{
  "variables": {
    "lua_include%": "/usr/include/lua5.1",
    "has_lua%": "<!(test -f /usr/include/lua5.1/lua.h && echo 1 || echo 0)"
  },
  "targets": [
    {
      "target_name": "fdutil",
      "sources": ["native/fdutil.c", "native/reactor.c", "native/memory.c", "native/libm.c"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-O2"],
      "libraries": ["-lm"],
      "defines": ["_POSIX_C_SOURCE=200809L", "_GNU_SOURCE"]
    }
  ],
  "conditions": [
    [
      "has_lua==1",
      {
        "targets": [
          {
            "target_name": "luaengine",
            "sources": ["native/lua-engine.c", "native/lua-reply.c", "native/lua-cmsgpack.c", "native/lua-struct.c",
                        "native/lua-acl-check.c", "native/lua-functions.c", "native/lua-busy.c"],
            "include_dirs": ["<(lua_include)"],
            "libraries": ["-llua5.1", "-ldl"],
            "cflags": ["-std=c11", "-Wall", "-Wextra", "-O2"],
            "defines": ["_POSIX_C_SOURCE=200809L"]
          }
        ]
      }
    ]
  ]
}
