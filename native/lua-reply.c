/*
 * lua-reply: the two conversions between Redis replies and Lua values, as Redis 7.0's script_lua.c makes them.
 * A reply redis.call got (RESP bytes, in the version redis.setresp chose) becomes Lua values; what a script
 * returns becomes a JavaScript tree the host turns into a reply: a Buffer (bulk), a number or BigInt (integer),
 * a boolean (RESP3 scripts), null, an Array, or an object {err}, {ok}, {double}, {big}, {verbatim, format},
 * {map: [k, v, ...]}, {set: [...]}. Knows nothing of commands or clients.
 */
#include "lua-engine.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

void push_error_table(lua_State *lua, const char *text, size_t len) {
  /* "-CODE msg": the code is up to the first space (all of it, with ERR, when there is none); a bare message
   * gets ERR. Trailing CR/LF are trimmed from the message. */
  luaL_Buffer b;
  const char *code = "ERR", *msg = text;
  size_t code_len = 3, msg_len = len;
  if (len > 0 && text[0] == '-') {
    const char *space = memchr(text, ' ', len);
    if (space == NULL) {
      msg = text + 1;
      msg_len = len - 1;
    } else {
      code = text + 1;
      code_len = (size_t)(space - text) - 1;
      msg = space + 1;
      msg_len = len - (size_t)(msg - text);
    }
  }
  while (msg_len > 0 && (msg[0] == '\r' || msg[0] == '\n')) msg++, msg_len--;
  while (msg_len > 0 && (msg[msg_len - 1] == '\r' || msg[msg_len - 1] == '\n')) msg_len--;
  lua_newtable(lua);
  lua_pushstring(lua, "err");
  luaL_buffinit(lua, &b);
  luaL_addlstring(&b, code, code_len);
  luaL_addchar(&b, ' ');
  luaL_addlstring(&b, msg, msg_len);
  luaL_pushresult(&b);
  lua_settable(lua, -3);
}

/* The line at p (up to CRLF) and the position after its CRLF. */
static const char *line_end(const char *p, const char *end) {
  const char *cr = p;
  while (cr + 1 < end && !(cr[0] == '\r' && cr[1] == '\n')) cr++;
  return cr;
}

static void set_field_string(lua_State *lua, const char *field, const char *s, size_t len) {
  lua_pushstring(lua, field);
  lua_pushlstring(lua, s, len);
  lua_settable(lua, -3);
}

const char *push_resp_reply(lua_State *lua, const char *p, const char *end) {
  char type = *p;
  const char *body = p + 1;
  const char *eol = line_end(body, end);
  const char *next = eol + 2;
  size_t body_len = (size_t)(eol - body);
  long long n = strtoll(body, NULL, 10);
  luaL_checkstack(lua, 6, "lua stack limit reach when parsing redis.call reply");
  switch (type) {
  case '+':
    lua_newtable(lua);
    set_field_string(lua, "ok", body, body_len);
    return next;
  case '-': {
    /* The error with its leading '-', so push_error_table finds its code. */
    push_error_table(lua, p, (size_t)(eol - p));
    lua_pushstring(lua, "ignore_error_stats_update");
    lua_pushboolean(lua, 1);
    lua_settable(lua, -3);
    return next;
  }
  case ':':
    lua_pushnumber(lua, (lua_Number)n);
    return next;
  case '$':
    if (n < 0) {
      lua_pushboolean(lua, 0);
      return next;
    }
    lua_pushlstring(lua, next, (size_t)n);
    return next + n + 2;
  case '*':
  case '>':
    if (n < 0) {
      lua_pushboolean(lua, 0);
      return next;
    }
    lua_newtable(lua);
    for (long long j = 0; j < n; j++) {
      lua_pushnumber(lua, (lua_Number)(j + 1));
      next = push_resp_reply(lua, next, end);
      lua_settable(lua, -3);
    }
    return next;
  case '%':
    lua_newtable(lua);
    lua_pushstring(lua, "map");
    lua_newtable(lua);
    for (long long j = 0; j < n; j++) {
      next = push_resp_reply(lua, next, end);
      next = push_resp_reply(lua, next, end);
      lua_settable(lua, -3);
    }
    lua_settable(lua, -3);
    return next;
  case '~':
    lua_newtable(lua);
    lua_pushstring(lua, "set");
    lua_newtable(lua);
    for (long long j = 0; j < n; j++) {
      next = push_resp_reply(lua, next, end);
      lua_pushboolean(lua, 1);
      lua_settable(lua, -3);
    }
    lua_settable(lua, -3);
    return next;
  case '|':
    /* Attributes are not shown to scripts: parsed and dropped, then the reply they annotate. */
    for (long long j = 0; j < 2 * n; j++) {
      next = push_resp_reply(lua, next, end);
      lua_pop(lua, 1);
    }
    return push_resp_reply(lua, next, end);
  case '_':
    lua_pushnil(lua);
    return next;
  case '#':
    lua_pushboolean(lua, body_len > 0 && body[0] == 't');
    return next;
  case ',': {
    char text[128];
    size_t len = body_len < sizeof(text) - 1 ? body_len : sizeof(text) - 1;
    memcpy(text, body, len);
    text[len] = '\0';
    lua_newtable(lua);
    lua_pushstring(lua, "double");
    lua_pushnumber(lua, strtod(text, NULL));
    lua_settable(lua, -3);
    return next;
  }
  case '(':
    lua_newtable(lua);
    set_field_string(lua, "big_number", body, body_len);
    return next;
  case '=': {
    /* "$len\r\nfmt:text": the format is the first three bytes. */
    const char *data = next;
    lua_newtable(lua);
    lua_pushstring(lua, "verbatim_string");
    lua_newtable(lua);
    set_field_string(lua, "string", data + 4, n >= 4 ? (size_t)n - 4 : 0);
    set_field_string(lua, "format", data, 3);
    lua_settable(lua, -3);
    return data + n + 2;
  }
  default:
    lua_pushnil(lua);
    return end;
  }
}

