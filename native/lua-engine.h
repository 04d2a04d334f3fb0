/*
 * lua-engine: the state one thread's scripts run in (EVAL), shared by the files of the Lua binding. An engine
 * is one lua_State (Redis runs one for every client; here each thread that serves clients has its own, as the
 * state cannot cross threads) and what a script run needs while it runs: the JavaScript callback redis.call goes
 * through, the RESP version redis.setresp chose.
 */
#ifndef REDIS_LITE_LUA_ENGINE_H
#define REDIS_LITE_LUA_ENGINE_H

#define NAPI_VERSION 8
#include <node_api.h>

#include <lua.h>
#include <stdint.h>

typedef struct {
  lua_State *lua;
  /* Set for the duration of run() only: the env, the host object and its redis.call callback. */
  napi_env env;
  napi_value host;
  napi_value host_call;
  int running;
  /* redis.setresp: the protocol redis.call's replies are read in, and booleans are returned in (2 or 3). */
  int resp;
  /* redis.call is not reentrant (debug hooks could nest it). */
  int in_call;
  /* A GC step every 50 runs, as Redis does (script_lua.c LUA_GC_CYCLE_PERIOD). */
  int gc_count;
} Engine;

/* The engine a Lua C function runs for (stored in the state's registry). */
Engine *engine_of(lua_State *lua);

/* Pushes Redis's error table {err = "CODE message"} (script_lua.c luaPushErrorBuff): `text` is "-CODE msg" or
 * a bare message that gets the ERR code. */
void push_error_table(lua_State *lua, const char *text, size_t len);

/* Parses one RESP2/RESP3 reply at *p (as far as end) and pushes it as Redis converts it for Lua
 * (script_lua.c redisProtocolToLuaType). Returns the position after it. */
const char *push_resp_reply(lua_State *lua, const char *p, const char *end);

/* Sets `counted: true` on the JS error object when the error table at the top of the stack is a command's error
 * already counted in errorstats (its ignore_error_stats_update field). */
void mark_counted(napi_env env, lua_State *lua, napi_value error);

/* The value at the top of the stack as a JavaScript reply tree (script_lua.c luaReplyToRedisReply), popped. */
napi_value lua_reply_to_js(Engine *engine, napi_env env);

#endif
