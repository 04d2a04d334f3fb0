// The cmsgpack and struct libraries scripts get (native/lua-cmsgpack.c, native/lua-struct.c) against
// redis-server 7.0.15's bundled ones, on every transport: random Lua values packed (and unpacked and packed
// again), random bytes unpacked whole, one at a time and a few at a time from random offsets, random struct
// formats packed with fitting (or unfitting) arguments, unpacked from random bytes and sized, and a list of
// fixed cases at the edges (encodings' boundaries, NaN and infinities, nesting past 16, the Lua stack's limit,
// every error message, redis.acl_check_cmd). Every reply must be Redis's byte for byte, errors included. Map
// keys are kept under 32 bytes: Redis's Lua hashes every byte of a string where Debian's stock Lua 5.1 samples
// those of 32 bytes or more, so lua_next walks a map with such keys in another order (cjson.encode shares
// that). Skipped with a message when redis-server is not on PATH. A fixed seed; a soak:
// FC_SEED=random FC_NUM_RUNS=3000 TEST_TRANSPORTS=eventloop npx vitest run <this file>.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { type Arg, fcParameters, numRuns, showArgv, timeoutFor } from '../support/live-harness.js';
import { transports } from '../support/server.js';

// ---- Lua values as source text ----

/** A Lua string literal of any bytes (3-digit decimal escapes, so no byte is special to the lexer). */
const luaString = (bytes: Uint8Array): string =>
  `"${Array.from(bytes, (b) => (b >= 0x30 && b <= 0x7a && b !== 0x5c ? String.fromCharCode(b) : `\\${String(b).padStart(3, '0')}`)).join('')}"`;

/** A Lua expression for a double, NaN and the infinities included (the lexer reads 17 digits exactly). */
const luaNumber = (n: number): string => {
  if (Number.isNaN(n)) return '(0/0)';
  if (n === Infinity) return '(1/0)';
  if (n === -Infinity) return '(-1/0)';
  if (Object.is(n, -0)) return '(-0.0)';
  return `(${n.toPrecision(17)})`;
};

/** Integers at every MessagePack encoding's edges, and just past them. */
const EDGES = [
  0,
  1,
  127,
  128,
  255,
  256,
  65535,
  65536,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53,
  2 ** 63,
  2 ** 64,
].flatMap((n) => [n, -n, n - 1, -n - 1, -n + 1]);
const number = fc.oneof(
  fc.constantFrom(...EDGES, -32, -33, 0.5, 0.1, 1e300, -1e-300, 3.4028234663852886e38, 1.401298464324817e-45),
  fc.integer().map((n) => n),
  fc.double(),
  fc.float().map((n) => n),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n }).map((n) => Number(n)),
);

/** Strings around the str types' lengths: fixstr < 32, str8 < 256, str16 < 65536, str32. */
const string = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 40 }).map(luaString) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(31, 32, 255, 256, 65535, 65536, 70000), fc.integer({ min: -1, max: 1 }))
      .map(([n, d]) => `string.rep("x", ${n + d})`),
  },
);
const mapKey = fc.oneof(
  fc.uint8Array({ maxLength: 31 }).map(luaString),
  fc.integer({ min: -3, max: 20 }).map(String),
  fc.constantFrom('0.5', 'true', 'false', '(2^31)', '(2^40)'),
);

const scalar = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('nil', 'true', 'false') },
  { weight: 3, arbitrary: number.map(luaNumber) },
  { weight: 3, arbitrary: string },
);
const { value } = fc.letrec<{ value: string; table: string }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('table')),
  table: fc.oneof(
    // A list, holes (nil) included: with a hole it is a map.
    fc.array(tie('value'), { maxLength: 18 }).map((items) => `{${items.join(', ')}}`),
    // Explicit keys: a map, or an array when they happen to be 1..n.
    fc
      .array(fc.tuple(mapKey, tie('value')), { maxLength: 18 })
      .map((pairs) => `{${pairs.map(([k, v]) => `[${k}] = ${v}`).join(', ')}}`),
  ),
}));

