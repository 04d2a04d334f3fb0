/*
 * lua-libraries: the libraries Redis bundles into its Lua that Debian packages none of for Lua 5.1, written
 * here: `cmsgpack` (native/lua-cmsgpack.c) and `struct` (native/lua-struct.c). Each opener sets its global and
 * returns its table, as Redis's luaopen_cmsgpack and luaopen_struct do.
 */
#ifndef REDIS_LITE_LUA_LIBRARIES_H
#define REDIS_LITE_LUA_LIBRARIES_H

#include <lua.h>

int open_cmsgpack_library(lua_State *lua);
int open_struct_library(lua_State *lua);

#endif
