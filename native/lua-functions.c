/*
 * lua-functions: the Lua engine of Redis 7.0's Functions (function_lua.c). Its state is set up as EVAL's, but its
 * globals are a read-only proxy over one of two APIs: while FUNCTION LOAD runs a library's code, only `redis`
 * with register_function, log and the version (anything else is a nonexistent global); while a function runs, the
 * whole of EVAL's. The functions a library registers are kept in the registry under a key the caller names, and
 * called with (keys, args) as Redis calls them. Knows nothing of library names, the shared registry or commands.
 */
#include "lua-engine.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define CURRENT_API_KEY "redis_lite_current_api"
#define LOAD_API_KEY "redis_lite_load_api"
#define LOAD_FUNCTIONS_KEY "redis_lite_load_functions"
#define LOAD_META_KEY "redis_lite_load_meta"
#define ERROR_HANDLER_KEY "redis_lite_function_error_handler"
#define KEY_MAX 64

/* script.c scripts_flags_def, in its order (FUNCTION LIST lists a function's flags in it). */
static const char *const FLAG_NAMES[] = {"no-writes", "allow-oom", "allow-stale", "no-cluster",
                                         "allow-cross-slot-keys", NULL};

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int raise_message(lua_State *lua, const char *message) {
  push_error_table(lua, message, strlen(message));
  return lua_error(lua);
}

/* __index of the functions' globals: the current API's value, else Redis's nonexistent-global error (raised here,
 * so its position is the script's line, as luaProtectedTableError's is). */
static int function_globals_index(lua_State *lua) {
  lua_getfield(lua, LUA_REGISTRYINDEX, CURRENT_API_KEY);
  lua_pushvalue(lua, 2);
  lua_rawget(lua, -2);
  if (!lua_isnil(lua, -1)) return 1;
  if (!lua_isstring(lua, 2) && !lua_isnumber(lua, 2)) {
    return luaL_error(lua, "Second argument to luaProtectedTableError must be a string or number");
  }
  return luaL_error(lua, "Script attempted to access nonexistent global variable '%s'", lua_tostring(lua, 2));
}

/* FUNCTION LOAD's deadline (function_lua.c luaEngineLoadHook): checked every 100,000 instructions. */
static void load_hook(lua_State *lua, lua_Debug *ar) {
  Engine *engine = engine_of(lua);
  (void)ar;
  if (engine->load_deadline != 0 && now_ns() > engine->load_deadline) {
    lua_sethook(lua, load_hook, LUA_MASKLINE, 0);
    raise_message(lua, "FUNCTION LOAD timeout");
  }
}

/* functions.c functionsVerifyName: [a-zA-Z0-9_]+. */
static int valid_name(const char *name, size_t len) {
  if (len == 0) return 0;
  for (size_t i = 0; i < len; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return 0;
  }
  return 1;
}

/* The flags table at the top of the stack as bits of FLAG_NAMES, or -1 for a flag that is not one. */
static int read_flags(lua_State *lua) {
  int flags = 0;
  for (int j = 1;; j++) {
    int found = 0;
    lua_pushnumber(lua, j);
    lua_gettable(lua, -2);
    if (lua_isnil(lua, -1)) {
      lua_pop(lua, 1);
      return flags;
    }
    if (lua_isstring(lua, -1)) {
      const char *name = lua_tostring(lua, -1);
      for (int f = 0; FLAG_NAMES[f] != NULL; f++) {
        if (strcasecmp(FLAG_NAMES[f], name) == 0) {
          flags |= 1 << f;
          found = 1;
          break;
        }
      }
    }
    lua_pop(lua, 1);
    if (!found) return -1;
  }
}

/* redis.register_function{function_name=, callback=, flags=, description=}: leaves the name, description and
 * callback at stack slots 2, 3 and 4 and returns the flags (function_lua.c luaRegisterFunctionReadNamedArgs). */