/* ---- Lua value -> JavaScript reply tree ---- */

static napi_value js_string(napi_env env, const char *s, size_t len) {
  napi_value v;
  napi_create_string_latin1(env, s, len, &v);
  return v;
}

static napi_value js_buffer(napi_env env, const char *s, size_t len) {
  napi_value v;
  void *data;
  napi_create_buffer_copy(env, len, s, &data, &v);
  return v;
}

/* { name: value } */
static napi_value js_tagged(napi_env env, const char *name, napi_value value) {
  napi_value object;
  napi_create_object(env, &object);
  napi_set_named_property(env, object, name, value);
  return object;
}

/* A string with CR and LF turned to spaces (Redis's sdsmapchars on status and big number replies). */
static napi_value js_single_line(napi_env env, const char *s, size_t len) {
  char *copy = malloc(len + 1);
  napi_value v;
  if (copy == NULL) return js_string(env, "", 0);
  for (size_t i = 0; i < len; i++) copy[i] = (s[i] == '\r' || s[i] == '\n') ? ' ' : s[i];
  v = js_string(env, copy, len);
  free(copy);
  return v;
}

/* The top value's field `name` if it has type `type` (left pushed, returns 1), else nothing pushed. */
static int raw_field(lua_State *lua, const char *name, int type) {
  lua_pushstring(lua, name);
  lua_rawget(lua, -2);
  if (lua_type(lua, -1) == type) return 1;
  lua_pop(lua, 1);
  return 0;
}

/* An error table's message as Redis replies it (addReplyErrorFormatEx "-%s"): CR/LF trimmed at the ends and
 * turned to spaces within. */
static napi_value js_error_message(napi_env env, const char *s, size_t len) {
  while (len > 0 && (s[0] == '\r' || s[0] == '\n')) s++, len--;
  while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == '\n')) len--;
  return js_tagged(env, "err", js_single_line(env, s, len));
}

void mark_counted(napi_env env, lua_State *lua, napi_value error) {
  /* A command's error redis.call or redis.pcall got: counted in errorstats when that command replied it. */
  if (raw_field(lua, "ignore_error_stats_update", LUA_TBOOLEAN)) {
    napi_value yes;
    if (lua_toboolean(lua, -1)) napi_get_boolean(env, 1, &yes), napi_set_named_property(env, error, "counted", yes);
    lua_pop(lua, 1);
  }
}

