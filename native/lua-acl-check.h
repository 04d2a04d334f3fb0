/*
 * lua-acl-check: redis.acl_check_cmd, registered in redis.* by the engine (native/lua-acl-check.c). It asks the
 * host of the running script (its commandExists) which commands the server has.
 */
#ifndef REDIS_LITE_LUA_ACL_CHECK_H
#define REDIS_LITE_LUA_ACL_CHECK_H

#include "lua-engine.h"

int redis_acl_check_cmd(lua_State *lua);

#endif
