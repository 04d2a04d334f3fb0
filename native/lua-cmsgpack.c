/*
 * lua-cmsgpack: the `cmsgpack` library Redis 7.0 gives scripts (it bundles lua-cmsgpack 0.4.0), written here
 * because Debian packages none for Lua 5.1. Its bytes are Redis's for the same values, quirks included: a
 * number that is an integer of int64's range packs as the smallest MessagePack integer, any other as a float32
 * when that loses nothing, else a float64; a table whose keys are exactly 1..n is an array, any other a map in
 * lua_next's order; a table 16 levels down (a cycle, say) packs as nil; strings are str types; a uint64 above
 * int64's range unpacks wrapped to a negative number; bin and ext types are "Bad data format". The Lua stack is
 * used slot for slot as Redis's library does, so its limits (LUAI_MAXCSTACK) fail on the same inputs with the
 * same messages. Knows nothing of the engine.
 */
#include "lua-libraries.h"

#include <lauxlib.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Deeper tables pack as nil: how Redis's library survives a table that contains itself. */
#define MAX_NESTING 16

#define BUFFER_METATABLE "redis_lite.cmsgpack.buffer"
/* A buffer grown past this is freed after the call rather than kept for the next one. */
#define KEPT_BUFFER_BYTES 65536

/* ---- packing ---- */

/* pack's output so far: a userdata (the upvalue of pack), so a Lua error raised mid-pack (the stack's limit,
 * out of memory) leaks nothing; its bytes are freed by the next pack or by __gc. */
typedef struct {
  unsigned char *bytes;
  size_t len, cap;
} PackBuffer;

static int free_pack_buffer(lua_State *lua) {
  PackBuffer *buffer = luaL_checkudata(lua, 1, BUFFER_METATABLE);
  free(buffer->bytes);
  buffer->bytes = NULL;
  buffer->len = buffer->cap = 0;
  return 0;
}

static void append(lua_State *lua, PackBuffer *buffer, const void *data, size_t len) {
  if (buffer->cap - buffer->len < len) {
    size_t cap = buffer->cap == 0 ? 256 : buffer->cap;
    unsigned char *bytes;
    if (buffer->len + len < buffer->len || buffer->len + len > SIZE_MAX / 2) luaL_error(lua, "not enough memory");
    while (cap < buffer->len + len) cap *= 2;
    bytes = realloc(buffer->bytes, cap);
    if (bytes == NULL) luaL_error(lua, "not enough memory");
    buffer->bytes = bytes;
    buffer->cap = cap;
  }
  memcpy(buffer->bytes + buffer->len, data, len);
  buffer->len += len;
}

/* A type byte and then `size` bytes of `value`, big-endian (MessagePack's order for every field). */
static void append_typed(lua_State *lua, PackBuffer *buffer, unsigned char type, uint64_t value, int size) {
  unsigned char bytes[9];
  bytes[0] = type;
  for (int i = size; i >= 1; i--, value >>= 8) bytes[i] = (unsigned char)(value & 0xff);
  append(lua, buffer, bytes, (size_t)size + 1);
}

/* The smallest encoding that holds n: fixint, then (u)int 8, 16, 32, 64, unsigned for n >= 0. */
static void pack_integer(lua_State *lua, PackBuffer *buffer, int64_t n) {
  if (n >= 0) {
    if (n <= 0x7f) append_typed(lua, buffer, (unsigned char)n, 0, 0);
    else if (n <= 0xff) append_typed(lua, buffer, 0xcc, (uint64_t)n, 1);
    else if (n <= 0xffff) append_typed(lua, buffer, 0xcd, (uint64_t)n, 2);
    else if (n <= 0xffffffffLL) append_typed(lua, buffer, 0xce, (uint64_t)n, 4);
    else append_typed(lua, buffer, 0xcf, (uint64_t)n, 8);
  } else {
    if (n >= -32) append_typed(lua, buffer, (unsigned char)(n & 0xff), 0, 0);
    else if (n >= -128) append_typed(lua, buffer, 0xd0, (uint64_t)n, 1);
    else if (n >= -32768) append_typed(lua, buffer, 0xd1, (uint64_t)n, 2);
    else if (n >= -2147483648LL) append_typed(lua, buffer, 0xd2, (uint64_t)n, 4);
    else append_typed(lua, buffer, 0xd3, (uint64_t)n, 8);
  }
}