static int read_named_args(lua_State *lua) {
  int flags = 0;
  if (!lua_istable(lua, 1)) {
    return raise_message(lua, "calling redis.register_function with a single argument is only applicable to Lua table "
                      "(representing named arguments).");
  }
  lua_settop(lua, 4);
  lua_pushnil(lua);
  while (lua_next(lua, 1)) {
    const char *key;
    if (!lua_isstring(lua, -2)) return raise_message(lua, "named argument key given to redis.register_function is not a string");
    lua_pushvalue(lua, -2); /* a copy: converting a number key in place would confuse lua_next */
    key = lua_tostring(lua, -1);
    if (strcasecmp(key, "function_name") == 0) {
      if (!lua_isstring(lua, -2)) {
        return raise_message(lua, "function_name argument given to redis.register_function must be a string");
      }
      lua_pushvalue(lua, -2);
      lua_replace(lua, 2);
    } else if (strcasecmp(key, "description") == 0) {
      if (!lua_isstring(lua, -2)) {
        return raise_message(lua, "description argument given to redis.register_function must be a string");
      }
      lua_pushvalue(lua, -2);
      lua_replace(lua, 3);
    } else if (strcasecmp(key, "callback") == 0) {
      if (!lua_isfunction(lua, -2)) {
        return raise_message(lua, "callback argument given to redis.register_function must be a function");
      }
      lua_pushvalue(lua, -2);
      lua_replace(lua, 4);
    } else if (strcasecmp(key, "flags") == 0) {
      if (!lua_istable(lua, -2)) {
        return raise_message(lua,
                     "flags argument to redis.register_function must be a table representing function flags");
      }
      lua_pushvalue(lua, -2);
      flags = read_flags(lua);
      lua_pop(lua, 1);
      if (flags < 0) return raise_message(lua, "unknown flag given");
    } else {
      return raise_message(lua, "unknown argument given to redis.register_function");
    }
    lua_pop(lua, 2); /* the key's copy and the value */
  }
  if (lua_isnil(lua, 2)) return raise_message(lua, "redis.register_function must get a function name argument");
  if (lua_isnil(lua, 4)) return raise_message(lua, "redis.register_function must get a callback argument");
  return flags;
}

/* redis.register_function(name, callback) (luaRegisterFunctionReadPositionalArgs). */
static void read_positional_args(lua_State *lua) {
  if (!lua_isstring(lua, 1)) raise_message(lua, "first argument to redis.register_function must be a string");
  if (!lua_isfunction(lua, 2)) raise_message(lua, "second argument to redis.register_function must be a function");
  lua_settop(lua, 2);
  lua_pushnil(lua);       /* no description */
  lua_pushvalue(lua, 2);  /* the callback, at 4 */
  lua_pushvalue(lua, 1);
  lua_replace(lua, 2);    /* the name, at 2 */
}

/* redis.register_function, during FUNCTION LOAD only: adds the function to the library being loaded
 * (luaRegisterFunction, functionLibCreateFunction). */
static int register_function(lua_State *lua) {
  Engine *engine = engine_of(lua);
  int argc = lua_gettop(lua), flags = 0;
  size_t name_len;
  const char *name;
  if (engine == NULL || !engine->loading) {
    return raise_message(lua, "redis.register_function can only be called on FUNCTION LOAD command");
  }
  if (argc < 1 || argc > 2) return raise_message(lua, "wrong number of arguments to redis.register_function");
  if (argc == 1) {
    flags = read_named_args(lua);
  } else {
    read_positional_args(lua);
  }
  name = lua_tolstring(lua, 2, &name_len);
  if (!valid_name(name, name_len)) {
    return raise_message(lua, "Library names can only contain letters, numbers, or underscores(_) and must be at least "
                      "one character long");
  }
  lua_getfield(lua, LUA_REGISTRYINDEX, LOAD_FUNCTIONS_KEY);
  lua_pushvalue(lua, 2);
  lua_rawget(lua, -2);
  if (!lua_isnil(lua, -1)) return raise_message(lua, "Function already exists in the library");
  lua_pop(lua, 1);
  lua_pushvalue(lua, 2);
  lua_pushvalue(lua, 4);
  lua_rawset(lua, -3);
  lua_pop(lua, 1);
  /* {name, description, flags} appended to the library's list */
  lua_getfield(lua, LUA_REGISTRYINDEX, LOAD_META_KEY);
  lua_createtable(lua, 3, 0);
  lua_pushvalue(lua, 2);
  lua_rawseti(lua, -2, 1);
  lua_pushvalue(lua, 3);
  lua_rawseti(lua, -2, 2);
  lua_pushnumber(lua, flags);
  lua_rawseti(lua, -2, 3);
  lua_rawseti(lua, -2, (int)lua_objlen(lua, -2) + 1);
  lua_pop(lua, 1);
  return 0;
}

