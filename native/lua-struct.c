/*
 * lua-struct: the `struct` library Redis 7.0 gives scripts (it bundles Roberto Ierusalimschy's struct 1.7 with
 * Redis's security fixes), written here because Debian packages none for Lua 5.1. struct.pack(fmt, ...),
 * struct.unpack(fmt, data [, pos]) and struct.size(fmt) read the same format:
 *   >  <  big / little endian (native, little on the machines this builds for, until one is given)
 *   ![n]   alignment n, a power of 2 (n left out: the C alignment of a double)
 *   x      a zero byte          b B  signed / unsigned char    h H  short    l L  long    T  size_t
 *   i[n] I[n]  an integer of n bytes (int's size by default, at most 32)    f  float    d  double
 *   c[n]   n bytes of a string (packing c0: the whole string; unpacking c0: as many as the number before)
 *   s      a zero-terminated string          ' '  ignored
 * The results are Redis's on x86-64 Linux, where the C types have those sizes, including what its C
 * conversions do there with numbers no integer holds: a NaN or one beyond the type's range packs as gcc's
 * x86-64 code converts it (truncate_to_long, truncate_to_unsigned_long), and an integer of more than 8 bytes
 * keeps the low 8 and extends its sign as x86's shift does. Errors carry Redis's messages. Knows nothing of
 * the engine.
 */
#include "lua-libraries.h"

#include <lauxlib.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MAX_INTEGER_SIZE 32

/* '!' without a number: the alignment a double gets in a struct, or int's if larger. */
struct double_alignment {
  char c;
  double d;
};
#define DEFAULT_ALIGNMENT                                                                                      \
  (offsetof(struct double_alignment, d) > sizeof(int) ? offsetof(struct double_alignment, d) : sizeof(int))

typedef struct {
  int little_endian;
  int align;
} Layout;

static const Layout NATIVE = {.little_endian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, .align = 1};

