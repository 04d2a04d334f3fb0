// Well-formed requests with edge-valued arguments, for the any-command differential: the random argument pool
// there rarely lines up a whole option list (BITFIELD's subcommands, LPOS's RANK/COUNT/MAXLEN, LMPOP's numkeys),
// so each command here fills its own syntax with values at the edges (int64 limits, negative counts, huge
// ranges, empty and binary strings, doubles whose formatting is exact). Keys are the suite's key names.

import fc from 'fast-check';
import type { Arg } from '../support/live-harness.js';

type Argv = Arg[];

/** Integers at the edges Redis checks: int32/int64 limits, just past them, signs, zero, and non-integers. */
const intEdge = fc.constantFrom<Arg>(
  '0', '1', '-1', '2', '-2', '3', '5', '-5', '7', '8', '100', '-100', '2147483647', '-2147483648',
  '4294967296', '9223372036854775807', '-9223372036854775808', '9223372036854775806', '-9223372036854775807',
  '9223372036854775808', '1.5', 'x', '',
); // prettier-ignore
const int: fc.Arbitrary<Arg> = fc.oneof(
  { weight: 4, arbitrary: intEdge },
  { weight: 1, arbitrary: fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n).map((n) => n.toString()) },
  { weight: 1, arbitrary: fc.integer({ min: -20, max: 20 }).map(String) },
);
/**
 * Times for EXPIRE, SET EX and their kin: past, negative, overflowing and malformed, never a few seconds or
 * milliseconds ahead (a key that expires between the two servers' requests would differ by timing alone).
 */
const ttl = fc.constantFrom<Arg>(
  '0', '-1', '-100', '100000', '2147483647', '9223372036854775807', '-9223372036854775808',
  '9223372036854775806', '4294967296', '99999999999999', '1.5', 'x', '',
); // prettier-ignore
const smallInt = fc.constantFrom<Arg>('0', '1', '2', '3', '-1', '-2', '-3', '5', '10', '-10', '100');
const doubleEdge = fc.constantFrom<Arg>(
  '0', '-0', '1', '-1', '0.1', '0.2', '1.1', '-2.5', '1e-5', '3e15', '1e17', '1.7976931348623157e308', '5e-324',
  '123456789.123', 'inf', '-inf', '+inf', 'nan', '1e400', '(1', '0x1p3', '1,5', '',
); // prettier-ignore
/** Edge doubles, and any finite double in JavaScript's shortest form or as an integer (formatting checks). */
const double: fc.Arbitrary<Arg> = fc.oneof(
  { weight: 3, arbitrary: doubleEdge },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => String(d)) },
  { weight: 1, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((d) => d.toPrecision(12)) },
  { weight: 1, arbitrary: fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n).map((n) => n.toString()) },
);
const element: fc.Arbitrary<Arg> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom<Arg>('a', 'b', 'c', '1', '2', 'v', 'hello', '', Buffer.from([0, 0xff, 0x80])),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 8 }) },
);