/* Copies the field `name` of the table at -1 into the table at -2. */
static void copy_field(lua_State *lua, const char *name) {
  lua_getfield(lua, -1, name);
  lua_setfield(lua, -3, name);
}

/* A function's `redis` has no breakpoint, debug nor replicate_commands: eval.c adds those for EVAL alone (this
 * engine's own Lua state, so its table loses them). The globals at -1; `redis` there is a read-only proxy whose
 * __index is the table itself. */
static void remove_eval_only_api(lua_State *lua) {
  static const char *const EVAL_ONLY[] = {"breakpoint", "debug", "replicate_commands", NULL};
  lua_getfield(lua, -1, "redis");
  if (lua_getmetatable(lua, -1)) {
    lua_getfield(lua, -1, "__index");
    if (lua_istable(lua, -1)) {
      for (const char *const *name = EVAL_ONLY; *name != NULL; name++) {
        lua_pushnil(lua);
        lua_setfield(lua, -2, *name);
      }
    }
    lua_pop(lua, 2);
  }
  lua_pop(lua, 1);
}

/* functionsCreate() -> engine (function_lua.c luaEngineInitEngine). */
static napi_value FunctionsCreate(napi_env env, napi_callback_info info) {
  static const char *const LOAD_REDIS_FIELDS[] = {"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING",
                                                  "REDIS_VERSION", "REDIS_VERSION_NUM", NULL};
  Engine *engine = engine_new();
  lua_State *lua;
  (void)info;
  if (engine == NULL) {
    napi_throw_error(env, "ENOMEM", "cannot create a Lua state");
    return NULL;
  }
  lua = engine->lua;
  /* The load-time API: { redis = { register_function, log, LOG_*, REDIS_VERSION* } }, both read-only. */
  lua_newtable(lua);
  lua_newtable(lua);
  set_function(lua, "register_function", register_function);
  lua_getfield(lua, LUA_REGISTRYINDEX, REAL_GLOBALS_KEY);
  lua_getfield(lua, -1, "redis");
  lua_remove(lua, -2);
  for (const char *const *field = LOAD_REDIS_FIELDS; *field != NULL; field++) copy_field(lua, *field);
  lua_pop(lua, 1);
  make_readonly_proxy(lua, globals_index);
  lua_setfield(lua, -2, "redis");
  lua_setfield(lua, LUA_REGISTRYINDEX, LOAD_API_KEY);
  /* The error handler is the registry's here, not a global (function_lua.c REGISTRY_ERROR_HANDLER_NAME). */
  lua_getfield(lua, LUA_REGISTRYINDEX, REAL_GLOBALS_KEY);
  lua_getfield(lua, -1, "__redis__err__handler");
  lua_setfield(lua, LUA_REGISTRYINDEX, ERROR_HANDLER_KEY);
  lua_pushnil(lua);
  lua_setfield(lua, -2, "__redis__err__handler");
  remove_eval_only_api(lua);
  lua_setfield(lua, LUA_REGISTRYINDEX, CURRENT_API_KEY);
  /* The globals every library's code and functions see: a proxy over the current API. */
  lua_newtable(lua);
  make_readonly_proxy(lua, function_globals_index);
  lua_replace(lua, LUA_GLOBALSINDEX);
  return engine_wrap(env, engine);
}

static void set_current_api(lua_State *lua, const char *key) {
  lua_getfield(lua, LUA_REGISTRYINDEX, key);
  lua_setfield(lua, LUA_REGISTRYINDEX, CURRENT_API_KEY);
}

/* A C string as a JavaScript string of one character per byte: an error text keeps its bytes, UTF-8 or not, as
 * the reply writes such strings back byte for byte (a UTF-8 decode would turn invalid bytes into U+FFFD, and é
 * into one byte). */
static napi_value js_string(napi_env env, const char *text) {
  napi_value value;
  napi_create_string_latin1(env, text, NAPI_AUTO_LENGTH, &value);
  return value;
}

