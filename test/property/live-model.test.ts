// Model-based test against live servers, for every transport (fast-check `fc.commands` + `asyncModelRun`):
// random sequences of string and keyspace commands, each sent in RESP or plaintext on one of three
// connections, checked reply by reply against a naive reference model (RESP byte for byte; plaintext decoded
// and compared as values). Replies follow the client: two connections mix framings (once one has sent RESP,
// its plaintext requests are answered in RESP too); the third only ever sends plaintext, so plaintext replies
// stay covered. The live server runs on the real clock, so TTLs are large and a deadline is known
// only as an interval [sent, answered] + ttl; TTL/PTTL replies must fall inside the interval it implies.
// Runs: FC_NUM_RUNS; on failure fast-check prints the seed and the shrunk command sequence.

import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  asPlain,
  decodePlain,
  decodeResp,
  encodeRequest,
  LiveClient,
  numRuns,
  plainFrame,
  respFrame,
  timeoutFor,
  respBytes,
  show,
  v,
  type Arg,
  type Framing,
  type Value,
} from '../support/live-harness.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

interface Entry {
  value: Buffer;
  /** Deadline in ms since the epoch, known within [lo, hi] (when the request was sent .. answered). */
  deadline: { lo: number; hi: number } | null;
}

type Model = Map<string, Entry>;

interface Real {
  readonly clients: readonly LiveClient[];
}

/** What a reply must be: exactly a value, or an integer inside a range (TTLs on the real clock). */
type Expected = Value | { type: 'range'; lo: bigint; hi: bigint };

interface Timing {
  readonly before: number;
  readonly after: number;
}

const CONNECTIONS = 3; // below the pool's 4 workers: every connection pins one
/** The connection that only ever sends plaintext (FLUSHALL goes through connection 0). */
const PLAINTEXT_ONLY = 2;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const NOT_INTEGER = v.error('ERR value is not an integer or out of range');
const OVERFLOW = v.error('ERR increment or decrement would overflow');

// ---- the reference model (from the redis.io command pages; shares no code with src/) ----

const id = (key: Buffer): string => key.toString('hex');

function int64(value: Buffer): bigint | null {
  const s = value.toString('latin1');
  if (!/^(0|-?[1-9][0-9]*)$/.test(s)) return null;
  const n = BigInt(s);
  return n > INT64_MAX || n < INT64_MIN ? null : n;
}

function incrBy(m: Model, key: Buffer, delta: bigint): Expected {
  const entry = m.get(id(key));
  const current = entry ? int64(entry.value) : 0n;
  if (current === null) return NOT_INTEGER;
  const next = current + delta;
  if (next > INT64_MAX || next < INT64_MIN) return OVERFLOW;
  m.set(id(key), { value: Buffer.from(String(next)), deadline: entry?.deadline ?? null });
  return v.int(next);
}

const deadlineIn = (t: Timing, ms: number): Entry['deadline'] => ({ lo: t.before + ms, hi: t.after + ms });

/** PTTL (ms) or TTL (seconds, rounded as ttlGenericCommand does) of an entry, as a range. */
function ttlRange(entry: Entry | undefined, t: Timing, seconds: boolean): Expected {
  if (!entry) return v.int(-2);
  if (entry.deadline === null) return v.int(-1);
  const scale = (ms: number): bigint => BigInt(seconds ? Math.floor((ms + 500) / 1000) : ms);
  return { type: 'range', lo: scale(entry.deadline.lo - t.after), hi: scale(entry.deadline.hi - t.before) };
}

// ---- one command: run on the live server, then compare with what the model expects ----

class Step implements fc.AsyncCommand<Model, Real> {
  constructor(
    private readonly argv: readonly Arg[],
    private readonly expected: (m: Model, t: Timing) => Expected,
    private readonly connection: number,
    private readonly framing: Framing,
  ) {}

  check(): boolean {
    return true;
  }

  async run(m: Model, r: Real): Promise<void> {
    const client = r.clients[this.connection];
    const before = Date.now();
    const replyFraming = client.replyFraming(this.framing);
    await client.raw.send(this.request());
    const bytes = await this.reply(client, replyFraming);
    this.verify(m, bytes, replyFraming, { before, after: Date.now() });
  }

  /** The request's bytes, for a burst that writes several in one go. */
  request(): Buffer {
    return encodeRequest(this.argv, this.framing);
  }

  /** The framing the reply to this request comes in on a connection, as it is sent (LiveClient.replyFraming). */
  replyFraming(client: LiveClient): Framing {
    return client.replyFraming(this.framing);
  }

  /** Reads this request's reply from a connection. */
  reply(client: LiveClient, replyFraming: Framing): Promise<Buffer> {
    return client.raw.readFramed(replyFraming === 'resp' ? respFrame : plainFrame);
  }