static napi_value table_to_js(Engine *engine, napi_env env, lua_State *lua) {
  napi_value list;
  size_t len;
  const char *s;
  uint32_t count = 0;
  if (raw_field(lua, "err", LUA_TSTRING)) {
    s = lua_tolstring(lua, -1, &len);
    napi_value v = js_error_message(env, s, len);
    lua_pop(lua, 1);
    mark_counted(env, lua, v);
    return v;
  }
  if (raw_field(lua, "ok", LUA_TSTRING)) {
    s = lua_tolstring(lua, -1, &len);
    napi_value v = js_tagged(env, "ok", js_single_line(env, s, len));
    lua_pop(lua, 1);
    return v;
  }
  if (raw_field(lua, "double", LUA_TNUMBER)) {
    napi_value d;
    napi_create_double(env, lua_tonumber(lua, -1), &d);
    lua_pop(lua, 1);
    return js_tagged(env, "double", d);
  }
  if (raw_field(lua, "big_number", LUA_TSTRING)) {
    s = lua_tolstring(lua, -1, &len);
    napi_value v = js_tagged(env, "big", js_single_line(env, s, len));
    lua_pop(lua, 1);
    return v;
  }
  if (raw_field(lua, "verbatim_string", LUA_TTABLE)) {
    if (raw_field(lua, "format", LUA_TSTRING)) {
      if (raw_field(lua, "string", LUA_TSTRING)) {
        napi_value v = js_tagged(env, "verbatim", js_buffer(env, lua_tostring(lua, -1), lua_strlen(lua, -1)));
        size_t flen;
        const char *format = lua_tolstring(lua, -2, &flen);
        napi_set_named_property(env, v, "format", js_string(env, format, flen));
        lua_pop(lua, 3);
        return v;
      }
      lua_pop(lua, 1);
    }
    lua_pop(lua, 1);
  }
  if (raw_field(lua, "map", LUA_TTABLE)) {
    napi_create_array(env, &list);
    lua_pushnil(lua);
    while (lua_next(lua, -2)) {
      lua_pushvalue(lua, -2);
      napi_set_element(env, list, count++, lua_reply_to_js(engine, env)); /* the key */
      napi_set_element(env, list, count++, lua_reply_to_js(engine, env)); /* the value */
    }
    lua_pop(lua, 1);
    return js_tagged(env, "map", list);
  }
  if (raw_field(lua, "set", LUA_TTABLE)) {
    napi_create_array(env, &list);
    lua_pushnil(lua);
    while (lua_next(lua, -2)) {
      lua_pop(lua, 1);
      lua_pushvalue(lua, -1);
      napi_set_element(env, list, count++, lua_reply_to_js(engine, env));
    }
    lua_pop(lua, 1);
    return js_tagged(env, "set", list);
  }
  /* An array: elements 1, 2, ... up to the first nil. */
  napi_create_array(env, &list);
  for (int j = 1;; j++) {
    lua_pushnumber(lua, j);
    lua_rawget(lua, -2);
    if (lua_isnil(lua, -1)) {
      lua_pop(lua, 1);
      break;
    }
    napi_set_element(env, list, count++, lua_reply_to_js(engine, env));
  }
  return list;
}

napi_value lua_reply_to_js(Engine *engine, napi_env env) {
  lua_State *lua = engine->lua;
  napi_value v;
  size_t len;
  const char *s;
  if (!lua_checkstack(lua, 4)) {
    lua_pop(lua, 1);
    return js_tagged(env, "err", js_string(env, "ERR reached lua stack limit", 27));
  }
  switch (lua_type(lua, -1)) {
  case LUA_TSTRING:
    s = lua_tolstring(lua, -1, &len);
    v = js_buffer(env, s, len);
    break;
  case LUA_TBOOLEAN:
    /* RESP2 scripts: true is 1 and false a null; RESP3 scripts return booleans. */
    if (engine->resp == 2) {
      if (lua_toboolean(lua, -1)) napi_create_int32(env, 1, &v);
      else napi_get_null(env, &v);
    } else {
      napi_get_boolean(env, lua_toboolean(lua, -1), &v);
    }
    break;
  case LUA_TNUMBER: {
    /* Truncated to an integer, as Redis's (long long) cast. */
    long long n = (long long)lua_tonumber(lua, -1);
    if (n >= -9007199254740991LL && n <= 9007199254740991LL) napi_create_int64(env, n, &v);
    else napi_create_bigint_int64(env, n, &v);
    break;
  }
  case LUA_TTABLE:
    v = table_to_js(engine, env, lua);
    break;
  default:
    napi_get_null(env, &v);
  }
  lua_pop(lua, 1);
  return v;
}