/* What a failed library run raised, as luaExtractErrorInformation reads it: a string gets ERR, a table its err. */
static void load_error_message(lua_State *lua, char *out, size_t size) {
  snprintf(out, size, "(null)");
  if (lua_isstring(lua, -1)) snprintf(out, size, "ERR %s", lua_tostring(lua, -1));
  if (lua_istable(lua, -1)) {
    lua_getfield(lua, -1, "err");
    if (lua_isstring(lua, -1)) snprintf(out, size, "%s", lua_tostring(lua, -1));
    lua_pop(lua, 1);
  }
}

/* The registered functions as [{ name, description (null: none), flags: [names] }], in registration order. */
static napi_value registered_functions(napi_env env, lua_State *lua) {
  napi_value list;
  size_t count;
  lua_getfield(lua, LUA_REGISTRYINDEX, LOAD_META_KEY);
  count = lua_objlen(lua, -1);
  napi_create_array_with_length(env, count, &list);
  for (size_t i = 0; i < count; i++) {
    napi_value entry, name, description, flags;
    size_t len;
    const char *text;
    int bits, n = 0;
    lua_rawgeti(lua, -1, (int)i + 1);
    napi_create_object(env, &entry);
    lua_rawgeti(lua, -1, 1);
    text = lua_tolstring(lua, -1, &len);
    napi_create_string_latin1(env, text, len, &name);
    lua_pop(lua, 1);
    lua_rawgeti(lua, -1, 2);
    if (lua_isnil(lua, -1)) {
      napi_get_null(env, &description);
    } else {
      void *copy;
      text = lua_tolstring(lua, -1, &len);
      napi_create_buffer_copy(env, len, text, &copy, &description);
    }
    lua_pop(lua, 1);
    lua_rawgeti(lua, -1, 3);
    bits = (int)lua_tonumber(lua, -1);
    lua_pop(lua, 2);
    napi_create_array(env, &flags);
    for (int f = 0; FLAG_NAMES[f] != NULL; f++) {
      if (bits & (1 << f)) napi_set_element(env, flags, n++, js_string(env, FLAG_NAMES[f]));
    }
    napi_set_named_property(env, entry, "name", name);
    napi_set_named_property(env, entry, "description", description);
    napi_set_named_property(env, entry, "flags", flags);
    napi_set_element(env, list, (uint32_t)i, entry);
  }
  lua_pop(lua, 1);
  return list;
}

/* functionsLoad(engine, key, code: Buffer, timeoutMs, host) -> [registered functions] | the error (without its
 * ERR code): compiles and runs a library's code under the load-time API (function_lua.c luaEngineCreate); its
 * functions are kept under `key`. host: { log(level, message) } for redis.log. */
static napi_value FunctionsLoad(napi_env env, napi_callback_info info) {
  napi_value argv[5], result;
  size_t argc = 5, key_len, code_len;
  char key[KEY_MAX], message[4096];
  void *code;
  int64_t timeout_ms = 0;
  int failed;
  Engine *engine;
  lua_State *lua;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if ((engine = engine_arg(env, argv[0])) == NULL) return NULL;
  if (engine->running) {
    napi_throw_error(env, "ERR_LUA_BUSY", "a script is already running on this engine");
    return NULL;
  }
  lua = engine->lua;
  napi_get_value_string_latin1(env, argv[1], key, sizeof(key), &key_len);
  napi_get_buffer_info(env, argv[2], &code, &code_len);
  napi_get_value_int64(env, argv[3], &timeout_ms);
  if (luaL_loadbuffer(lua, code, code_len, "@user_function")) {
    snprintf(message, sizeof(message), "Error compiling function: %s", lua_tostring(lua, -1));
    lua_pop(lua, 1);
    return js_string(env, message);
  }
  lua_newtable(lua);
  lua_setfield(lua, LUA_REGISTRYINDEX, LOAD_FUNCTIONS_KEY);
  lua_newtable(lua);
  lua_setfield(lua, LUA_REGISTRYINDEX, LOAD_META_KEY);
  set_current_api(lua, LOAD_API_KEY);
  engine->loading = 1;
  engine->load_deadline = timeout_ms > 0 ? now_ns() + (uint64_t)timeout_ms * 1000000ULL : 0;
  engine->env = env; /* redis.log reaches the host's log */
  engine->host = argv[4];
  engine->running = 1;
  lua_sethook(lua, load_hook, LUA_MASKCOUNT, 100000);
  failed = lua_pcall(lua, 0, 0, 0);
  lua_sethook(lua, NULL, 0, 0);
  engine->running = 0;
  engine->env = NULL;
  engine->loading = 0;
  set_current_api(lua, REAL_GLOBALS_KEY);
  if (failed) {
    char reason[4000];
    load_error_message(lua, reason, sizeof(reason));
    lua_pop(lua, 1);
    snprintf(message, sizeof(message), "Error registering functions: %s", reason);
    result = js_string(env, message);
  } else {
    result = registered_functions(env, lua);
    lua_getfield(lua, LUA_REGISTRYINDEX, LOAD_FUNCTIONS_KEY);
    lua_setfield(lua, LUA_REGISTRYINDEX, key);
  }
  lua_pushnil(lua);
  lua_setfield(lua, LUA_REGISTRYINDEX, LOAD_FUNCTIONS_KEY);
  lua_pushnil(lua);
  lua_setfield(lua, LUA_REGISTRYINDEX, LOAD_META_KEY);
  return result;
}