// ---- struct formats ----

const INTEGER_OPTIONS = ['b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I'];
/** One option of a format, and what argument it packs: n(umber), s(tring) or none. */
const formatItem: fc.Arbitrary<[string, 'n' | 's' | '']> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...INTEGER_OPTIONS).map((o): [string, 'n'] => [o, 'n']) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('i', 'I'), fc.integer({ min: 0, max: 33 }))
      .map(([o, n]): [string, 'n'] => [`${o}${n}`, 'n']),
  },
  { weight: 2, arbitrary: fc.constantFrom('f', 'd').map((o): [string, 'n'] => [o, 'n']) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('c', 'c0', 'c1', 'c3', 'c8', 's').map((o): [string, 's'] => [o, 's']),
  },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom('<', '>', '!', '!1', '!2', '!4', '!8', '!16', ' ', 'x')
      .map((o): [string, ''] => [o, '']),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('!3', '!0', 'z', '#', '5', 'c-').map((o): [string, ''] => [o, '']),
  },
);

/** An argument as ARGV carries it to the script below: n<number>, N (NaN), I / J (+/- infinity), s<bytes>, - (nil). */
const numberArg = number.map((n): string =>
  Number.isNaN(n) ? 'N' : n === Infinity ? 'I' : n === -Infinity ? 'J' : `n${n.toPrecision(17)}`,
);
const stringArg = fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.concat([Buffer.from('s'), b]));
const argFor = (kind: 'n' | 's' | ''): fc.Arbitrary<Arg[]> =>
  kind === ''
    ? fc.constant([])
    : fc.oneof(
        { weight: 12, arbitrary: (kind === 'n' ? numberArg : stringArg).map((a) => [a]) },
        { weight: 1, arbitrary: fc.oneof(numberArg, stringArg, fc.constant('-')).map((a) => [a]) },
      );
const structPack = fc.array(formatItem, { maxLength: 8 }).chain((items) =>
  fc
    .tuple(fc.tuple(...items.map(([, kind]) => argFor(kind))), fc.integer({ min: 0, max: 9 }))
    .map(([parts, dice]): Arg[] => {
      const args = parts.flat();
      // Now and then one argument short.
      return [items.map(([o]) => o).join(''), ...(dice === 0 ? args.slice(1) : args)];
    }),
);

/** The script's arguments back to values: ARGV[1] the format, the rest as argFor encodes them. */
const DECODE_ARGS =
  'local a, n = {}, #ARGV - 1 ' +
  'for i = 2, #ARGV do local v = ARGV[i] local t, b = v:sub(1, 1), v:sub(2) ' +
  'if t == "n" then a[i - 1] = tonumber(b) elseif t == "N" then a[i - 1] = 0/0 ' +
  'elseif t == "I" then a[i - 1] = 1/0 elseif t == "J" then a[i - 1] = -1/0 elseif t == "s" then a[i - 1] = b end end ';
/** Each result as its type and an exact text (numbers with 17 digits). */
const SHOW_RESULTS =
  'local function show(...) local out = {} for i = 1, select("#", ...) do local v = select(i, ...) ' +
  'out[i] = type(v) == "number" and string.format("n%.17g", v) or type(v) .. ":" .. tostring(v) end return out end ';

// ---- the requests ----

const evalScript = (script: string, ...args: Arg[]): Arg[] => ['EVAL', script, '0', ...args];

/** Values packed, and packed again after a round trip through unpack. */
const packRequests = fc
  .array(value, { minLength: 1, maxLength: 3 })
  .map((values): Arg[][] => [
    evalScript(`return cmsgpack.pack(${values.join(', ')})`),
    evalScript(`return cmsgpack.pack(cmsgpack.unpack(cmsgpack.pack(${values.join(', ')})))`),
  ]);

