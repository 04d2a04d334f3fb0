/*
 * lua-engine: EVAL's interpreter, Lua 5.1 as Redis 7.0 sets it up (eval.c scriptingInit, script_lua.c): the
 * libraries Redis loads, the redis.* API, Redis's pcall and math.random, the error handler that adds the
 * script's line to errors, and the protection of the globals and library tables. Lua is Debian's stock 5.1,
 * which lacks Redis's read-only tables: the same errors come from read-only proxies instead (an empty table
 * whose metatable reads through to the real one and refuses writes). One engine per thread; redis.call goes to
 * the JavaScript host callback given to run(), which runs the command and answers its reply as RESP bytes.
 * Knows nothing of commands, stores or clients.
 */
#include "lua-engine.h"
#include "lua-acl-check.h"
#include "lua-libraries.h"

#include <dlfcn.h>
#include <lauxlib.h>
#include <lualib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


Engine *engine_of(lua_State *lua) {
  Engine *engine;
  lua_getfield(lua, LUA_REGISTRYINDEX, ENGINE_KEY);
  engine = (Engine *)lua_touserdata(lua, -1);
  lua_pop(lua, 1);
  return engine;
}

/* Raises Redis's error table for `text` (a bare message gets ERR). */
static int raise_error(lua_State *lua, const char *text) {
  push_error_table(lua, text, strlen(text));
  return lua_error(lua);
}

/* ---- redis.call / redis.pcall ---- */

/* Calls the host with the arguments packed in one Buffer ([u32 count][u32 length]... then the bytes, lengths
 * little-endian: one allocation per call, where a Buffer per argument cost a few microseconds each) and the
 * script's RESP version; pushes the converted reply. Returns 1 when the reply was an error. */
static int call_host(Engine *engine, lua_State *lua, int argc) {
  napi_env env = engine->env;
  napi_handle_scope scope;
  napi_value args[2], result, global;
  bool is_buffer = false, pending = false;
  void *data = NULL, *packed;
  size_t len = 0, total = 4 + 4 * (size_t)argc;
  /* One block for the arguments' lengths, pointers and number texts (a script may pass thousands). */
  size_t *lengths = malloc((size_t)argc * (sizeof(size_t) + sizeof(char *) + 32));
  const char **strings = (const char **)(lengths + argc);
  char (*numbers)[32] = (char (*)[32])(strings + argc);
  int failed = 0;
  if (lengths == NULL) {
    lua_pop(lua, argc);
    push_error_table(lua, "-ERR out of memory calling a command from a script", 50);
    return 1;
  }
  for (int j = 1; j <= argc; j++) {
    if (lua_type(lua, j) == LUA_TNUMBER) {
      /* Not lua_tolstring: Lua's %.14g loses precision (script_lua.c luaArgsToRedisArgv). */
      int n = snprintf(numbers[j - 1], sizeof(numbers[j - 1]), "%.17g", (double)lua_tonumber(lua, j));
      lengths[j - 1] = n < 0 ? 0 : (size_t)n;
      strings[j - 1] = numbers[j - 1];
    } else {
      strings[j - 1] = lua_tolstring(lua, j, &lengths[j - 1]);
    }
    total += lengths[j - 1];
  }
  napi_open_handle_scope(env, &scope);
  if (napi_create_buffer(env, total, &packed, &args[0]) == napi_ok) {
    uint8_t *out = packed;
    size_t at = 4 + 4 * (size_t)argc;
    uint32_t count = (uint32_t)argc;
    memcpy(out, &count, 4); /* little-endian: x86-64 and arm64 */
    for (int j = 0; j < argc; j++) {
      uint32_t length = (uint32_t)lengths[j];
      memcpy(out + 4 + 4 * j, &length, 4);
      memcpy(out + at, strings[j], lengths[j]);
      at += lengths[j];
    }
    lua_pop(lua, argc); /* the strings were copied: Lua may collect them now */
    napi_create_int32(env, engine->resp, &args[1]);
    napi_get_global(env, &global);
    if (napi_call_function(env, global, engine->host_call, 2, args, &result) != napi_ok) {
      napi_value ignored;
      napi_is_exception_pending(env, &pending);
      if (pending) napi_get_and_clear_last_exception(env, &ignored);
    } else {
      napi_is_buffer(env, result, &is_buffer);
      if (is_buffer) napi_get_buffer_info(env, result, &data, &len);
    }
  } else {
    lua_pop(lua, argc);
  }
  free(lengths);
  /* The reply is copied out and the scope closed before Lua values are made: making them may raise a Lua
   * error (out of memory), whose longjmp must not skip the scope's close. */
  char *reply = data == NULL || len < 3 ? NULL : malloc(len);
  if (reply != NULL) memcpy(reply, data, len);
  napi_close_handle_scope(env, scope);
  if (reply == NULL) {
    push_error_table(lua, "-ERR internal error running a command from a script", 52);
    return 1;
  }
  failed = reply[0] == '-';
  /* Freed right after parsing (only an out-of-memory error raised while parsing would leak this block). */
  push_resp_reply(lua, reply, reply + len);
  free(reply);
  return failed;
}