/* float32 when the number survives the trip through one (infinities do, NaN never), else float64. */
static void pack_float(lua_State *lua, PackBuffer *buffer, double d) {
  float f = (float)d;
  if (d == (double)f) {
    uint32_t bits;
    memcpy(&bits, &f, sizeof(bits));
    append_typed(lua, buffer, 0xca, bits, 4);
  } else {
    uint64_t bits;
    memcpy(&bits, &d, sizeof(bits));
    append_typed(lua, buffer, 0xcb, bits, 8);
  }
}

/* Whether d converts to int64_t and back unchanged (NaN and out-of-range values never do). */
static int is_int64(double d) {
  return d >= -9223372036854775808.0 && d < 9223372036854775808.0 && (double)(int64_t)d == d;
}

static void pack_length(lua_State *lua, PackBuffer *buffer, size_t n, unsigned char fixed, unsigned char type16) {
  if (n <= 15) append_typed(lua, buffer, (unsigned char)(fixed | n), 0, 0);
  else if (n <= 0xffff) append_typed(lua, buffer, type16, n, 2);
  else append_typed(lua, buffer, (unsigned char)(type16 + 1), n & 0xffffffffu, 4);
}

static void pack_string(lua_State *lua, PackBuffer *buffer) {
  size_t len;
  const char *s = lua_tolstring(lua, -1, &len);
  if (len < 32) append_typed(lua, buffer, (unsigned char)(0xa0 | len), 0, 0);
  else if (len <= 0xff) append_typed(lua, buffer, 0xd9, len, 1);
  else if (len <= 0xffff) append_typed(lua, buffer, 0xda, len, 2);
  else append_typed(lua, buffer, 0xdb, len & 0xffffffffu, 4);
  append(lua, buffer, s, len);
}

/* An array when every key is an integer 1..n with none missing (the empty table too): the keys are counted and
 * their largest kept, and with no key below 1 and no repeat, largest == count means none is missing. */
static int is_array(lua_State *lua) {
  int top = lua_gettop(lua), count = 0, largest = 0;
  luaL_checkstack(lua, 2, "in function table_is_an_array");
  lua_pushnil(lua);
  while (lua_next(lua, -2)) {
    lua_Number key;
    lua_pop(lua, 1);
    if (lua_type(lua, -1) != LUA_TNUMBER || !((key = lua_tonumber(lua, -1)) > 0 && key <= INT_MAX) ||
        (lua_Number)(int)key != key) {
      lua_settop(lua, top);
      return 0;
    }
    if ((int)key > largest) largest = (int)key;
    count++;
  }
  lua_settop(lua, top);
  return largest == count;
}

static void pack_value(lua_State *lua, PackBuffer *buffer, int level);

static void pack_table(lua_State *lua, PackBuffer *buffer, int level) {
  if (is_array(lua)) {
    size_t len = lua_objlen(lua, -1);
    pack_length(lua, buffer, len, 0x90, 0xdc);
    luaL_checkstack(lua, 1, "in function mp_encode_lua_table_as_array");
    for (size_t j = 1; j <= len; j++) {
      lua_rawgeti(lua, -1, (int)j);
      pack_value(lua, buffer, level + 1);
    }
  } else {
    size_t count = 0;
    luaL_checkstack(lua, 3, "in function mp_encode_lua_table_as_map");
    lua_pushnil(lua);
    while (lua_next(lua, -2)) {
      lua_pop(lua, 1);
      count++;
    }
    pack_length(lua, buffer, count, 0x80, 0xde);
    lua_pushnil(lua);
    while (lua_next(lua, -2)) {
      lua_pushvalue(lua, -2);            /* key value key */
      pack_value(lua, buffer, level + 1); /* the key's copy */
      pack_value(lua, buffer, level + 1); /* the value; the key stays for lua_next */
    }
  }
}