/** Bytes that are mostly MessagePack (pieces of packed values) with garbage, cut anywhere. */
const packedBytes = fc
  .array(
    fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 6 }),
      fc.constantFrom(
        ...[
          '93 01 a1 78 c0',
          '82 a1 61 01 a1 62 c3',
          'cb 3f b9 99 99 99 99 99 9a',
          'ca 7f c0 00 00',
          'cf ff ff ff ff ff ff ff ff',
          'd3 80 00 00 00 00 00 00 00',
          'd1 ff 80',
          'd9 03 61 62 63',
          'da 00 02 61 62',
          'db 00 00 00 01 7a',
          'dc 00 01 05',
          'dd 00 00 00 02 05 06',
          'de 00 01 01 02',
          'df 00 00 00 01 c0 01',
          'c4 01 00',
          'c1',
          'e0',
          '7f',
          'cc ff',
          'ce ff ff ff ff',
          'd2 80 00 00 00',
          '91 91 91 91 90',
        ].map((hex) => Uint8Array.from(Buffer.from(hex.replaceAll(' ', ''), 'hex'))),
      ),
    ),
    { maxLength: 6 },
  )
  .map((parts) => Buffer.concat(parts));
/**
 * Unpacked values as text, a table's entries sorted: a map decoded from random bytes may have tables for keys,
 * which Lua hashes by address, so their order is the process's own (packing them back would show it).
 */
const SHOW_VALUES =
  'local function show(v) if type(v) == "table" then local parts = {} ' +
  'for k, x in pairs(v) do parts[#parts + 1] = show(k) .. "=" .. show(x) end table.sort(parts) ' +
  'return "{" .. table.concat(parts, ",") .. "}" end ' +
  'if type(v) == "number" then return string.format("%.17g", v) end ' +
  'if type(v) == "string" then return string.format("%q", v) end return tostring(v) end ' +
  'local function showAll(...) local out = {} for i = 1, select("#", ...) do out[i] = show((select(i, ...))) end ' +
  'return out end ';
const unpackRequests = fc
  .tuple(packedBytes, fc.integer({ min: -1, max: 12 }), fc.integer({ min: -1, max: 40 }))
  .map(([bytes, limit, offset]): Arg[][] => [
    evalScript(`${SHOW_VALUES}return showAll(cmsgpack.unpack(ARGV[1]))`, bytes),
    evalScript(
      `${SHOW_VALUES}return showAll(cmsgpack.unpack_one(ARGV[1], tonumber(ARGV[2])))`,
      bytes,
      String(offset),
    ),
    evalScript(
      `${SHOW_VALUES}return showAll(pcall(cmsgpack.unpack_limit, ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])))`,
      bytes,
      String(limit),
      String(offset),
    ),
  ]);

const structRequests = fc
  .tuple(structPack, fc.uint8Array({ maxLength: 64 }), fc.integer({ min: -1, max: 12 }))
  .map(([[format, ...args], data, pos]): Arg[][] => [
    evalScript(`${DECODE_ARGS}return struct.pack(ARGV[1], unpack(a, 1, n))`, format, ...args),
    evalScript(
      `${DECODE_ARGS}${SHOW_RESULTS}return show(struct.unpack(ARGV[1], struct.pack(ARGV[1], unpack(a, 1, n))))`,
      format,
      ...args,
    ),
    evalScript(
      `${SHOW_RESULTS}return show(struct.unpack(ARGV[1], ARGV[2], tonumber(ARGV[3])))`,
      format,
      data,
      String(pos),
    ),
    evalScript('return struct.size(ARGV[1])', format),
  ]);

/** Cases at the edges, each an expression the script returns. */
const HEX =
  'local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end ';