static int redis_generic_call(lua_State *lua, int raise) {
  Engine *engine = engine_of(lua);
  int argc = lua_gettop(lua), failed;
  if (engine == NULL || !engine->running) {
    return raise_error(lua, "redis.call/pcall can only be called inside a script invocation");
  }
  if (argc == 0) {
    push_error_table(lua, "Please specify at least one argument for this redis lib call", 60);
    return raise ? lua_error(lua) : 1;
  }
  for (int j = 1; j <= argc; j++) {
    int type = lua_type(lua, j);
    if (type != LUA_TNUMBER && type != LUA_TSTRING) {
      lua_pop(lua, argc);
      push_error_table(lua, "Lua redis lib command arguments must be strings or integers", 59);
      return raise ? lua_error(lua) : 1;
    }
  }
  if (engine->in_call) {
    push_error_table(lua, "redis.call recursive call detected", 34);
    return raise ? lua_error(lua) : 1;
  }
  engine->in_call = 1;
  failed = call_host(engine, lua, argc);
  engine->in_call = 0;
  if (raise && failed) return lua_error(lua);
  return 1;
}

static int redis_call(lua_State *lua) { return redis_generic_call(lua, 1); }
static int redis_pcall(lua_State *lua) { return redis_generic_call(lua, 0); }

/* Redis's pcall: an error table raised inside becomes its message string, as before Redis 7 (script_lua.c
 * luaRedisPcall). */
static int lua_redis_pcall(lua_State *lua) {
  int argc = lua_gettop(lua);
  lua_pushboolean(lua, 1);
  lua_insert(lua, 1);
  if (lua_pcall(lua, argc - 1, LUA_MULTRET, 0)) {
    lua_remove(lua, 1);
    if (lua_istable(lua, -1)) {
      lua_getfield(lua, -1, "err");
      if (lua_isstring(lua, -1)) lua_replace(lua, -2);
      else lua_pop(lua, 1);
    }
    lua_pushboolean(lua, 0);
    lua_insert(lua, 1);
  }
  return lua_gettop(lua);
}

/* ---- the rest of redis.* ---- */

static int redis_sha1hex(lua_State *lua) {
  Engine *engine = engine_of(lua);
  napi_handle_scope scope;
  napi_value arg, result, global, host_sha1;
  size_t len;
  const char *s;
  char digest[41] = {0};
  void *copy;
  if (lua_gettop(lua) != 1) return raise_error(lua, "wrong number of arguments");
  s = lua_tolstring(lua, 1, &len);
  if (s == NULL) s = "", len = 0;
  if (!engine->running) return raise_error(lua, "redis.sha1hex can only be called inside a script invocation");
  napi_open_handle_scope(engine->env, &scope);
  napi_get_global(engine->env, &global);
  napi_get_named_property(engine->env, engine->host, "sha1hex", &host_sha1);
  napi_create_buffer_copy(engine->env, len, s, &copy, &arg);
  if (napi_call_function(engine->env, global, host_sha1, 1, &arg, &result) == napi_ok) {
    size_t written;
    napi_get_value_string_latin1(engine->env, result, digest, sizeof(digest), &written);
  }
  napi_close_handle_scope(engine->env, scope);
  lua_pushstring(lua, digest);
  return 1;
}

/* Returns {field = the one string argument}, or an error table when called otherwise. */
static int single_field_table(lua_State *lua, const char *field) {
  if (lua_gettop(lua) != 1 || lua_type(lua, -1) != LUA_TSTRING) {
    push_error_table(lua, "wrong number or type of arguments", 33);
    return 1;
  }
  lua_newtable(lua);
  lua_pushstring(lua, field);
  lua_pushvalue(lua, -3);
  lua_settable(lua, -3);
  return 1;
}

static int redis_status_reply(lua_State *lua) { return single_field_table(lua, "ok"); }

static int redis_error_reply(lua_State *lua) {
  size_t len;
  const char *err;
  if (lua_gettop(lua) != 1 || lua_type(lua, -1) != LUA_TSTRING) {
    push_error_table(lua, "wrong number or type of arguments", 33);
    return 1;
  }
  err = lua_tolstring(lua, -1, &len);
  if (len > 0 && err[0] == '-') {
    push_error_table(lua, err, len);
  } else {
    /* "-" prepended: the first word is the code (script_lua.c luaRedisErrorReplyCommand). */
    luaL_Buffer b;
    luaL_buffinit(lua, &b);
    luaL_addchar(&b, '-');
    luaL_addlstring(&b, err, len);
    luaL_pushresult(&b);
    err = lua_tolstring(lua, -1, &len);
    push_error_table(lua, err, len);
  }
  return 1;
}