/* Packs the value at the top of the stack and pops it. Functions, userdata, threads and nil pack as nil. */
static void pack_value(lua_State *lua, PackBuffer *buffer, int level) {
  int type = lua_type(lua, -1);
  if (type == LUA_TTABLE && level == MAX_NESTING) type = LUA_TNIL;
  switch (type) {
  case LUA_TSTRING:
    pack_string(lua, buffer);
    break;
  case LUA_TBOOLEAN:
    append_typed(lua, buffer, lua_toboolean(lua, -1) ? 0xc3 : 0xc2, 0, 0);
    break;
  case LUA_TNUMBER: {
    lua_Number n = lua_tonumber(lua, -1);
    if (is_int64(n)) pack_integer(lua, buffer, (int64_t)n);
    else pack_float(lua, buffer, n);
    break;
  }
  case LUA_TTABLE:
    pack_table(lua, buffer, level);
    break;
  default:
    append_typed(lua, buffer, 0xc0, 0, 0);
  }
  lua_pop(lua, 1);
}

/* A buffer a large pack grew is not kept for the next one. */
static void release_if_large(PackBuffer *buffer) {
  if (buffer->cap > KEPT_BUFFER_BYTES) {
    free(buffer->bytes);
    buffer->bytes = NULL;
    buffer->cap = 0;
  }
  buffer->len = 0;
}

/* cmsgpack.pack(v1, v2, ...): the values' encodings one after another. */
static int pack(lua_State *lua) {
  PackBuffer *buffer = lua_touserdata(lua, lua_upvalueindex(1));
  int argc = lua_gettop(lua);
  if (argc == 0) return luaL_argerror(lua, 0, "MessagePack pack needs input.");
  if (!lua_checkstack(lua, argc)) return luaL_argerror(lua, 0, "Too many arguments for MessagePack pack.");
  release_if_large(buffer); /* a pack that failed midway left it */
  for (int i = 1; i <= argc; i++) {
    buffer->len = 0;
    luaL_checkstack(lua, 1, "in function mp_check");
    lua_pushvalue(lua, i);
    pack_value(lua, buffer, 0);
    lua_pushlstring(lua, (const char *)buffer->bytes, buffer->len);
  }
  release_if_large(buffer);
  lua_concat(lua, argc);
  return 1;
}

/* ---- unpacking ---- */

enum { READ_OK, READ_SHORT, READ_BAD_FORMAT };

typedef struct {
  const unsigned char *p;
  size_t left;
  int error;
} Reader;

/* Sets the reader's error and returns from the (void) function using it when fewer than n bytes are left. */
#define NEED(reader, n)                                                                                        \
  do {                                                                                                         \
    if ((reader)->left < (size_t)(n)) {                                                                        \
      (reader)->error = READ_SHORT;                                                                            \
      return;                                                                                                  \
    }                                                                                                          \
  } while (0)

static void skip(Reader *reader, size_t n) {
  reader->p += n;
  reader->left -= n;
}

static uint64_t big_endian(const unsigned char *p, int size) {
  uint64_t value = 0;
  for (int i = 0; i < size; i++) value = (value << 8) | p[i];
  return value;
}

static void unpack_value(lua_State *lua, Reader *reader);

static void unpack_array(lua_State *lua, Reader *reader, size_t len) {
  lua_Number index = 1;
  lua_newtable(lua);
  luaL_checkstack(lua, 1, "in function mp_decode_to_lua_array");
  while (len--) {
    lua_pushnumber(lua, index++);
    unpack_value(lua, reader);
    if (reader->error) return;
    lua_settable(lua, -3);
  }
}

static void unpack_map(lua_State *lua, Reader *reader, size_t len) {
  lua_newtable(lua);
  while (len--) {
    unpack_value(lua, reader); /* key */
    if (reader->error) return;
    unpack_value(lua, reader); /* value */
    if (reader->error) return;
    lua_settable(lua, -3);
  }
}

