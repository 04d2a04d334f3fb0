// Model-based test of the executor (fast-check `fc.commands`): random sequences of string and keyspace commands,
// with the clock moving between them, run through the real executor and store (test/support/context.ts) and
// checked reply by reply against a tiny reference model: a Map of key -> { value bytes, expireAt } read at the
// same fake time. Expiry follows Redis: a key is gone once now > expireAt. FC_NUM_RUNS sets the run count;
// on failure fast-check prints the seed and the shrunk command sequence to replay it.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { array, bulk, error, integer, NIL, OK, type Reply } from '../../src/core/reply.js';
import { createTestContext, type TestContext } from '../support/context.js';

interface Entry {
  value: Buffer;
  expireAt: number | null;
}

interface Model {
  now: number;
  readonly entries: Map<string, Entry>;
}

interface Real {
  readonly ctx: TestContext;
}

type Arg = string | Buffer;

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const NOT_INTEGER = error('ERR value is not an integer or out of range');
const OVERFLOW = error('ERR increment or decrement would overflow');
const INVALID_SET_EXPIRE = error("ERR invalid expire time in 'set' command");

// ---- the reference model: deliberately naive, written from the redis.io pages, sharing no code with src/ ----

const id = (key: Buffer): string => key.toString('hex');

/** The live entry, dropping it first if it has expired (Redis: expired once now > expireAt). */
function live(m: Model, key: Buffer): Entry | undefined {
  const entry = m.entries.get(id(key));
  if (entry !== undefined && entry.expireAt !== null && m.now > entry.expireAt) {
    m.entries.delete(id(key));
    return undefined;
  }
  return entry;
}

const valueOf = (m: Model, key: Buffer): Reply => {
  const entry = live(m, key);
  return entry ? bulk(entry.value) : NIL;
};

/** Redis's string2ll: optional '-', no leading zeros or '+', int64 range. */
function int64(value: Buffer): bigint | null {
  const s = value.toString('latin1');
  if (!/^(0|-?[1-9][0-9]*)$/.test(s)) return null;
  const n = BigInt(s);
  return n > INT64_MAX || n < INT64_MIN ? null : n;
}

function incrBy(m: Model, key: Buffer, delta: bigint): Reply {
  const entry = live(m, key);
  const current = entry ? int64(entry.value) : 0n;
  if (current === null) return NOT_INTEGER;
  const next = current + delta;
  if (next > INT64_MAX || next < INT64_MIN) return OVERFLOW;
  m.entries.set(id(key), { value: Buffer.from(String(next)), expireAt: entry?.expireAt ?? null });
  return integer(next);
}

/** EXPIRE/PEXPIRE: a deadline not in the future deletes the key (and still counts as applied). */
function expireIn(m: Model, key: Buffer, ms: number): Reply {
  const entry = live(m, key);
  if (!entry) return integer(0);
  const at = m.now + ms;
  if (at <= m.now) m.entries.delete(id(key));
  else entry.expireAt = at;
  return integer(1);
}

// ---- comparing replies: integers may be number or bigint, bulk bytes may be any Uint8Array ----

type Plain = { kind: string; value?: unknown };

function plain(reply: Reply): Plain {
  switch (reply.kind) {
    case 'integer':
      return { kind: 'integer', value: BigInt(reply.value) };
    case 'bulk':
      return { kind: 'bulk', value: Buffer.from(reply.value).toString('latin1') };
    case 'array':
      return { kind: 'array', value: reply.value.map(plain) };
    default:
      return reply;
  }
}

const show = (a: Arg): string => (typeof a === 'string' ? a : JSON.stringify(a.toString('latin1')));

/** One client command: the model computes the expected reply (updating itself), the executor the actual one. */
class Step implements fc.Command<Model, Real> {
  constructor(
    private readonly argv: readonly Arg[],
    private readonly expected: (m: Model) => Reply,
  ) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    const expected = this.expected(m);
    const actual = r.ctx.run(...this.argv);
    expect(plain(actual), this.toString()).toEqual(plain(expected));
  }
  toString(): string {
    return this.argv.map(show).join(' ');
  }
}

class AdvanceClock implements fc.Command<Model, Real> {
  constructor(private readonly ms: number) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    m.now += this.ms;
    r.ctx.clock.advance(this.ms);
  }
  toString(): string {
    return `<clock +${this.ms}ms>`;
  }
}

/** The server's periodic active-expiry step: must never change what a client can observe. */
class ActiveExpire implements fc.Command<Model, Real> {
  check(): boolean {
    return true;
  }
  run(_m: Model, r: Real): void {
    r.ctx.store.activeExpireCycle();
  }
  toString(): string {
    return '<active expire cycle>';
  }
}