/* The C locale's isdigit and isalnum (Redis sets no LC_CTYPE, so bytes past ASCII are neither). */
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alnum(int c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* x86-64's cvttsd2si: a double no int64 holds (NaN too) becomes INT64_MIN. */
static int64_t truncate_to_long(double n) {
  return n >= -9223372036854775808.0 && n < 9223372036854775808.0 ? (int64_t)n : INT64_MIN;
}

/* gcc's double -> unsigned long on x86-64: below 2^63 (NaN goes this way) as a long, else 2^63 is taken off,
 * converted, and the top bit flipped back (so 2^64 and more, and infinity, become 0). */
static uint64_t truncate_to_unsigned_long(double n) {
  if (!(n >= 9223372036854775808.0)) return (uint64_t)truncate_to_long(n);
  return (uint64_t)truncate_to_long(n - 9223372036854775808.0) ^ 0x8000000000000000ULL;
}

/* The decimal number at *format (advanced past it), or `otherwise` when none is there. */
static int read_count(lua_State *lua, const char **format, int otherwise) {
  int n = 0;
  if (!is_digit(**format)) return otherwise;
  do {
    int digit = **format - '0';
    if (n > INT_MAX / 10 || n * 10 > INT_MAX - digit) luaL_error(lua, "integral size overflow");
    n = n * 10 + digit;
    (*format)++;
  } while (is_digit(**format));
  return n;
}

/* The bytes option `option` takes (its count read from the format); 0 for those that take none or vary. */
static size_t option_size(lua_State *lua, int option, const char **format) {
  switch (option) {
  case 'B':
  case 'b':
  case 'x':
    return 1;
  case 'H':
  case 'h':
    return sizeof(short);
  case 'L':
  case 'l':
    return sizeof(long);
  case 'T':
    return sizeof(size_t);
  case 'f':
    return sizeof(float);
  case 'd':
    return sizeof(double);
  case 'c':
    return (size_t)read_count(lua, format, 1);
  case 'i':
  case 'I': {
    int size = read_count(lua, format, sizeof(int));
    if (size > MAX_INTEGER_SIZE) {
      luaL_error(lua, "integral size %d is larger than limit of %d", size, MAX_INTEGER_SIZE);
    }
    return (size_t)size;
  }
  default:
    return 0;
  }
}

/* Zero bytes that align an item of `size` at `offset`: to its size, at most the layout's alignment. Sizes that
 * are not powers of 2 (i3, say) give what this formula gives, as in Redis. */
static int padding(size_t offset, const Layout *layout, int option, size_t size) {
  if (size == 0 || option == 'c') return 0;
  if (size > (size_t)layout->align) size = (size_t)layout->align;
  return (int)((size - (offset & (size - 1))) & (size - 1));
}

/* The options that set the layout; any other character is an error naming argument 1. */
static void set_layout(lua_State *lua, int option, const char **format, Layout *layout) {
  switch (option) {
  case ' ':
    return;
  case '>':
    layout->little_endian = 0;
    return;
  case '<':
    layout->little_endian = 1;
    return;
  case '!': {
    int align = read_count(lua, format, (int)DEFAULT_ALIGNMENT);
    if (align <= 0 || (align & (align - 1)) != 0) luaL_error(lua, "alignment %d is not a power of 2", align);
    layout->align = align;
    return;
  }
  default:
    luaL_argerror(lua, 1, lua_pushfstring(lua, "invalid format option '%c'", option));
  }
}

/* `size` bytes of `value` in the layout's byte order (an integer of more than 8 bytes: zeros beyond them). */
static void add_bytes(luaL_Buffer *b, uint64_t value, int size, int little_endian) {
  char bytes[MAX_INTEGER_SIZE];
  for (int i = 0; i < size; i++) {
    bytes[little_endian ? i : size - 1 - i] = (char)(value & 0xff);
    value >>= 8;
  }
  luaL_addlstring(b, bytes, (size_t)size);
}

/* The low 8 bytes of the `size` at `bytes`, in the layout's byte order. */
static uint64_t read_bytes(const char *bytes, int size, int little_endian) {
  uint64_t value = 0;
  for (int i = 0; i < size; i++) value = (value << 8) | (unsigned char)bytes[little_endian ? size - 1 - i : i];
  return value;
}

static int struct_pack(lua_State *lua) {
  luaL_Buffer b;
  const char *format = luaL_checkstring(lua, 1);
  Layout layout = NATIVE;
  int arg = 2;
  size_t total = 0;
  lua_pushnil(lua); /* keeps the buffer's stack slots apart from the arguments */
  luaL_buffinit(lua, &b);
  while (*format != '\0') {
    int option = *format++;
    size_t size = option_size(lua, option, &format);
    int pad = padding(total, &layout, option, size);
    total += (size_t)pad;
    while (pad-- > 0) luaL_addchar(&b, '\0');
    switch (option) {
    case 'b':
    case 'B':
    case 'h':
    case 'H':
    case 'l':
    case 'L':
    case 'T':
    case 'i':
    case 'I': {
      lua_Number n = luaL_checknumber(lua, arg++);
      uint64_t value = n < 0 ? (uint64_t)truncate_to_long(n) : truncate_to_unsigned_long(n);
      add_bytes(&b, value, (int)size, layout.little_endian);
      break;
    }
    case 'x':
      luaL_addchar(&b, '\0');
      break;
    case 'f': {
      float f = (float)luaL_checknumber(lua, arg++);
      uint32_t bits;
      memcpy(&bits, &f, sizeof(bits));
      add_bytes(&b, bits, (int)size, layout.little_endian);
      break;
    }
    case 'd': {
      double d = luaL_checknumber(lua, arg++);
      uint64_t bits;
      memcpy(&bits, &d, sizeof(bits));
      add_bytes(&b, bits, (int)size, layout.little_endian);
      break;
    }
    case 'c':
    case 's': {
      size_t len;
      const char *s = luaL_checklstring(lua, arg++, &len);
      if (size == 0) size = len;
      /* Redis names the argument after the string's (arg was advanced already). */
      luaL_argcheck(lua, len >= size, arg, "string too short");
      luaL_addlstring(&b, s, size);
      if (option == 's') {
        luaL_addchar(&b, '\0');
        size++;
      }
      break;
    }
    default:
      set_layout(lua, option, &format, &layout);
    }
    total += size;
  }
  luaL_pushresult(&b);
  return 1;
}

/* The integer of `size` bytes at `bytes`: its low 8 bytes, sign-extended from bit size*8-1 taken modulo 64 (the
 * x86 shift Redis's `~0 << (size*8 - 1)` compiles to). */
static lua_Number read_integer(const char *bytes, int little_endian, int is_signed, int size) {
  uint64_t value = read_bytes(bytes, size, little_endian), sign;
  if (!is_signed) return (lua_Number)value;
  sign = ~(uint64_t)0 << ((size * 8 - 1) & 63);
  if (value & sign) value |= sign;
  return (lua_Number)(int64_t)value;
}

static int struct_unpack(lua_State *lua) {
  Layout layout = NATIVE;
  const char *format = luaL_checkstring(lua, 1);
  size_t len;
  const char *data = luaL_checklstring(lua, 2, &len);
  /* A negative position wraps to a huge one, refused as "data string too short" below, as in Redis. */
  size_t pos = (size_t)luaL_optinteger(lua, 3, 1);
  int results = 0;
  luaL_argcheck(lua, pos > 0, 3, "offset must be 1 or greater");
  pos--;
  while (*format != '\0') {
    int option = *format++;
    size_t size = option_size(lua, option, &format);
    pos += (size_t)padding(pos, &layout, option, size);
    luaL_argcheck(lua, size <= len && pos <= len - size, 2, "data string too short");
    luaL_checkstack(lua, 2, "too many results"); /* the item, and the next position */
    switch (option) {
    case 'b':
    case 'B':
    case 'h':
    case 'H':
    case 'l':
    case 'L':
    case 'T':
    case 'i':
    case 'I':
      lua_pushnumber(lua, read_integer(data + pos, layout.little_endian, option >= 'a' && option <= 'z', (int)size));
      results++;
      break;
    case 'x':
      break;
    case 'f': {
      uint32_t bits = (uint32_t)read_bytes(data + pos, sizeof(float), layout.little_endian);
      float f;
      memcpy(&f, &bits, sizeof(f));
      lua_pushnumber(lua, f);
      results++;
      break;
    }
    case 'd': {
      uint64_t bits = read_bytes(data + pos, sizeof(double), layout.little_endian);
      double d;
      memcpy(&d, &bits, sizeof(d));
      lua_pushnumber(lua, d);
      results++;
      break;
    }
    case 'c':
      if (size == 0) { /* as many bytes as the number unpacked just before says */
        if (results == 0 || !lua_isnumber(lua, -1)) luaL_error(lua, "format 'c0' needs a previous size");
        size = (size_t)truncate_to_unsigned_long(lua_tonumber(lua, -1));
        lua_pop(lua, 1);
        results--;
        luaL_argcheck(lua, size <= len && pos <= len - size, 2, "data string too short");
      }
      lua_pushlstring(lua, data + pos, size);
      results++;
      break;
    case 's': {
      const char *end = memchr(data + pos, '\0', len - pos);
      if (end == NULL) luaL_error(lua, "unfinished string in data");
      size = (size_t)(end - (data + pos)) + 1;
      lua_pushlstring(lua, data + pos, size - 1);
      results++;
      break;
    }
    default:
      set_layout(lua, option, &format, &layout);
    }
    pos += size;
  }
  lua_pushinteger(lua, (lua_Integer)(pos + 1));
  return results + 1;
}

static int struct_size(lua_State *lua) {
  Layout layout = NATIVE;
  const char *format = luaL_checkstring(lua, 1);
  size_t pos = 0;
  while (*format != '\0') {
    int option = *format++;
    size_t size = option_size(lua, option, &format);
    pos += (size_t)padding(pos, &layout, option, size);
    if (option == 's') luaL_argerror(lua, 1, "option 's' has no fixed size");
    else if (option == 'c' && size == 0) luaL_argerror(lua, 1, "option 'c0' has no fixed size");
    /* Letters and digits of no meaning are skipped here, where pack and unpack refuse them. */
    if (!is_alnum(option)) set_layout(lua, option, &format, &layout);
    pos += size;
  }
  lua_pushinteger(lua, (lua_Integer)pos);
  return 1;
}

static const luaL_Reg FUNCTIONS[] = {
    {"pack", struct_pack},
    {"unpack", struct_unpack},
    {"size", struct_size},
    {NULL, NULL},
};

int open_struct_library(lua_State *lua) {
  luaL_register(lua, "struct", FUNCTIONS);
  return 1;
}