/* redis.log(level, ...): the host logs the arguments joined by spaces (script_lua.c luaLogCommand). */
int redis_log(lua_State *lua) {
  Engine *engine = engine_of(lua);
  int argc = lua_gettop(lua), level, first = 1;
  if (argc < 2) return raise_error(lua, "redis.log() requires two arguments or more.");
  if (!lua_isnumber(lua, 1)) return raise_error(lua, "First argument must be a number (log level).");
  level = (int)lua_tonumber(lua, 1);
  if (level < 0 || level > 3) return raise_error(lua, "Invalid debug level.");
  lua_pushstring(lua, "");
  for (int j = 2; j <= argc; j++) {
    if (!lua_isstring(lua, j)) continue;
    if (!first) lua_pushstring(lua, " "), lua_concat(lua, 2);
    lua_pushvalue(lua, j);
    lua_concat(lua, 2);
    first = 0;
  }
  if (engine != NULL && engine->running) {
    napi_handle_scope scope;
    napi_value args[2], global, log, result;
    size_t len;
    const char *message = lua_tolstring(lua, -1, &len);
    napi_open_handle_scope(engine->env, &scope);
    napi_get_global(engine->env, &global);
    napi_get_named_property(engine->env, engine->host, "log", &log);
    napi_create_int32(engine->env, level, &args[0]);
    napi_create_string_utf8(engine->env, message, len, &args[1]);
    if (napi_call_function(engine->env, global, log, 2, args, &result) != napi_ok) {
      bool pending = false;
      napi_value ignored;
      napi_is_exception_pending(engine->env, &pending);
      if (pending) napi_get_and_clear_last_exception(engine->env, &ignored);
    }
    napi_close_handle_scope(engine->env, scope);
  }
  return 0;
}

static int redis_setresp(lua_State *lua) {
  Engine *engine = engine_of(lua);
  int resp;
  if (!engine->running) return raise_error(lua, "redis.setresp can only be called inside a script invocation");
  if (lua_gettop(lua) != 1) return raise_error(lua, "redis.setresp() requires one argument.");
  resp = (int)lua_tonumber(lua, -1);
  if (resp != 2 && resp != 3) return raise_error(lua, "RESP version must be 2 or 3.");
  engine->resp = resp;
  return 0;
}