// ---- arbitraries: a small key set so commands collide, values that are sometimes integers ----

const KEYS = [Buffer.from('a'), Buffer.from('b'), Buffer.from([0, 0xff, 0x0a])];
const key = fc.constantFrom(...KEYS);
const keys = fc.array(key, { minLength: 1, maxLength: 3 });
const value: fc.Arbitrary<Buffer> = fc
  .oneof(
    fc.integer({ min: -3, max: 3 }).map(String),
    fc.constantFrom('x', 'hello', '', String(INT64_MAX), String(INT64_MIN), '01', '1.5'),
    fc.uint8Array({ maxLength: 4 }),
  )
  .map((v) => Buffer.from(v));
const delta = fc.oneof(
  fc.bigInt({ min: -5n, max: 5n }),
  fc.constantFrom(INT64_MAX, INT64_MIN, INT64_MAX - 1n),
);
const seconds = fc.integer({ min: 1, max: 3 });
const millis = fc.oneof(fc.integer({ min: 1, max: 3000 }), fc.constantFrom(1, 999, 1000, 1001));

type SetTtl =
  { unit: 'EX' | 'PX'; amount: number } | { unit: 'KEEPTTL' } | { unit: 'BAD'; raw: string } | null;
const setTtl: fc.Arbitrary<SetTtl> = fc.oneof(
  { arbitrary: fc.constant(null), weight: 3 },
  { arbitrary: seconds.map((amount) => ({ unit: 'EX' as const, amount })), weight: 2 },
  { arbitrary: millis.map((amount) => ({ unit: 'PX' as const, amount })), weight: 3 },
  { arbitrary: fc.constant({ unit: 'KEEPTTL' as const }), weight: 2 },
  { arbitrary: fc.constantFrom('0', '-1').map((raw) => ({ unit: 'BAD' as const, raw })), weight: 1 },
);

const setCommand = fc
  .record({
    key,
    value,
    condition: fc.constantFrom(null, null, 'NX', 'XX'),
    get: fc.boolean(),
    ttl: setTtl,
  })
  .map(({ key: k, value: v, condition, get, ttl }) => {
    const argv: Arg[] = ['SET', k, v];
    if (condition) argv.push(condition);
    if (get) argv.push('GET');
    if (ttl?.unit === 'EX' || ttl?.unit === 'PX') argv.push(ttl.unit, String(ttl.amount));
    if (ttl?.unit === 'KEEPTTL') argv.push('KEEPTTL');
    if (ttl?.unit === 'BAD') argv.push('EX', ttl.raw);
    return new Step(argv, (m) => {
      if (ttl?.unit === 'BAD') return INVALID_SET_EXPIRE;
      const old = live(m, k);
      const blocked = (condition === 'NX' && old !== undefined) || (condition === 'XX' && old === undefined);
      if (!blocked) {
        let expireAt: number | null = null;
        if (ttl?.unit === 'EX') expireAt = m.now + ttl.amount * 1000;
        if (ttl?.unit === 'PX') expireAt = m.now + ttl.amount;
        if (ttl?.unit === 'KEEPTTL') expireAt = old?.expireAt ?? null;
        m.entries.set(id(k), { value: v, expireAt });
      }
      if (get) return old ? bulk(old.value) : NIL;
      return blocked ? NIL : OK;
    });
  });