/* A str, array or map whose length is the `size` bytes after its type byte. */
static void unpack_sized(lua_State *lua, Reader *reader, int size, int kind) {
  size_t len;
  NEED(reader, 1 + size);
  len = (size_t)big_endian(reader->p + 1, size);
  skip(reader, 1 + (size_t)size);
  if (kind == 's') {
    NEED(reader, len);
    lua_pushlstring(lua, (const char *)reader->p, len);
    skip(reader, len);
  } else if (kind == 'a') {
    unpack_array(lua, reader, len);
  } else {
    unpack_map(lua, reader, len);
  }
}

/* A number of `size` bytes after the type byte, pushed as Lua gets it from lua_pushinteger (or a double). */
static void unpack_number(lua_State *lua, Reader *reader, int size, int kind) {
  uint64_t bits;
  NEED(reader, 1 + size);
  bits = big_endian(reader->p + 1, size);
  skip(reader, 1 + (size_t)size);
  switch (kind) {
  case 'u': /* a uint64 past int64's range wraps, as lua_pushinteger's lua_Integer does in Redis */
    lua_pushinteger(lua, (lua_Integer)(int64_t)bits);
    break;
  case 'i': /* two's complement of `size` bytes: the top bit set means bits - 2^(8 size) */
    if (size < 8 && bits >> (size * 8 - 1)) bits -= (uint64_t)1 << (size * 8);
    lua_pushnumber(lua, (lua_Number)(int64_t)bits);
    break;
  case 'f': {
    float f;
    uint32_t bits32 = (uint32_t)bits;
    memcpy(&f, &bits32, sizeof(f));
    lua_pushnumber(lua, f);
    break;
  }
  default: {
    double d;
    memcpy(&d, &bits, sizeof(d));
    lua_pushnumber(lua, d);
  }
  }
}

/* Reads one value and pushes it; on a short or bad input sets reader->error instead. */
static void unpack_value(lua_State *lua, Reader *reader) {
  unsigned char type;
  NEED(reader, 1);
  /* No count of the values a stream holds is known ahead: one more slot is asked for each. */
  luaL_checkstack(lua, 1, "too many return values at once; use unpack_one or unpack_limit instead.");
  type = reader->p[0];
  if (type <= 0x7f || type >= 0xe0) { /* positive and negative fixint */
    lua_pushinteger(lua, type <= 0x7f ? (lua_Integer)type : (lua_Integer)type - 256);
    skip(reader, 1);
    return;
  }
  if (type >= 0xa0 && type <= 0xbf) { /* fixstr */
    size_t len = type & 0x1f;
    NEED(reader, 1 + len);
    lua_pushlstring(lua, (const char *)reader->p + 1, len);
    skip(reader, 1 + len);
    return;
  }
  if (type >= 0x80 && type <= 0x9f) { /* fixmap, fixarray */
    skip(reader, 1);
    if (type >= 0x90) unpack_array(lua, reader, type & 0xf);
    else unpack_map(lua, reader, type & 0xf);
    return;
  }
  switch (type) {
  case 0xc0:
    lua_pushnil(lua);
    skip(reader, 1);
    break;
  case 0xc2:
  case 0xc3:
    lua_pushboolean(lua, type == 0xc3);
    skip(reader, 1);
    break;
  case 0xca:
    unpack_number(lua, reader, 4, 'f');
    break;
  case 0xcb:
    unpack_number(lua, reader, 8, 'd');
    break;
  case 0xcc:
  case 0xcd:
  case 0xce:
  case 0xcf:
    unpack_number(lua, reader, 1 << (type - 0xcc), 'u');
    break;
  case 0xd0:
  case 0xd1:
  case 0xd2:
  case 0xd3:
    unpack_number(lua, reader, 1 << (type - 0xd0), 'i');
    break;
  case 0xd9:
    unpack_sized(lua, reader, 1, 's');
    break;
  case 0xda:
    unpack_sized(lua, reader, 2, 's');
    break;
  case 0xdb:
    unpack_sized(lua, reader, 4, 's');
    break;
  case 0xdc:
    unpack_sized(lua, reader, 2, 'a');
    break;
  case 0xdd:
    unpack_sized(lua, reader, 4, 'a');
    break;
  case 0xde:
    unpack_sized(lua, reader, 2, 'm');
    break;
  case 0xdf:
    unpack_sized(lua, reader, 4, 'm');
    break;
  default: /* 0xc1 (never used), bin, ext and fixext */
    reader->error = READ_BAD_FORMAT;
  }
}