const FIXED: readonly string[] = [
  // cmsgpack: encodings' edges, floats, nesting, metadata
  'hex(cmsgpack.pack(2^63, -2^63, 2^64, 2^53 + 1, 0/0, -(0/0), 1/0, -1/0, -0.0, 1e300, 0.1, 0.5))',
  'tostring(cmsgpack.unpack("\\207\\255\\255\\255\\255\\255\\255\\255\\255"))',
  'hex(cmsgpack.pack({[1]=1,[3]=3}, {}, {[1.5]=1}, {[0]=1}, {[-1]=1}, {[2^31]=1}, {[2^40]=1}, {n=1}))',
  '(function() local t = {} t[1] = t return hex(cmsgpack.pack(t)) end)()',
  '(function() local t = {} for i = 1, 20 do t["k" .. i] = i end return hex(cmsgpack.pack(t)) end)()',
  '(function() local t = {} for i = 1, 20 do t[i * 2] = i end return hex(cmsgpack.pack(t)) end)()',
  '(function() local t = {} for i = 1, 70000 do t[i] = i % 7 end return #cmsgpack.pack(t) end)()',
  '(function() local t = {} for i = 1, 70000 do t["k" .. i] = 1 end return #cmsgpack.pack(t) end)()',
  'hex(cmsgpack.pack({a = print, b = coroutine.create(print)}))',
  'cmsgpack.unpack(cmsgpack.pack({a={b={c={1,2,{d="e"}}}}})).a.b.c[3].d',
  'hex(cmsgpack.pack(cmsgpack.unpack("\\222\\0\\3\\1\\2\\3\\4\\5\\6")))',
  '{cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION}',
  // cmsgpack: offsets and limits
  '{cmsgpack.unpack_limit("\\1\\2\\3", 0)}',
  '{cmsgpack.unpack_limit("\\1\\2\\3", 0, 1)}',
  '{cmsgpack.unpack_limit("\\1\\2\\3", 2, 1)}',
  '{cmsgpack.unpack_limit("\\1\\2\\3", 5, 3)}',
  '{cmsgpack.unpack_one("\\1\\2\\3")}',
  '{cmsgpack.unpack_one("\\1\\2\\3", 2)}',
  '{cmsgpack.unpack(123)}',
  // cmsgpack: errors
  '{cmsgpack.unpack_one("\\1\\2\\3", 5)}',
  '{cmsgpack.unpack_one("\\1\\2\\3", -1)}',
  '{cmsgpack.unpack_limit("\\1", -2)}',
  '{cmsgpack.unpack("\\193")}',
  '{cmsgpack.unpack("\\146\\1")}',
  '{cmsgpack.unpack("\\219\\0\\0\\1\\0ab")}',
  '{cmsgpack.unpack()}',
  '{cmsgpack.unpack({})}',
  'cmsgpack.unpack_limit("\\1")',
  'cmsgpack.unpack_limit("\\1", "x")',
  'cmsgpack.pack()',
  'cmsgpack.unpack(cmsgpack.pack({[0/0 == 0/0 and 1 or "k"] = 1}))',
  '{cmsgpack.unpack("\\129\\192\\1")}',
  'cmsgpack.pack = nil',
  // the Lua stack's limit: the same values fit, the same fail
  '{cmsgpack.unpack(string.rep("\\145", 5000))}',
  '{cmsgpack.unpack(string.rep("\\129\\1", 5000))}',
  '#{cmsgpack.unpack(string.rep("\\1", 9000))}',
  '#{cmsgpack.unpack(string.rep("\\1", 7995))}',
  '#{cmsgpack.unpack(string.rep("\\1", 7900))}',
  '#cmsgpack.pack(unpack({}, 1, 3990))',
  '#cmsgpack.pack(unpack({}, 1, 4010))',
  // struct: conversions of numbers no integer holds, integers past 8 bytes
  'hex(struct.pack("<LLLLLlll", 0/0, 1e30, 2^63, 2^64, 1/0, -1e30, -1/0, 0/0))',
  '{struct.unpack("<i9i9i16i0I9", "\\255" .. string.rep("\\0", 8) .. string.rep("\\0", 7) .. "\\128\\1" .. string.rep("\\255", 16) .. string.rep("\\255", 9))}',
  'hex(struct.pack("<i12>i12", -2, -2))',
  'hex(struct.pack(">!4 b i3 h", 1, 2, 3))',
  'hex(struct.pack("! b d", 1, 2))',
  '{struct.unpack(">fd", struct.pack(">fd", 1.5, 0.1))}',
  // struct: c0 and s
  '{struct.unpack("bc0", "\\3abcd")}',
  '{struct.unpack("bc0", "\\255abc")}',
  '{struct.unpack("c1c0", "3abcd")}',
  '{struct.unpack("xsx", "aab\\0c")}',
  '{struct.unpack(">!4 b i", "abcdefgh", 2)}',
  // struct: errors
  'struct.size("zz")',
  'struct.size("#")',
  'struct.size("s")',
  'struct.size("c0")',
  'struct.size("!3")',
  'struct.size("!bi!8d")',
  'struct.size("i33")',
  'struct.size("i99999999999")',
  'struct.size()',
  'struct.pack("c5", "ab")',
  'struct.pack("z")',
  'struct.pack("i")',
  'struct.pack("i", "x")',
  'struct.unpack("s", "abc")',
  'struct.unpack("c0", "abc")',
  'struct.unpack("i", "abc")',
  '{struct.unpack(">!4 b i", "abcdefgh", 0)}',
  '{struct.unpack(">!4 b i", "abcdefgh", -1)}',
  'struct.size = nil',
  '#{struct.unpack(string.rep("b", 7990), string.rep("a", 8000))}',
  '#{struct.unpack(string.rep("b", 4000), string.rep("a", 8000))}',
  // the globals, as Redis registers them
  '{type(cmsgpack), type(cmsgpack.pack), type(cmsgpack.unpack), type(cmsgpack.unpack_one), type(cmsgpack.unpack_limit), type(struct), type(struct.pack), type(struct.unpack), type(struct.size), type(redis.acl_check_cmd)}',
  'cmsgpack.nope',
  'struct.nope',
  // redis.acl_check_cmd: Redis's default user may run any command there is
  'redis.acl_check_cmd("get", "k")',
  'redis.acl_check_cmd("GET")',
  'redis.acl_check_cmd("config")',
  'redis.acl_check_cmd("config", "get")',
  'redis.acl_check_cmd("client", "list", "x")',
  'redis.acl_check_cmd("set", 1.5, 2)',
  'redis.acl_check_cmd("config", "nope")',
  'redis.acl_check_cmd("nope")',
  'redis.acl_check_cmd("get|x")',
  'redis.acl_check_cmd(1)',
  'redis.acl_check_cmd()',
  'redis.acl_check_cmd({})',
  '{pcall(redis.acl_check_cmd, "nope")}',
];