  /** Updates the model and checks the reply against it. */
  verify(m: Model, bytes: Buffer, replyFraming: Framing, timing: Timing): void {
    const expected = this.expected(m, timing);
    const where = this.toString();
    if (expected.type === 'range') {
      const actual = replyFraming === 'resp' ? decodeResp(bytes) : decodePlain(bytes);
      expect(actual.type, where).toBe('integer');
      const n = actual.type === 'integer' ? actual.value : 0n;
      expect(
        n >= expected.lo && n <= expected.hi,
        `${where}: ${n} not in [${expected.lo}, ${expected.hi}]`,
      ).toBe(true);
    } else if (replyFraming === 'resp') {
      expect(bytes.toString('latin1'), where).toBe(respBytes(expected).toString('latin1'));
    } else {
      expect(show(decodePlain(bytes)), where).toEqual(show(asPlain(expected)));
    }
  }

  toString(): string {
    const args = this.argv.map((a) =>
      typeof a === 'string' ? a : JSON.stringify(Buffer.from(a).toString('latin1')),
    );
    return `[c${this.connection} ${this.framing}] ${args.join(' ')}`;
  }
}

/** Several requests pipelined in one write on one connection, framings mixed: replies come back in order. */
class Burst implements fc.AsyncCommand<Model, Real> {
  constructor(
    private readonly steps: readonly Step[],
    private readonly connection: number,
  ) {}

  check(): boolean {
    return true;
  }

  async run(m: Model, r: Real): Promise<void> {
    const client = r.clients[this.connection];
    const before = Date.now();
    const framings = this.steps.map((step) => step.replyFraming(client));
    await client.raw.send(Buffer.concat(this.steps.map((s) => s.request())));
    const replies: Buffer[] = [];
    for (const [i, step] of this.steps.entries()) replies.push(await step.reply(client, framings[i]));
    const timing = { before, after: Date.now() };
    this.steps.forEach((step, i) => step.verify(m, replies[i], framings[i], timing));
  }

  toString(): string {
    return `burst[${this.steps.join(', ')}]`;
  }
}

// ---- arbitraries ----

const KEYS = [Buffer.from('a'), Buffer.from('b'), Buffer.from([0, 0xff, 0x0a]), Buffer.from('with space')];
const key = fc.constantFrom(...KEYS);
const keys = fc.array(key, { minLength: 1, maxLength: 3 });
const value: fc.Arbitrary<Buffer> = fc
  .oneof(
    fc.integer({ min: -3, max: 3 }).map(String),
    fc.constantFrom(
      'x',
      '',
      'OK',
      '(nil)',
      '(integer) 1',
      '"q',
      "'",
      'a b',
      '01',
      String(INT64_MAX),
      String(INT64_MIN),
    ),
    fc.uint8Array({ maxLength: 6 }),
  )
  .map((b) => Buffer.from(b));
const delta = fc.oneof(fc.bigInt({ min: -5n, max: 5n }), fc.constantFrom(INT64_MAX, INT64_MIN));
/** Long enough that nothing expires while a test runs on the real clock. */
const seconds = fc.constantFrom(1000, 86400);
const millis = fc.constantFrom(1_000_000, 5_000_000);

type Ttl = { unit: 'EX' | 'PX'; amount: number } | { unit: 'KEEPTTL' } | null;
const ttl: fc.Arbitrary<Ttl> = fc.oneof(
  fc.constant(null),
  seconds.map((amount) => ({ unit: 'EX' as const, amount })),
  millis.map((amount) => ({ unit: 'PX' as const, amount })),
  fc.constant({ unit: 'KEEPTTL' as const }),
);

type Make = (connection: number, framing: Framing) => Step;

const set: fc.Arbitrary<Make> = fc
  .record({ k: key, val: value, cond: fc.constantFrom(null, 'NX', 'XX'), get: fc.boolean(), ttl })
  .map(({ k, val, cond, get, ttl: t }) => {
    const argv: Arg[] = ['SET', k, val];
    if (cond) argv.push(cond);
    if (get) argv.push('GET');
    if (t?.unit === 'EX' || t?.unit === 'PX') argv.push(t.unit, String(t.amount));
    if (t?.unit === 'KEEPTTL') argv.push('KEEPTTL');
    return (c, f) =>
      new Step(
        argv,
        (m, timing) => {
          const old = m.get(id(k));
          const blocked = (cond === 'NX' && old !== undefined) || (cond === 'XX' && old === undefined);
          if (!blocked) {
            let deadline: Entry['deadline'] = null;
            if (t?.unit === 'EX') deadline = deadlineIn(timing, t.amount * 1000);
            if (t?.unit === 'PX') deadline = deadlineIn(timing, t.amount);
            if (t?.unit === 'KEEPTTL') deadline = old?.deadline ?? null;
            m.set(id(k), { value: val, deadline });
          }
          if (get) return old ? v.bulk(old.value) : v.nil;
          return blocked ? v.nil : v.ok;
        },
        c,
        f,
      );
  });

const simple =
  (argv: Arg[], expected: (m: Model, t: Timing) => Expected): Make =>
  (c, f) =>
    new Step(argv, expected, c, f);