/* redis.set_repl: effects are always propagated whole here (no replicas); the argument is checked as Redis does. */
static int redis_set_repl(lua_State *lua) {
  Engine *engine = engine_of(lua);
  int flags;
  if (!engine->running) return raise_error(lua, "redis.set_repl can only be called inside a script invocation");
  if (lua_gettop(lua) != 1) return raise_error(lua, "redis.set_repl() requires two arguments.");
  flags = (int)lua_tonumber(lua, -1);
  if ((flags & ~3) != 0) {
    return raise_error(lua, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
  }
  return 0;
}

/* redis.breakpoint: false, as in Redis when no debugging session is active. redis.debug: nothing then. */
static int redis_breakpoint(lua_State *lua) {
  lua_pushboolean(lua, 0);
  return 1;
}
static int redis_debug(lua_State *lua) {
  (void)lua;
  return 0;
}
/* Deprecated in Redis 7: always true. */
static int redis_replicate_commands(lua_State *lua) {
  lua_pushboolean(lua, 1);
  return 1;
}

/* ---- math.random over lrand48 (Redis's rand.c: the same sequence on every platform) ---- */

#define LRAND48_MAX 2147483647

/* One generator per thread, as Redis has one per process: it outlives the states (SCRIPT FLUSH does not
 * restart the sequence), and is seeded as lrand48 is. */
static _Thread_local uint64_t rand48 = 0x1234ABCD330EULL;

static int32_t next_lrand48(void) {
  rand48 = (rand48 * 0x5DEECE66DULL + 0xB) & 0xFFFFFFFFFFFFULL;
  return (int32_t)(rand48 >> 17);
}

static int math_random(lua_State *lua) {
  Engine *engine = engine_of(lua);
  lua_Number r;
  if (!engine->running) return luaL_error(lua, "math.random can only be called inside a script invocation");
  r = (lua_Number)(next_lrand48() % LRAND48_MAX) / (lua_Number)LRAND48_MAX;
  switch (lua_gettop(lua)) {
  case 0:
    lua_pushnumber(lua, r);
    break;
  case 1: {
    int u = luaL_checkint(lua, 1);
    luaL_argcheck(lua, 1 <= u, 1, "interval is empty");
    lua_pushnumber(lua, floor(r * u) + 1);
    break;
  }
  case 2: {
    int l = luaL_checkint(lua, 1), u = luaL_checkint(lua, 2);
    luaL_argcheck(lua, l <= u, 2, "interval is empty");
    lua_pushnumber(lua, floor(r * (u - l + 1)) + l);
    break;
  }
  default:
    return luaL_error(lua, "wrong number of arguments");
  }
  return 1;
}

static int math_randomseed(lua_State *lua) {
  Engine *engine = engine_of(lua);
  int32_t seed;
  if (!engine->running) return luaL_error(lua, "math.randomseed can only be called inside a script invocation");
  seed = (int32_t)luaL_checkint(lua, 1);
  /* srand48: the high 32 bits are the seed, the low 16 are 0x330E. */
  rand48 = ((uint64_t)(uint32_t)seed << 16) | 0x330E;
  return 0;
}

/* ---- globals protection ---- */

/* Pushes the table a read-only proxy at `index` stands for and returns 1; pushes nothing and returns 0 for any
 * other value. (The registry's PROXIES_KEY table maps each proxy to it, weakly.) */
static int push_real_table(lua_State *lua, int index) {
  index = index < 0 ? lua_gettop(lua) + index + 1 : index;
  if (lua_type(lua, index) != LUA_TTABLE) return 0;
  lua_getfield(lua, LUA_REGISTRYINDEX, PROXIES_KEY);
  lua_pushvalue(lua, index);
  lua_rawget(lua, -2);
  lua_remove(lua, -2);
  if (lua_istable(lua, -1)) return 1;
  lua_pop(lua, 1);
  return 0;
}

static int is_readonly_proxy(lua_State *lua, int index) {
  if (!push_real_table(lua, index)) return 0;
  lua_pop(lua, 1);
  return 1;
}

/* __newindex of every protected table: the VM's read-only check, with the script's position. */
int readonly_newindex(lua_State *lua) {
  return luaL_error(lua, "Attempt to modify a readonly table");
}

/* __index of the globals: a global that does not exist is an error (script_lua.c luaProtectedTableError). */
int globals_index(lua_State *lua) {
  lua_pushvalue(lua, 2);
  lua_rawget(lua, lua_upvalueindex(1));
  if (!lua_isnil(lua, -1)) return 1;
  if (!lua_isstring(lua, 2) && !lua_isnumber(lua, 2)) {
    return luaL_error(lua, "Second argument to luaProtectedTableError must be a string or number");
  }
  return luaL_error(lua, "Script attempted to access nonexistent global variable '%s'", lua_tostring(lua, 2));
}

/* rawset and setmetatable refuse the protected tables, without a position, as lapi.c's check does. */
static int protected_rawset(lua_State *lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  if (is_readonly_proxy(lua, 1)) {
    lua_pushstring(lua, "Attempt to modify a readonly table");
    return lua_error(lua);
  }
  luaL_checkany(lua, 2);
  luaL_checkany(lua, 3);
  lua_settop(lua, 3);
  lua_rawset(lua, 1);
  return 1;
}

/* Redis 7.0 marks its library tables and _G read-only in place (its Lua's lua_enablereadonlytable), so they stay
 * tables a script may walk and read raw; here a script holds a proxy, so next, pairs and rawget read through it to
 * the table it stands for. */
static int protected_next(lua_State *lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  lua_settop(lua, 2);
  if (push_real_table(lua, 1)) lua_replace(lua, 1);
  if (lua_next(lua, 1)) return 2;
  lua_pushnil(lua);
  return 1;
}

/* pairs(t): the protected next (its upvalue), t, nil, as lbaselib.c's luaB_pairs returns its own next. */
static int protected_pairs(lua_State *lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  lua_pushvalue(lua, lua_upvalueindex(1));
  lua_pushvalue(lua, 1);
  lua_pushnil(lua);
  return 3;
}

static int protected_rawget(lua_State *lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  luaL_checkany(lua, 2);
  lua_settop(lua, 2);
  if (push_real_table(lua, 1)) lua_replace(lua, 1);
  lua_rawget(lua, 1);
  return 1;
}

/* getmetatable of a library table is nil, as Redis's have none; the globals' proxies (an __index function, as
 * Redis's _G has its error metatable) show theirs. */
static int protected_getmetatable(lua_State *lua) {
  luaL_checkany(lua, 1);
  if (is_readonly_proxy(lua, 1) && lua_getmetatable(lua, 1)) {
    lua_getfield(lua, -1, "__index");
    int library = lua_istable(lua, -1);
    lua_pop(lua, 2);
    if (library) {
      lua_pushnil(lua);
      return 1;
    }
  }
  lua_pushvalue(lua, lua_upvalueindex(1));
  lua_insert(lua, 1);
  lua_call(lua, lua_gettop(lua) - 1, LUA_MULTRET);
  return lua_gettop(lua);
}

static int protected_setmetatable(lua_State *lua) {
  if (lua_type(lua, 1) == LUA_TTABLE && is_readonly_proxy(lua, 1)) {
    lua_pushstring(lua, "Attempt to modify a readonly table");
    return lua_error(lua);
  }
  lua_pushvalue(lua, lua_upvalueindex(1));
  lua_insert(lua, 1);
  lua_call(lua, lua_gettop(lua) - 1, LUA_MULTRET);
  return lua_gettop(lua);
}

/* Replaces the table at the top of the stack by its read-only proxy. */
void make_readonly_proxy(lua_State *lua, lua_CFunction index_function) {
  int real = lua_gettop(lua);
  lua_newtable(lua);                       /* the proxy */
  lua_newtable(lua);                       /* its metatable */
  if (index_function != NULL) {
    lua_pushvalue(lua, real);
    lua_pushcclosure(lua, index_function, 1);
  } else {
    lua_pushvalue(lua, real);
  }
  lua_setfield(lua, -2, "__index");
  lua_pushcfunction(lua, readonly_newindex);
  lua_setfield(lua, -2, "__newindex");
  lua_setmetatable(lua, -2);
  lua_getfield(lua, LUA_REGISTRYINDEX, PROXIES_KEY);
  lua_pushvalue(lua, -2);
  lua_pushvalue(lua, real);
  lua_rawset(lua, -3);
  lua_pop(lua, 1);
  lua_replace(lua, real);
}

/* The globals Redis 7.0 keeps (script_lua.c's allow lists); anything else the libraries add is removed. The allow
 * lists name newproxy, getfenv and setfenv, but redis-server 7.0.15 as shipped now (Debian's 7.0.15-1~deb12u7, with
 * the 2025 Lua security fixes) has none of them: a script gets the nonexistent-global error, so here too. */
static const char *const ALLOWED_GLOBALS[] = {
    "string", "math", "table", "redis", "__redis__err__handler", "xpcall", "tostring",
    "setmetatable", "next", "assert", "tonumber", "rawequal", "collectgarbage", "getmetatable", "rawset",
    "pcall", "coroutine", "type", "_G", "select", "unpack", "gcinfo", "pairs", "rawget", "loadstring",
    "ipairs", "_VERSION", "load", "error", "debug", NULL,
};

static int allowed_global(const char *name) {
  for (const char *const *allowed = ALLOWED_GLOBALS; *allowed != NULL; allowed++) {
    if (strcmp(*allowed, name) == 0) return 1;
  }
  return 0;
}

static void remove_unlisted_globals(lua_State *lua) {
  /* Collected first: a table must not change while lua_next walks it. */
  lua_newtable(lua);
  int doomed = lua_gettop(lua), count = 0;
  lua_pushnil(lua);
  while (lua_next(lua, LUA_GLOBALSINDEX)) {
    lua_pop(lua, 1);
    if (lua_type(lua, -1) != LUA_TSTRING || !allowed_global(lua_tostring(lua, -1))) {
      lua_pushvalue(lua, -1);
      lua_rawseti(lua, doomed, ++count);
    }
  }
  for (int j = 1; j <= count; j++) {
    lua_rawgeti(lua, doomed, j);
    lua_pushnil(lua);
    lua_rawset(lua, LUA_GLOBALSINDEX);
  }
  lua_pop(lua, 1);
}

void set_function(lua_State *lua, const char *name, lua_CFunction f) {
  lua_pushcfunction(lua, f);
  lua_setfield(lua, -2, name);
}

void set_number(lua_State *lua, const char *name, lua_Number n) {
  lua_pushnumber(lua, n);
  lua_setfield(lua, -2, name);
}

static void register_redis_api(lua_State *lua) {
  lua_newtable(lua);
  set_function(lua, "call", redis_call);
  set_function(lua, "pcall", redis_pcall);
  set_function(lua, "log", redis_log);
  set_number(lua, "LOG_DEBUG", 0);
  set_number(lua, "LOG_VERBOSE", 1);
  set_number(lua, "LOG_NOTICE", 2);
  set_number(lua, "LOG_WARNING", 3);
  set_number(lua, "REDIS_VERSION_NUM", 0x07000f);
  lua_pushstring(lua, "7.0.15");
  lua_setfield(lua, -2, "REDIS_VERSION");
  set_function(lua, "setresp", redis_setresp);
  set_function(lua, "sha1hex", redis_sha1hex);
  set_function(lua, "error_reply", redis_error_reply);
  set_function(lua, "status_reply", redis_status_reply);
  set_function(lua, "set_repl", redis_set_repl);
  set_number(lua, "REPL_NONE", 0);
  set_number(lua, "REPL_AOF", 1);
  set_number(lua, "REPL_SLAVE", 2);
  set_number(lua, "REPL_REPLICA", 2);
  set_number(lua, "REPL_ALL", 3);
  set_function(lua, "breakpoint", redis_breakpoint);
  set_function(lua, "debug", redis_debug);
  set_function(lua, "replicate_commands", redis_replicate_commands);
  set_function(lua, "acl_check_cmd", redis_acl_check_cmd);
  lua_setglobal(lua, "redis");

  lua_pushcfunction(lua, lua_redis_pcall);
  lua_setglobal(lua, "pcall");

  lua_getglobal(lua, "math");
  set_function(lua, "random", math_random);
  set_function(lua, "randomseed", math_randomseed);
  lua_pop(lua, 1);
}

/* eval.c scriptingInit's error handler: an error becomes {err=..., source=..., line=...} of the script's frame. */
static const char ERROR_HANDLER[] =
    "local dbg = debug\n"
    "debug = nil\n"
    "function __redis__err__handler(err)\n"
    "  local i = dbg.getinfo(2,'nSl')\n"
    "  if i and i.what == 'C' then\n"
    "    i = dbg.getinfo(3,'nSl')\n"
    "  end\n"
    "  if type(err) ~= 'table' then\n"
    "    err = {err='ERR ' .. tostring(err)}"
    "  end"
    "  if i then\n"
    "    err['source'] = i.source\n"
    "    err['line'] = i.currentline\n"
    "  end"
    "  return err\n"
    "end\n";

static void open_library(lua_State *lua, const char *name, lua_CFunction open) {
  lua_pushcfunction(lua, open);
  lua_pushstring(lua, name);
  lua_call(lua, 1, 0);
}

/* cjson and bit, from Debian's lua-cjson and lua-bitop (the versions Redis bundles: 2.1.0 and 1.0.2), when they
 * are installed: loaded at run time, so a machine without them still builds and runs, and scripts there find no
 * such global (cmsgpack and struct, which Debian does not package, are this addon's own: lua-libraries.h). Their
 * libraries leave Lua's symbols to the host: liblua is made global first (it is loaded already, as this addon's
 * dependency). */
static void open_system_library(lua_State *lua, const char *name, const char *file, const char *symbol) {
  void *handle;
  lua_CFunction open;
  dlopen("liblua5.1.so.0", RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
  handle = dlopen(file, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) return;
  open = (lua_CFunction)dlsym(handle, symbol);
  if (open == NULL) return;
  lua_pushcfunction(lua, open);
  lua_pushstring(lua, name);
  lua_call(lua, 1, 1);
  lua_setglobal(lua, name);
}

static void protect_globals(lua_State *lua) {
  static const char *const LIBRARIES[] = {"string", "math", "table", "redis", "coroutine", "cjson", "bit",
                                        "cmsgpack", "struct", NULL};
  lua_newtable(lua); /* proxy -> the table it stands for, with weak keys */
  lua_newtable(lua);
  lua_pushstring(lua, "k");
  lua_setfield(lua, -2, "__mode");
  lua_setmetatable(lua, -2);
  lua_setfield(lua, LUA_REGISTRYINDEX, PROXIES_KEY);
  for (const char *const *name = LIBRARIES; *name != NULL; name++) {
    lua_getglobal(lua, *name);
    if (lua_istable(lua, -1)) {
      make_readonly_proxy(lua, NULL);
      lua_setglobal(lua, *name);
    } else {
      lua_pop(lua, 1);
    }
  }
  lua_getglobal(lua, "setmetatable");
  lua_pushcclosure(lua, protected_setmetatable, 1);
  lua_setglobal(lua, "setmetatable");
  lua_pushcfunction(lua, protected_rawset);
  lua_setglobal(lua, "rawset");
  lua_pushcfunction(lua, protected_rawget);
  lua_setglobal(lua, "rawget");
  lua_pushcfunction(lua, protected_next);
  lua_pushvalue(lua, -1);
  lua_setglobal(lua, "next");
  lua_pushcclosure(lua, protected_pairs, 1);
  lua_setglobal(lua, "pairs");
  lua_getglobal(lua, "getmetatable");
  lua_pushcclosure(lua, protected_getmetatable, 1);
  lua_setglobal(lua, "getmetatable");
  /* The globals themselves: scripts see the proxy (their environment, and _G), the real table is kept for KEYS
   * and ARGV, which run() sets before each script. */
  lua_pushvalue(lua, LUA_GLOBALSINDEX);
  lua_pushvalue(lua, -1);
  lua_setfield(lua, LUA_REGISTRYINDEX, REAL_GLOBALS_KEY);
  make_readonly_proxy(lua, globals_index);
  lua_pushvalue(lua, -1);
  lua_setfield(lua, LUA_GLOBALSINDEX, "_G");
  lua_replace(lua, LUA_GLOBALSINDEX);
}

/* ---- N-API ---- */

static void finalize_engine(napi_env env, void *data, void *hint) {
  Engine *engine = data;
  (void)env;
  (void)hint;
  if (engine->lua != NULL) lua_close(engine->lua);
  free(engine);
}

Engine *engine_arg(napi_env env, napi_value value) {
  Engine *engine = NULL;
  if (napi_get_value_external(env, value, (void **)&engine) != napi_ok || engine == NULL || engine->lua == NULL) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "a live Lua engine is wanted");
    return NULL;
  }
  return engine;
}

