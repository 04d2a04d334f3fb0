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
#include <time.h>

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
  /* FUNCTION LOAD is running the library's code: redis.register_function may be called, until the deadline
   * (monotonic ns; 0: none). */
  int loading;
  uint64_t load_deadline;
  /* Set for the duration of run() only, when the caller gave a busy word (lua-busy.c): the word every thread
   * reads (src/core/scripting/script-busy.ts), when the run started, and busy-reply-threshold in ms. */
  int32_t *busy;
  struct timespec started;
  int64_t threshold_ms;
} Engine;

/* Where the registry keeps the engine, the set of read-only proxies, and the real globals behind their proxy. */
#define ENGINE_KEY "redis_lite_engine"
#define PROXIES_KEY "redis_lite_readonly_proxies"
#define REAL_GLOBALS_KEY "redis_lite_real_globals"

/* A fresh engine set up as Redis's for EVAL, or NULL when out of memory; engine_wrap makes it a JavaScript value
 * that frees it when collected; engine_arg reads one back (throwing when it is not a live engine). */
Engine *engine_new(void);
napi_value engine_wrap(napi_env env, Engine *engine);
Engine *engine_arg(napi_env env, napi_value value);

/* Replaces the table at the top of the stack by its read-only proxy; `index_function` (given the real table as
 * its upvalue) answers reads, else the real table does. globals_index is the one that refuses a missing name
 * (script_lua.c luaProtectedTableError); readonly_newindex refuses every write. */
void make_readonly_proxy(lua_State *lua, lua_CFunction index_function);
int globals_index(lua_State *lua);
int readonly_newindex(lua_State *lua);

/* redis.log, and the helpers that fill the table at the top of the stack. */
int redis_log(lua_State *lua);
void set_function(lua_State *lua, const char *name, lua_CFunction f);
void set_number(lua_State *lua, const char *name, lua_Number n);

/* The error reply of a failed run of function `name`, the error at the top of the stack (script_lua.c
 * luaCallFunction). */
napi_value run_error(napi_env env, lua_State *lua, const char *name);

/* Adds the Functions engine's calls (lua-functions.c) to the module's exports. */
void define_function_exports(napi_env env, napi_value exports);

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

/* lua-busy.c: from the start of a run until its end, a count hook (every 100k instructions, as Redis's
 * luaMaskCountHook) marks the busy word timed out once busy-reply-threshold has passed, telling the host's
 * timedOut(ms) once, and stops the script when another thread set the word's killed bit. A no-op when `busy` is
 * NULL or the threshold is not positive (Redis sets no hook then either). */
void busy_hook_start(Engine *engine, lua_State *lua, int32_t *busy, int64_t threshold_ms);
void busy_hook_stop(Engine *engine, lua_State *lua);
/* The busy word a run was given (an Int32Array over shared memory: its first element), or NULL. */
int32_t *busy_word_arg(napi_env env, napi_value value);

/* The value at the top of the stack as a JavaScript reply tree (script_lua.c luaReplyToRedisReply), popped. */
napi_value lua_reply_to_js(Engine *engine, napi_env env);
/* Runs the function on top of the stack (nargs arguments above it, the error handler below) for the host. */
napi_value run_with_host(Engine *engine, napi_env env, napi_value host, napi_value call, int nargs,
                         int32_t *busy, int64_t threshold_ms, const char *name);

#endif
