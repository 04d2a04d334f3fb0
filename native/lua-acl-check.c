/*
 * lua-acl-check: redis.acl_check_cmd(command, ...) (script_lua.c luaRedisAclCheckCmdPermissionsCommand): whether
 * the script's caller may run that command. redis-lite has one user, Redis's default one (every command, key
 * and channel), so the answer is true for any command the server has, and the error Redis raises for one it
 * has not; the host says which exist (as redis.call names a command: a container's subcommand when there is a
 * second argument). The arguments are checked as redis.call checks them.
 */
#include "lua-acl-check.h"

#include <stdio.h>
#include <string.h>

/* Argument `index` as redis.call sends it: a number as %.17g (script_lua.c luaArgsToRedisArgv). */
static napi_value argument_buffer(napi_env env, lua_State *lua, int index) {
  char number[32];
  const char *bytes;
  size_t len;
  void *copy;
  napi_value buffer;
  if (lua_type(lua, index) == LUA_TNUMBER) {
    int n = snprintf(number, sizeof(number), "%.17g", (double)lua_tonumber(lua, index));
    bytes = number;
    len = n < 0 ? 0 : (size_t)n;
  } else {
    bytes = lua_tolstring(lua, index, &len);
  }
  if (napi_create_buffer_copy(env, len, bytes, &copy, &buffer) != napi_ok) return NULL;
  return buffer;
}

static int raise_error_text(lua_State *lua, const char *text) {
  push_error_table(lua, text, strlen(text));
  return lua_error(lua);
}

int redis_acl_check_cmd(lua_State *lua) {
  Engine *engine = engine_of(lua);
  int argc = lua_gettop(lua), known = -1;
  napi_handle_scope scope;
  napi_value args[2], global, exists, result;
  if (engine == NULL || !engine->running) {
    return raise_error_text(lua, "redis.acl_check_cmd can only be called inside a script invocation");
  }
  if (argc == 0) return raise_error_text(lua, "Please specify at least one argument for this redis lib call");
  for (int j = 1; j <= argc; j++) {
    int type = lua_type(lua, j);
    if (type != LUA_TNUMBER && type != LUA_TSTRING) {
      return raise_error_text(lua, "Lua redis lib command arguments must be strings or integers");
    }
  }
  napi_open_handle_scope(engine->env, &scope);
  args[0] = argument_buffer(engine->env, lua, 1);
  if (argc >= 2) args[1] = argument_buffer(engine->env, lua, 2);
  else napi_get_null(engine->env, &args[1]);
  napi_get_global(engine->env, &global);
  if (args[0] != NULL && args[1] != NULL &&
      napi_get_named_property(engine->env, engine->host, "commandExists", &exists) == napi_ok &&
      napi_call_function(engine->env, global, exists, 2, args, &result) == napi_ok) {
    bool value;
    if (napi_get_value_bool(engine->env, result, &value) == napi_ok) known = value;
  } else {
    bool pending = false;
    napi_value ignored;
    napi_is_exception_pending(engine->env, &pending);
    if (pending) napi_get_and_clear_last_exception(engine->env, &ignored);
  }
  /* Closed before any Lua error: its longjmp must not skip the scope's close. */
  napi_close_handle_scope(engine->env, scope);
  if (known < 0) return raise_error_text(lua, "internal error checking a command from a script");
  if (!known) return raise_error_text(lua, "Invalid command passed to redis.acl_check_cmd()");
  lua_pushboolean(lua, 1);
  return 1;
}