// fc.commands picks uniformly among these, so SET (the command with the most behaviours) is listed thrice.
const commands: fc.Arbitrary<fc.Command<Model, Real>>[] = [
  setCommand,
  setCommand,
  setCommand,
  key.map((k) => new Step(['GET', k], (m) => valueOf(m, k))),
  keys.map(
    (ks) =>
      new Step(['DEL', ...ks], (m) => {
        let removed = 0;
        for (const k of ks) {
          if (live(m, k)) {
            m.entries.delete(id(k));
            removed++;
          }
        }
        return integer(removed);
      }),
  ),
  keys.map((ks) => new Step(['EXISTS', ...ks], (m) => integer(ks.filter((k) => live(m, k)).length))),
  key.map((k) => new Step(['INCR', k], (m) => incrBy(m, k, 1n))),
  fc.tuple(key, delta).map(([k, d]) => new Step(['INCRBY', k, String(d)], (m) => incrBy(m, k, d))),
  fc.tuple(key, value).map(
    ([k, v]) =>
      new Step(['APPEND', k, v], (m) => {
        const entry = live(m, k);
        if (entry) entry.value = Buffer.concat([entry.value, v]);
        else m.entries.set(id(k), { value: v, expireAt: null });
        return integer((entry?.value ?? v).length);
      }),
  ),
  key.map((k) => new Step(['STRLEN', k], (m) => integer(live(m, k)?.value.length ?? 0))),
  fc.tuple(key, fc.integer({ min: -6, max: 6 }), fc.integer({ min: -6, max: 6 })).map(
    ([k, start, end]) =>
      new Step(['GETRANGE', k, String(start), String(end)], (m) => {
        const v = live(m, k)?.value ?? Buffer.alloc(0);
        if (start < 0 && end < 0 && start > end) return bulk(Buffer.alloc(0));
        const from = Math.max(0, start < 0 ? v.length + start : start);
        const to = Math.min(v.length - 1, Math.max(0, end < 0 ? v.length + end : end));
        return bulk(from > to ? Buffer.alloc(0) : v.subarray(from, to + 1));
      }),
  ),
  fc.tuple(key, fc.integer({ min: 0, max: 6 }), value).map(
    ([k, offset, v]) =>
      new Step(['SETRANGE', k, String(offset), v], (m) => {
        const entry = live(m, k);
        if (v.length === 0) return integer(entry?.value.length ?? 0);
        const old = entry?.value ?? Buffer.alloc(0);
        const next = Buffer.alloc(Math.max(old.length, offset + v.length));
        old.copy(next);
        v.copy(next, offset);
        m.entries.set(id(k), { value: next, expireAt: entry?.expireAt ?? null });
        return integer(next.length);
      }),
  ),
  fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 3 }).map(
    (pairs) =>
      new Step(['MSET', ...pairs.flat()], (m) => {
        for (const [k, v] of pairs) m.entries.set(id(k), { value: v, expireAt: null });
        return OK;
      }),
  ),
  keys.map((ks) => new Step(['MGET', ...ks], (m) => array(ks.map((k) => valueOf(m, k))))),
  key.map(
    (k) =>
      new Step(['GETDEL', k], (m) => {
        const reply = valueOf(m, k);
        m.entries.delete(id(k));
        return reply;
      }),
  ),
  fc
    .tuple(
      key,
      fc.oneof(
        fc.constant(null),
        fc.constant('PERSIST' as const),
        seconds.map((s) => ['EX', s] as const),
        millis.map((ms) => ['PX', ms] as const),
      ),
    )
    .map(([k, option]) => {
      const argv: Arg[] = ['GETEX', k];
      if (option === 'PERSIST') argv.push(option);
      else if (option !== null) argv.push(option[0], String(option[1]));
      return new Step(argv, (m) => {
        const entry = live(m, k);
        if (!entry) return NIL;
        if (option === 'PERSIST') entry.expireAt = null;
        else if (option !== null)
          entry.expireAt = m.now + (option[0] === 'EX' ? option[1] * 1000 : option[1]);
        return bulk(entry.value);
      });
    }),
  fc
    .tuple(key, fc.integer({ min: -1, max: 3 }))
    .map(([k, s]) => new Step(['EXPIRE', k, String(s)], (m) => expireIn(m, k, s * 1000))),
  fc
    .tuple(key, fc.oneof(fc.integer({ min: -5, max: 0 }), millis))
    .map(([k, ms]) => new Step(['PEXPIRE', k, String(ms)], (m) => expireIn(m, k, ms))),
  key.map(
    (k) =>
      new Step(['TTL', k], (m) => {
        const entry = live(m, k);
        if (!entry) return integer(-2);
        if (entry.expireAt === null) return integer(-1);
        // ttlGenericCommand rounds to the nearest second.
        return integer(Math.floor((entry.expireAt - m.now + 500) / 1000));
      }),
  ),
  key.map(
    (k) =>
      new Step(['PTTL', k], (m) => {
        const entry = live(m, k);
        if (!entry) return integer(-2);
        return integer(entry.expireAt === null ? -1 : entry.expireAt - m.now);
      }),
  ),
  key.map(
    (k) =>
      new Step(['PERSIST', k], (m) => {
        const entry = live(m, k);
        if (!entry || entry.expireAt === null) return integer(0);
        entry.expireAt = null;
        return integer(1);
      }),
  ),
  fc
    .oneof(fc.constantFrom(0, 1, 999, 1000, 1001), fc.integer({ min: 0, max: 3500 }))
    .map((ms) => new AdvanceClock(ms)),
  fc.constant(new ActiveExpire()),
];

const numRuns = Number(process.env.FC_NUM_RUNS ?? 100);

describe('executor against a reference model', () => {
  it('agrees on every reply over random command sequences with expiry', () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 100, size: 'medium' }), (steps) => {
        const ctx = createTestContext();
        fc.modelRun(() => ({ model: { now: ctx.clock.now, entries: new Map() }, real: { ctx } }), steps);
      }),
      { numRuns },
    );
  });
});