/* functionsDrop(engine, key): forgets the functions kept under `key`. */
static napi_value FunctionsDrop(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc = 2, key_len;
  char key[KEY_MAX];
  Engine *engine;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if ((engine = engine_arg(env, argv[0])) == NULL) return NULL;
  napi_get_value_string_latin1(env, argv[1], key, sizeof(key), &key_len);
  lua_pushnil(engine->lua);
  lua_setfield(engine->lua, LUA_REGISTRYINDEX, key);
  return NULL;
}

/* A JavaScript array of Buffers as a Lua array, pushed. */
static void push_buffer_array(napi_env env, lua_State *lua, napi_value list) {
  uint32_t length = 0;
  napi_get_array_length(env, list, &length);
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
}

/* functionsCall(engine, key, name, keys: Buffer[], args: Buffer[], host, busy?, thresholdMs?) -> reply tree: runs
 * function `name` of the library under `key` with (keys, args) (function_lua.c luaEngineCall); host, busy and
 * thresholdMs as for run(). */
static napi_value FunctionsCall(napi_env env, napi_callback_info info) {
  napi_value argv[8], call;
  size_t argc = 8, len;
  int64_t threshold_ms = 0;
  int32_t *busy = NULL;
  char key[KEY_MAX], name[1024];
  Engine *engine;
  lua_State *lua;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if ((engine = engine_arg(env, argv[0])) == NULL) return NULL;
  if (engine->running) {
    napi_throw_error(env, "ERR_LUA_BUSY", "a script is already running on this engine");
    return NULL;
  }
  lua = engine->lua;
  napi_get_value_string_latin1(env, argv[1], key, sizeof(key), &len);
  napi_get_value_string_latin1(env, argv[2], name, sizeof(name), &len);
  napi_get_named_property(env, argv[5], "call", &call);
  if (argc >= 8) {
    busy = busy_word_arg(env, argv[6]);
    if (napi_get_value_int64(env, argv[7], &threshold_ms) != napi_ok) threshold_ms = 0;
  }
  lua_getfield(lua, LUA_REGISTRYINDEX, ERROR_HANDLER_KEY);
  lua_getfield(lua, LUA_REGISTRYINDEX, key);
  if (lua_istable(lua, -1)) lua_getfield(lua, -1, name), lua_remove(lua, -2);
  if (!lua_isfunction(lua, -1)) {
    lua_pop(lua, 2);
    napi_throw_error(env, "ERR_LUA_NO_FUNCTION", "no such function in this engine");
    return NULL;
  }
  push_buffer_array(env, lua, argv[3]);
  push_buffer_array(env, lua, argv[4]);
  return run_with_host(engine, env, argv[5], call, 2, busy, threshold_ms, name);
}

void define_function_exports(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"functionsCreate", NULL, FunctionsCreate, NULL, NULL, NULL, napi_default, NULL},
      {"functionsLoad", NULL, FunctionsLoad, NULL, NULL, NULL, napi_default, NULL},
      {"functionsDrop", NULL, FunctionsDrop, NULL, NULL, NULL, napi_default, NULL},
      {"functionsCall", NULL, FunctionsCall, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
}