const makers: fc.Arbitrary<Make>[] = [
  set,
  set,
  key.map((k) => simple(['GET', k], (m) => (m.has(id(k)) ? v.bulk(m.get(id(k))!.value) : v.nil))),
  keys.map((ks) => simple(['DEL', ...ks], (m) => v.int(ks.filter((k) => m.delete(id(k))).length))),
  keys.map((ks) => simple(['EXISTS', ...ks], (m) => v.int(ks.filter((k) => m.has(id(k))).length))),
  key.map((k) => simple(['INCR', k], (m) => incrBy(m, k, 1n))),
  fc.tuple(key, delta).map(([k, d]) => simple(['INCRBY', k, String(d)], (m) => incrBy(m, k, d))),
  fc.tuple(key, value).map(([k, val]) =>
    simple(['APPEND', k, val], (m) => {
      const entry = m.get(id(k));
      if (entry) entry.value = Buffer.concat([entry.value, val]);
      else m.set(id(k), { value: val, deadline: null });
      return v.int(m.get(id(k))!.value.length);
    }),
  ),
  key.map((k) => simple(['STRLEN', k], (m) => v.int(m.get(id(k))?.value.length ?? 0))),
  fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 3 }).map((pairs) =>
    simple(['MSET', ...pairs.flat()], (m) => {
      for (const [k, val] of pairs) m.set(id(k), { value: val, deadline: null });
      return v.ok;
    }),
  ),
  keys.map((ks) =>
    simple(['MGET', ...ks], (m) =>
      v.array(ks.map((k) => (m.has(id(k)) ? v.bulk(m.get(id(k))!.value) : v.nil))),
    ),
  ),
  key.map((k) =>
    simple(['GETDEL', k], (m) => {
      const entry = m.get(id(k));
      m.delete(id(k));
      return entry ? v.bulk(entry.value) : v.nil;
    }),
  ),
  fc.tuple(key, fc.oneof(seconds, fc.constantFrom(0, -1))).map(([k, s]) =>
    simple(['EXPIRE', k, String(s)], (m, t) => {
      const entry = m.get(id(k));
      if (!entry) return v.int(0);
      if (s <= 0) m.delete(id(k));
      else entry.deadline = deadlineIn(t, s * 1000);
      return v.int(1);
    }),
  ),
  key.map((k) =>
    simple(['PERSIST', k], (m) => {
      const entry = m.get(id(k));
      if (!entry || entry.deadline === null) return v.int(0);
      entry.deadline = null;
      return v.int(1);
    }),
  ),
  key.map((k) => simple(['TTL', k], (m, t) => ttlRange(m.get(id(k)), t, true))),
  key.map((k) => simple(['PTTL', k], (m, t) => ttlRange(m.get(id(k)), t, false))),
  // Errors leave the connection usable and the keyspace unchanged.
  fc.constant(simple(['GET'], () => v.error("ERR wrong number of arguments for 'get' command"))),
  fc.constant(
    simple(['SET', 'a', 'b', 'EX', '0'], () => v.error("ERR invalid expire time in 'set' command")),
  ),
  fc.constant(simple(['SET', 'a', 'b', 'NX', 'XX'], () => v.error('ERR syntax error'))),
];

const connection = fc.integer({ min: 0, max: CONNECTIONS - 1 });
const framing = fc.constantFrom<Framing>('resp', 'inline');
/** The framing a step is sent in: as drawn, but always plaintext on the plaintext-only connection. */
const framed = (c: number, f: Framing): Framing => (c === PLAINTEXT_ONLY ? 'inline' : f);
const commands: fc.Arbitrary<fc.AsyncCommand<Model, Real>>[] = [
  ...makers.map((make) => fc.tuple(make, connection, framing).map(([mk, c, f]) => mk(c, framed(c, f)))),
  fc.tuple(fc.array(fc.tuple(fc.oneof(...makers), framing), { minLength: 2, maxLength: 8 }), connection).map(
    ([parts, c]) =>
      new Burst(
        parts.map(([mk, f]) => mk(c, framed(c, f))),
        c,
      ),
  ),
];

const RUNS = numRuns(60);

describe.each(transports)('%s transport: live model-based', (transport) => {
  let server: TestServer;
  let clients: LiveClient[] = [];

  beforeAll(async () => {
    server = await startTestServer(transport, { workers: 4 });
    for (let i = 0; i < CONNECTIONS; i++) clients.push(new LiveClient(await server.connect()));
  });
  afterAll(async () => {
    await server.close();
    clients = [];
  });
  beforeEach(async () => {
    expect((await clients[0].call(['FLUSHALL'])).toString()).toBe('+OK\r\n');
  });

  it(
    'agrees with the reference model over random command sequences on several connections',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 60, size: 'medium' }), async (steps) => {
          await clients[0].call(['FLUSHALL']);
          await fc.asyncModelRun(() => ({ model: new Map(), real: { clients } }), steps);
        }),
        { numRuns: RUNS },
      );
    },
    timeoutFor(RUNS, 50),
  );
});