/** The suite replays one seed (FC_SEED=random soaks: live-harness.ts fcParameters). */
const FIXED_SEED = 7070;
const RUNS = numRuns(150);

const shown = (argv: readonly Arg[]): string => {
  const text = showArgv(argv);
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
};

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: cmsgpack and struct against redis-server 7.0.15',
  (transport) => {
    const both = useBothServers(transport);

    const sameReplies = async (requests: readonly Arg[][]): Promise<void> => {
      const [theirs, ours] = await Promise.all([both.real.pipeline(requests), both.lite.pipeline(requests)]);
      requests.forEach((argv, i) =>
        expect(ours[i].toString('latin1'), shown(argv)).toBe(theirs[i].toString('latin1')),
      );
    };

    it('replies as Redis does at the edges, errors included', async () => {
      await sameReplies(FIXED.map((expression) => evalScript(`${HEX}return ${expression}`)));
    });

    it.each([
      ['packs random Lua values', packRequests],
      ['unpacks random bytes whole, one and a few at a time', unpackRequests],
      ['packs, unpacks and sizes random struct formats', structRequests],
    ] as const)(
      '%s as Redis does',
      async (_name, requests) => {
        await fc.assert(
          fc.asyncProperty(fc.array(requests, { minLength: 1, maxLength: 4 }), async (batches) => {
            await sameReplies(batches.flat());
          }),
          fcParameters(RUNS, FIXED_SEED),
        );
      },
      timeoutFor(RUNS, 200),
    );
  },
);
