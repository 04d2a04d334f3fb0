/*
 * lua-busy: how a running script notices the rest of the server (Redis 7.0's script_lua.c luaMaskCountHook and
 * script.c scriptInterrupt). A count hook runs every 100,000 Lua instructions: once the run has lasted
 * busy-reply-threshold it sets the timed-out bit of the shared busy word (other threads then answer BUSY) and
 * calls the host's timedOut(ms) once (it logs and wakes the threads waiting for the script); from then on each hook
 * calls the host's whileBusy() (Redis's processEventsWhileBlocked: the event loop, whose only thread runs the
 * script, serves its other clients from there; absent elsewhere); when a SCRIPT KILL (or SHUTDOWN NOSAVE) has set
 * the killed bit, from another thread or from whileBusy, it raises Redis's error, and from then on raises it
 * again on every line so that a pcall in the script cannot swallow the kill. The bits are
 * script-busy.ts's; this file only reads the word and sets one bit, with the C11 atomics that match JavaScript's
 * Atomics on the same memory. Knows nothing of commands.
 */
#include "lua-engine.h"

#include <lauxlib.h>
#include <string.h>

/* script-busy.ts BUSY_TIMED_OUT and BUSY_KILLED. */
#define BUSY_TIMED_OUT 2
#define BUSY_KILLED 8

/* Redis's luaMaskCountHook period: rare enough that a script pays nearly nothing for it. */
#define HOOK_EVERY 100000

static const char KILLED_MESSAGE[] = "Script killed by user with SCRIPT KILL...";

static int64_t elapsed_ms(const Engine *engine) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (int64_t)(now.tv_sec - engine->started.tv_sec) * 1000 +
         (now.tv_nsec - engine->started.tv_nsec) / 1000000;
}

/* host[name](args...) when the host has that function: an exception it throws is dropped (the script goes on, as
 * Redis's). */
static void call_host(Engine *engine, const char *name, size_t argc, const napi_value *argv) {
  napi_env env = engine->env;
  napi_value global, callback, result;
  napi_valuetype type;
  napi_get_global(env, &global);
  if (napi_get_named_property(env, engine->host, name, &callback) != napi_ok ||
      napi_typeof(env, callback, &type) != napi_ok || type != napi_function)
    return;
  if (napi_call_function(env, global, callback, argc, argv, &result) != napi_ok) {
    bool pending = false;
    napi_value ignored;
    napi_is_exception_pending(env, &pending);
    if (pending) napi_get_and_clear_last_exception(env, &ignored);
  }
}

/* host.timedOut(ms), once; then host.whileBusy() on every hook of the rest of the run. */
static void tell_host(Engine *engine, int64_t elapsed, int first) {
  napi_handle_scope scope;
  napi_open_handle_scope(engine->env, &scope);
  if (first) {
    napi_value arg;
    napi_create_int64(engine->env, elapsed, &arg);
    call_host(engine, "timedOut", 1, &arg);
  }
  call_host(engine, "whileBusy", 0, NULL);
  napi_close_handle_scope(engine->env, scope);
}

static void busy_hook(lua_State *lua, lua_Debug *ar) {
  Engine *engine = engine_of(lua);
  int32_t state;
  (void)ar;
  if (engine == NULL || engine->busy == NULL) return;
  state = __atomic_load_n(engine->busy, __ATOMIC_SEQ_CST);
  if (!(state & BUSY_TIMED_OUT)) {
    int64_t elapsed = elapsed_ms(engine);
    if (elapsed < engine->threshold_ms) return;
    __atomic_fetch_or(engine->busy, BUSY_TIMED_OUT, __ATOMIC_SEQ_CST);
    tell_host(engine, elapsed, 1);
  } else if (!(state & BUSY_KILLED)) {
    tell_host(engine, 0, 0);
  }
  state = __atomic_load_n(engine->busy, __ATOMIC_SEQ_CST);
  if (state & BUSY_KILLED) {
    lua_sethook(lua, busy_hook, LUA_MASKLINE, 0);
    push_error_table(lua, KILLED_MESSAGE, sizeof(KILLED_MESSAGE) - 1);
    lua_error(lua);
  }
}

void busy_hook_start(Engine *engine, lua_State *lua, int32_t *busy, int64_t threshold_ms) {
  engine->busy = NULL;
  if (busy == NULL || threshold_ms <= 0) return;
  engine->busy = busy;
  engine->threshold_ms = threshold_ms;
  clock_gettime(CLOCK_MONOTONIC, &engine->started);
  lua_sethook(lua, busy_hook, LUA_MASKCOUNT, HOOK_EVERY);
}

void busy_hook_stop(Engine *engine, lua_State *lua) {
  if (engine->busy == NULL) return;
  lua_sethook(lua, NULL, 0, 0);
  engine->busy = NULL;
}