/** A well-formed request of one of the commands above on one of `keyArg`'s keys. */
export function wellFormedCommand(keyArg: fc.Arbitrary<Arg>): fc.Arbitrary<Argv> {
  const keys = fc.array(keyArg, { minLength: 1, maxLength: 3 });
  const opt = <T>(a: fc.Arbitrary<T[]>): fc.Arbitrary<T[]> => fc.oneof(fc.constant([] as T[]), a);
  const bitType = fc.constantFrom(
    'i1',
    'i8',
    'u8',
    'i16',
    'u16',
    'i63',
    'i64',
    'u63',
    'u1',
    'i65',
    'u64',
    'x8',
  );
  // No offset near 2^32 bits that is still valid: a 512 MiB string on a shared test machine.
  const bitOffset = fc.constantFrom(
    '0',
    '1',
    '7',
    '8',
    '100',
    '#0',
    '#3',
    '-1',
    '4294967296',
    '#-1',
    '99999',
  );
  const bitfieldOp: fc.Arbitrary<Arg[]> = fc.oneof(
    fc.tuple(bitType, bitOffset).map(([t, o]) => ['GET', t, o]),
    fc.tuple(bitType, bitOffset, int).map(([t, o, v]) => ['SET', t, o, v]),
    fc.tuple(bitType, bitOffset, int).map(([t, o, v]) => ['INCRBY', t, o, v]),
    fc.constantFrom('WRAP', 'SAT', 'FAIL', 'BAD').map((m) => ['OVERFLOW', m]),
  );
  const unit = opt(fc.constantFrom(['BYTE'], ['BIT']));
  return fc.oneof(
    fc.tuple(keyArg, int, int).map(([k, s, e]): Argv => ['GETRANGE', k, s, e]),
    fc
      .tuple(keyArg, fc.constantFrom('0', '1', '5', '20', '-1', '99999', '536870912'), element)
      .map(([k, o, v]): Argv => ['SETRANGE', k, o, v]),
    fc.tuple(keyArg, opt(fc.tuple(int, int)), unit).map(([k, r, u]): Argv => ['BITCOUNT', k, ...r, ...u]),
    fc
      .tuple(keyArg, fc.constantFrom('0', '1', '2'), opt(fc.tuple(int)), opt(fc.tuple(int)), unit)
      .map(([k, b, s, e, u]): Argv => ['BITPOS', k, b, ...s, ...(s.length === 0 ? [] : e), ...u]),
    fc
      .tuple(fc.constantFrom('BITFIELD', 'BITFIELD_RO'), keyArg, fc.array(bitfieldOp, { maxLength: 4 }))
      .map(([c, k, ops]): Argv => [c, k, ...ops.flat()]),
    fc
      .tuple(
        keyArg,
        fc.constantFrom('0', '7', '8', '100', '-1', '99999', '4294967296'),
        fc.constantFrom('0', '1', '2'),
      )
      .map(([k, o, b]): Argv => ['SETBIT', k, o, b]),
    fc
      .tuple(
        keyArg,
        element,
        opt(fc.tuple(fc.constant('RANK'), int)),
        opt(fc.tuple(fc.constant('COUNT'), int)),
        opt(fc.tuple(fc.constant('MAXLEN'), int)),
      )
      .map(([k, e, r, c, m]): Argv => ['LPOS', k, e, ...r, ...c, ...m]),
    fc
      .tuple(
        fc.constantFrom('LMPOP', 'ZMPOP'),
        keys,
        fc.constantFrom('LEFT', 'RIGHT', 'MIN', 'MAX'),
        opt(fc.tuple(fc.constant('COUNT'), int)),
      )
      .map(([c, ks, w, n]): Argv => [c, String(ks.length), ...ks, w, ...n]),
    fc
      .tuple(fc.constantFrom('SINTERCARD', 'ZINTERCARD'), keys, opt(fc.tuple(fc.constant('LIMIT'), int)))
      .map(([c, ks, l]): Argv => [c, String(ks.length), ...ks, ...l]),
    fc
      .tuple(keyArg, fc.array(element, { minLength: 1, maxLength: 4 }))
      .map(([k, ms]): Argv => ['SMISMEMBER', k, ...ms]),
    fc
      .tuple(keyArg, fc.array(element, { minLength: 1, maxLength: 4 }))
      .map(([k, ms]): Argv => ['ZMSCORE', k, ...ms]),
    fc
      .tuple(fc.constantFrom('ZRANDMEMBER', 'HRANDFIELD', 'SRANDMEMBER'), keyArg, smallInt, fc.boolean())
      .map(([c, k, n, w]): Argv => [
        c,
        k,
        n,
        ...(w ? [c === 'ZRANDMEMBER' ? 'WITHSCORES' : 'WITHVALUES'] : []),
      ]),
    fc
      .tuple(fc.constantFrom('COPY', 'RENAME', 'RENAMENX', 'SMOVE', 'LMOVE'), keyArg, keyArg)
      .chain(([c, a, b]) =>
        c === 'COPY'
          ? fc
              .tuple(
                opt(fc.tuple(fc.constant('DB'), fc.constantFrom('0', '1', '-1', '16'))),
                opt(fc.constant(['REPLACE'])),
              )
              .map(([db, r]): Argv => [c, a, b, ...db, ...r])
          : c === 'SMOVE'
            ? element.map((m): Argv => [c, a, b, m])
            : c === 'LMOVE'
              ? fc
                  .tuple(fc.constantFrom('LEFT', 'RIGHT'), fc.constantFrom('LEFT', 'RIGHT'))
                  .map(([x, y]): Argv => [c, a, b, x, y])
              : fc.constant<Argv>([c, a, b]),
      ),
    fc
      .tuple(fc.constantFrom('LRANGE', 'LTRIM', 'ZRANGE', 'ZREMRANGEBYRANK', 'ZREVRANGE'), keyArg, int, int)
      .map(([c, k, s, e]): Argv => [c, k, s, e]),
    fc.tuple(fc.constantFrom('LINDEX', 'INCRBY', 'DECRBY'), keyArg, int).map(([c, k, n]): Argv => [c, k, n]),
    fc
      .tuple(fc.constantFrom('EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT', 'SETEX', 'PSETEX'), keyArg, ttl)
      .map(([c, k, n]): Argv => (c === 'SETEX' || c === 'PSETEX' ? [c, k, n, 'v'] : [c, k, n])),
    fc
      .tuple(
        keyArg,
        fc.constantFrom('EX', 'PX', 'EXAT', 'PXAT'),
        ttl,
        opt(fc.constantFrom(['NX'], ['XX'], ['GET'], ['KEEPTTL'])),
      )
      .map(([k, u, n, o]): Argv => ['SET', k, 'v', u, n, ...o]),
    fc
      .tuple(
        keyArg,
        opt<Arg>(
          fc.oneof(
            fc.tuple(fc.constantFrom('EX', 'PX', 'EXAT', 'PXAT'), ttl).map((o): Arg[] => [...o]),
            fc.constant<Arg[]>(['PERSIST']),
          ),
        ),
      )
      .map(([k, o]): Argv => ['GETEX', k, ...o]),
    fc.tuple(keyArg, double).map(([k, d]): Argv => ['INCRBYFLOAT', k, d]),
    fc
      .tuple(keyArg, fc.constantFrom('f', 'n', 'x', 'new'), double)
      .map(([k, f, d]): Argv => ['HINCRBYFLOAT', k, f, d]),
    fc.tuple(keyArg, fc.constantFrom('f', 'n', 'new'), int).map(([k, f, d]): Argv => ['HINCRBY', k, f, d]),
    fc.tuple(keyArg, double, element).map(([k, d, m]): Argv => ['ZINCRBY', k, d, m]),
    fc
      .tuple(
        keyArg,
        fc.subarray(['NX', 'XX', 'GT', 'LT', 'CH', 'INCR']),
        fc.array(fc.tuple(double, element), { minLength: 1, maxLength: 3 }),
      )
      .map(([k, flags, pairs]): Argv => ['ZADD', k, ...flags, ...pairs.flat()]),
    fc
      .tuple(
        fc.constantFrom('ZRANGEBYSCORE', 'ZREVRANGEBYSCORE', 'ZCOUNT', 'ZREMRANGEBYSCORE'),
        keyArg,
        double,
        double,
        opt(fc.tuple(fc.constant('LIMIT'), int, int)),
      )
      .map(([c, k, a, b, l]): Argv =>
        c === 'ZCOUNT' || c === 'ZREMRANGEBYSCORE' ? [c, k, a, b] : [c, k, a, b, ...l],
      ),
    fc
      .tuple(
        keyArg,
        fc.constantFrom('BYSCORE', 'BYLEX', 'RANK'),
        fc.boolean(),
        opt(fc.tuple(fc.constant('LIMIT'), int, int)),
        fc.boolean(),
      )
      .chain(([k, by, rev, limit, ws]) =>
        fc
          .tuple(
            by === 'BYLEX' ? fc.constantFrom('-', '+', '[a', '(b', 'a') : double,
            by === 'BYLEX' ? fc.constantFrom('-', '+', '[c', '(a') : double,
          )
          .map(([a, b]): Argv => [
            'ZRANGE',
            k,
            a,
            b,
            ...(by === 'RANK' ? [] : [by]),
            ...(rev ? ['REV'] : []),
            ...limit,
            ...(ws ? ['WITHSCORES'] : []),
          ]),
      ),
    fc
      .tuple(
        keyArg,
        fc.constantFrom(130, 70, 600),
        fc.constantFrom('RPUSH', 'SADD', 'HSET', 'ZADD'),
        fc.boolean(),
      )
      .map(([k, n, c, long]): Argv => {
        // Enough elements (or one long enough) to pass a compact encoding's threshold: OBJECT ENCODING's change.
        const items = Array.from({ length: n }, (_, i) => (long && i === 0 ? 'y'.repeat(70) : String(i)));
        if (c === 'HSET' || c === 'ZADD')
          return [c, k, ...items.flatMap((x, i) => (c === 'HSET' ? [x, 'v'] : [String(i), x]))];
        return [c, k, ...items];
      }),
    keyArg.map((k): Argv => ['OBJECT', 'ENCODING', k]),
  );
}