/* A fresh engine whose state is set up as Redis's for EVAL (eval.c scriptingInit), or NULL when out of memory. */
Engine *engine_new(void) {
  Engine *engine = calloc(1, sizeof(Engine));
  lua_State *lua;
  if (engine == NULL || (lua = luaL_newstate()) == NULL) {
    free(engine);
    return NULL;
  }
  engine->lua = lua;
  engine->resp = 2;
  lua_pushlightuserdata(lua, engine);
  lua_setfield(lua, LUA_REGISTRYINDEX, ENGINE_KEY);
  open_library(lua, "", luaopen_base);
  open_library(lua, LUA_TABLIBNAME, luaopen_table);
  open_library(lua, LUA_STRLIBNAME, luaopen_string);
  open_library(lua, LUA_MATHLIBNAME, luaopen_math);
  open_library(lua, LUA_DBLIBNAME, luaopen_debug);
  remove_unlisted_globals(lua);
  open_system_library(lua, "cjson", "liblua5.1-cjson.so.0", "luaopen_cjson");
  open_library(lua, "struct", open_struct_library);
  open_library(lua, "cmsgpack", open_cmsgpack_library);
  open_system_library(lua, "bit", "liblua5.1-bitop.so.0", "luaopen_bit");
  register_redis_api(lua);
  luaL_loadbuffer(lua, ERROR_HANDLER, sizeof(ERROR_HANDLER) - 1, "@err_handler_def");
  lua_pcall(lua, 0, 0, 0);
  protect_globals(lua);
  return engine;
}