/* Unpacks up to `limit` values of argument 1 from byte `offset`; limit and offset 0 mean every value, without
 * the next offset. Otherwise the next offset (-1 at the end) comes first, then the values. */
static int unpack_from(lua_State *lua, lua_Integer limit, lua_Integer offset) {
  size_t len;
  const char *s = luaL_checklstring(lua, 1, &len);
  int every = limit == 0 && offset == 0, count;
  Reader reader;
  /* Redis's message shows the input's length where it says limit. */
  if (offset < 0 || limit < 0) {
    return luaL_error(lua, "Invalid request to unpack with offset of %d and limit of %d.", (int)offset, (int)len);
  }
  if ((size_t)offset > len) {
    return luaL_error(lua, "Start offset %d greater than input length %d.", (int)offset, (int)len);
  }
  if (every) limit = INT_MAX;
  reader.p = (const unsigned char *)s + offset;
  reader.left = len - (size_t)offset;
  reader.error = READ_OK;
  for (count = 0; reader.left > 0 && count < limit; count++) {
    unpack_value(lua, &reader);
    if (reader.error == READ_SHORT) return luaL_error(lua, "Missing bytes in input.");
    if (reader.error == READ_BAD_FORMAT) return luaL_error(lua, "Bad data format in input.");
  }
  if (every) return count;
  luaL_checkstack(lua, 1, "in function mp_unpack_full");
  lua_pushinteger(lua, reader.left == 0 ? -1 : (lua_Integer)(len - reader.left));
  lua_insert(lua, 2);
  return count + 1;
}

/* cmsgpack.unpack(s): every value s holds. Arguments after s stay below the values, as in Redis. */
static int unpack(lua_State *lua) { return unpack_from(lua, 0, 0); }

/* cmsgpack.unpack_one(s [, offset]): next offset, value. */
static int unpack_one(lua_State *lua) {
  lua_Integer offset = luaL_optinteger(lua, 2, 0);
  lua_pop(lua, lua_gettop(lua) - 1);
  return unpack_from(lua, 1, offset);
}

/* cmsgpack.unpack_limit(s, limit [, offset]): next offset, up to `limit` values. */
static int unpack_limit(lua_State *lua) {
  lua_Integer limit = luaL_checkinteger(lua, 2);
  lua_Integer offset = luaL_optinteger(lua, 3, 0);
  lua_pop(lua, lua_gettop(lua) - 1);
  return unpack_from(lua, limit, offset);
}

static void set_function(lua_State *lua, const char *name, lua_CFunction f) {
  lua_pushcfunction(lua, f);
  lua_setfield(lua, -2, name);
}

static void set_string(lua_State *lua, const char *name, const char *value) {
  lua_pushstring(lua, value);
  lua_setfield(lua, -2, name);
}

int open_cmsgpack_library(lua_State *lua) {
  lua_newtable(lua);
  PackBuffer *buffer = lua_newuserdata(lua, sizeof(PackBuffer));
  buffer->bytes = NULL;
  buffer->len = buffer->cap = 0;
  luaL_newmetatable(lua, BUFFER_METATABLE);
  lua_pushcfunction(lua, free_pack_buffer);
  lua_setfield(lua, -2, "__gc");
  lua_setmetatable(lua, -2);
  lua_pushcclosure(lua, pack, 1);
  lua_setfield(lua, -2, "pack");
  set_function(lua, "unpack", unpack);
  set_function(lua, "unpack_one", unpack_one);
  set_function(lua, "unpack_limit", unpack_limit);
  /* The module's identity as Redis's bundled one reports it, for scripts that read it. */
  set_string(lua, "_NAME", "cmsgpack");
  set_string(lua, "_VERSION", "lua-cmsgpack 0.4.0");
  set_string(lua, "_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo");
  set_string(lua, "_DESCRIPTION", "MessagePack C implementation for Lua");
  lua_pushvalue(lua, -1);
  lua_setglobal(lua, "cmsgpack");
  return 1;
}