/* The engine as a JavaScript value that frees it when collected. */
napi_value engine_wrap(napi_env env, Engine *engine) {
  napi_value result;
  napi_create_external(env, engine, finalize_engine, NULL, &result);
  return result;
}

/* create() -> engine: a fresh state set up as Redis's. */
static napi_value Create(napi_env env, napi_callback_info info) {
  Engine *engine = engine_new();
  (void)info;
  if (engine == NULL) {
    napi_throw_error(env, "ENOMEM", "cannot create a Lua state");
    return NULL;
  }
  return engine_wrap(env, engine);
}

/* close(engine): frees the state now (SCRIPT FLUSH); the engine is unusable after. */
static napi_value Close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  Engine *engine;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if ((engine = engine_arg(env, argv[0])) == NULL) return NULL;
  lua_close(engine->lua);
  engine->lua = NULL;
  return NULL;
}

/* load(engine, name, body: Buffer) -> null | the compiler's message: compiles the body as function `name`. */
static napi_value Load(napi_env env, napi_callback_info info) {
  napi_value argv[3], result;
  size_t argc = 3, name_len;
  char name[64];
  void *body;
  size_t body_len;
  Engine *engine;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if ((engine = engine_arg(env, argv[0])) == NULL) return NULL;
  napi_get_value_string_latin1(env, argv[1], name, sizeof(name), &name_len);
  napi_get_buffer_info(env, argv[2], &body, &body_len);
  if (luaL_loadbuffer(engine->lua, body, body_len, "@user_script")) {
    size_t len;
    const char *message = lua_tolstring(engine->lua, -1, &len);
    /* One character per byte, as every error text here: the reply writes it back byte for byte. */
    napi_create_string_latin1(env, message == NULL ? "" : message, message == NULL ? 0 : len, &result);
    lua_pop(engine->lua, 1);
    return result;
  }
  lua_setfield(engine->lua, LUA_REGISTRYINDEX, name);
  napi_get_null(env, &result);
  return result;
}

/* has(engine, name) -> whether function `name` was loaded. */
static napi_value Has(napi_env env, napi_callback_info info) {
  napi_value argv[2], result;
  size_t argc = 2, name_len;
  char name[64];
  Engine *engine;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if ((engine = engine_arg(env, argv[0])) == NULL) return NULL;
  napi_get_value_string_latin1(env, argv[1], name, sizeof(name), &name_len);
  lua_getfield(engine->lua, LUA_REGISTRYINDEX, name);
  napi_get_boolean(env, !lua_isnil(engine->lua, -1), &result);
  lua_pop(engine->lua, 1);
  return result;
}

/* A table of Buffers as a Lua array, set as global `name` of the real globals. */
static void set_array_global(napi_env env, lua_State *lua, const char *name, napi_value list) {
  uint32_t length = 0;
  napi_get_array_length(env, list, &length);
  lua_getfield(lua, LUA_REGISTRYINDEX, REAL_GLOBALS_KEY);
  lua_createtable(lua, (int)length, 0);
  for (uint32_t j = 0; j < length; j++) {
    napi_value item;
    void *data;
    size_t len;
    napi_get_element(env, list, j, &item);
    napi_get_buffer_info(env, item, &data, &len);
    lua_pushlstring(lua, data, len);
    lua_rawseti(lua, -2, (int)j + 1);
  }
  lua_setfield(lua, -2, name);
  lua_pop(lua, 1);
}

static napi_value js_error(napi_env env, const char *message, size_t len) {
  napi_value object, text;
  char *copy = malloc(len + 1);
  if (copy == NULL) return NULL;
  /* An error reply holds no line break (the text is Redis's, its line breaks turned to spaces). */
  for (size_t i = 0; i < len; i++) copy[i] = (message[i] == '\r' || message[i] == '\n') ? ' ' : message[i];
  /* One character per byte (a UTF-8 decode would turn invalid bytes into U+FFFD): the reply writes it back as is. */
  napi_create_string_latin1(env, copy, len, &text);
  free(copy);
  napi_create_object(env, &object);
  napi_set_named_property(env, object, "err", text);
  return object;
}

/* The failed run's error reply (script_lua.c luaCallFunction): the error table's message, then the script and
 * the line it failed on. The error is at the top of the stack. */
napi_value run_error(napi_env env, lua_State *lua, const char *sha) {
  char text[8192];
  int n;
  if (!lua_istable(lua, -1)) {
    const char *message = lua_isstring(lua, -1) ? lua_tostring(lua, -1) : "execution failure";
    n = snprintf(text, sizeof(text), "ERR Error running script %s, %.100s", sha, message);
  } else {
    const char *message, *source, *line;
    lua_getfield(lua, -1, "err");
    lua_getfield(lua, -2, "source");
    lua_getfield(lua, -3, "line");
    message = lua_isstring(lua, -3) ? lua_tostring(lua, -3) : "";
    source = lua_isstring(lua, -2) ? lua_tostring(lua, -2) : NULL;
    line = lua_isstring(lua, -1) ? lua_tostring(lua, -1) : NULL;
    if (source != NULL && line != NULL) {
      n = snprintf(text, sizeof(text), "%s script: %s, on %s:%s.", message, sha, source, line);
    } else {
      n = snprintf(text, sizeof(text), "%s", message);
    }
    lua_pop(lua, 3);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof(text)) n = sizeof(text) - 1;
    napi_value error = js_error(env, text, (size_t)n);
    mark_counted(env, lua, error);
    return error;
  }
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof(text)) n = sizeof(text) - 1;
  return js_error(env, text, (size_t)n);
}

/* The busy word run() was given (an Int32Array over shared memory, its first element), or NULL. */
int32_t *busy_word_arg(napi_env env, napi_value value) {
  bool is_typed = false;
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return NULL;
  if (napi_get_typedarray_info(env, value, &type, &length, &data, NULL, NULL) != napi_ok) return NULL;
  return type == napi_int32_array && length >= 1 ? (int32_t *)data : NULL;
}

/* run(engine, name, sha, keys: Buffer[], args: Buffer[], host, busy?: Int32Array, thresholdMs?: number) -> reply
 * tree. host: { call(argv, resp) -> RESP Buffer, log(level, message), sha1hex(Buffer) -> string, timedOut?(ms) }.
 * With `busy` and a positive threshold the run is watched (lua-busy.c). */
static napi_value Run(napi_env env, napi_callback_info info) {
  napi_value argv[8], call;
  size_t argc = 8, len;
  int64_t threshold_ms = 0;
  int32_t *busy = NULL;
  char name[64], sha[64];
  Engine *engine;
  lua_State *lua;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if ((engine = engine_arg(env, argv[0])) == NULL) return NULL;
  if (engine->running) {
    napi_throw_error(env, "ERR_LUA_BUSY", "a script is already running on this engine");
    return NULL;
  }
  lua = engine->lua;
  napi_get_value_string_latin1(env, argv[1], name, sizeof(name), &len);
  napi_get_value_string_latin1(env, argv[2], sha, sizeof(sha), &len);
  napi_get_named_property(env, argv[5], "call", &call);
  if (argc >= 8) {
    busy = busy_word_arg(env, argv[6]);
    if (napi_get_value_int64(env, argv[7], &threshold_ms) != napi_ok) threshold_ms = 0;
  }
  set_array_global(env, lua, "KEYS", argv[3]);
  set_array_global(env, lua, "ARGV", argv[4]);
  lua_getfield(lua, LUA_REGISTRYINDEX, REAL_GLOBALS_KEY);
  lua_getfield(lua, -1, "__redis__err__handler");
  lua_remove(lua, -2);
  lua_getfield(lua, LUA_REGISTRYINDEX, name);
  if (lua_isnil(lua, -1)) {
    lua_pop(lua, 2);
    napi_throw_error(env, "ERR_LUA_NO_FUNCTION", "no such function in this engine");
    return NULL;
  }
  return run_with_host(engine, env, argv[5], call, 0, busy, threshold_ms, sha);
}

/*
 * Calls the function on top of the stack (its `nargs` arguments above it, the error handler below it) with the
 * host's redis.call answering, the busy hook watching, and a GC step every 50 runs; pops the handler and returns
 * the reply converted, or throws the script's error named after `name`. EVAL's and FCALL's common end.
 */
napi_value run_with_host(Engine *engine, napi_env env, napi_value host, napi_value call, int nargs,
                         int32_t *busy, int64_t threshold_ms, const char *name) {
  lua_State *lua = engine->lua;
  napi_value result;
  int failed;
  engine->env = env;
  engine->host = host;
  engine->host_call = call;
  engine->resp = 2;
  engine->running = 1;
  busy_hook_start(engine, lua, busy, threshold_ms);
  failed = lua_pcall(lua, nargs, 1, -2 - nargs);
  busy_hook_stop(engine, lua);
  if (++engine->gc_count == 50) {
    lua_gc(lua, LUA_GCSTEP, 50);
    engine->gc_count = 0;
  }
  if (failed) {
    result = run_error(env, lua, name);
    lua_pop(lua, 1);
  } else {
    result = lua_reply_to_js(engine, env);
  }
  lua_pop(lua, 1); /* the error handler */
  engine->running = 0;
  engine->env = NULL;
  return result;
}

/* usedMemory(engine) -> bytes the state holds (INFO used_memory_lua). */
static napi_value UsedMemory(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  size_t argc = 1;
  Engine *engine;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if ((engine = engine_arg(env, argv[0])) == NULL) return NULL;
  napi_create_int64(env, (int64_t)lua_gc(engine->lua, LUA_GCCOUNT, 0) * 1024, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor properties[] = {
      {"create", NULL, Create, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, Close, NULL, NULL, NULL, napi_default, NULL},
      {"load", NULL, Load, NULL, NULL, NULL, napi_default, NULL},
      {"has", NULL, Has, NULL, NULL, NULL, napi_default, NULL},
      {"run", NULL, Run, NULL, NULL, NULL, napi_default, NULL},
      {"usedMemory", NULL, UsedMemory, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value watches;
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  define_function_exports(env, exports);
  /* run() and functionsCall() take a busy word (lua-busy.c): an addon built before them ignores it. */
  napi_get_boolean(env, true, &watches);
  napi_set_named_property(env, exports, "watchesLongRuns", watches);
  /* ... and past busy-reply-threshold call the host's whileBusy() from the hook (lua-busy.c). */
  napi_set_named_property(env, exports, "servesWhileBusy", watches);
  return exports;
}
