// Connection-state differential against redis-server 7.0, for every transport: random sequences of the commands
// that change what a connection is answered (CLIENT REPLY ON/OFF/SKIP, CLIENT SETNAME/GETNAME/NO-EVICT/KILL's
// and LIST's filters, HELLO 2/3 with AUTH and SETNAME in any order, AUTH, RESET, SELECT, SUBSCRIBE and PUBLISH to
// itself, MULTI/EXEC/DISCARD/WATCH with queue-time and run-time errors) among data commands of every reply shape (maps, sets, doubles, nulls in
// RESP3), with both servers requiring a password (so NOAUTH and WRONGPASS paths run). Each sequence is sent in
// one write and the whole stream of replies is compared, since CLIENT REPLY OFF and SKIP withhold some: what a
// server does not send is part of the answer. Masked: HELLO's id and version, and CLIENT INFO's ids, addresses,
// ages and buffer figures (the server's own; its name, flags, db, multi, cmd and resp are compared). Not sent:
// CLIENT REPLY inside MULTI (Redis writes EXEC's array header, then withholds the rest: a broken stream), QUIT,
// and CLIENT KILL of oneself, which end the connection.
// In the suite the property runs a fixed seed (fcParameters); a soak draws new ones:
//   FC_SEED=random FC_NUM_RUNS=3000 TEST_TRANSPORTS=eventloop npx vitest run test/conformance/differential-connection.test.ts
// Skipped with a message when redis-server is not on PATH.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { fcParameters, numRuns, showArgv, timeoutFor, type Arg } from '../support/live-harness.js';
import { type RawClient, resp } from '../support/raw-client.js';
import { transports } from '../support/server.js';

type Argv = Arg[];

const PASSWORD = 'pw';
const key = fc.constantFrom<Arg>('a', 'b');
const clientName = fc.constantFrom<Arg>('n1', 'n2', '', 'a b', 'x\n');
const onOff = fc.constantFrom<Arg>('ON', 'OFF', 'on', 'maybe');

const helloOption: fc.Arbitrary<Argv> = fc.oneof(
  fc.constantFrom<Argv>(
    ['AUTH', 'default', PASSWORD],
    ['AUTH', 'default', 'wrong'],
    ['AUTH', 'other', PASSWORD],
  ),
  clientName.map((n): Argv => ['SETNAME', n]),
  fc.constantFrom<Argv>(['AUTH'], ['AUTH', 'default'], ['SETNAME'], ['FOO']),
);
const hello: fc.Arbitrary<Argv> = fc
  .tuple(fc.constantFrom<Arg[]>([], ['2'], ['3'], ['4'], ['x']), fc.array(helloOption, { maxLength: 2 }))
  .map(([v, options]): Argv => ['HELLO', ...v, ...(v.length === 0 ? [] : options.flat())]);

const connection: fc.Arbitrary<Argv> = fc.oneof(
  fc.constantFrom<Arg>('ON', 'OFF', 'SKIP', 'skip', 'maybe').map((m): Argv => ['CLIENT', 'REPLY', m]),
  fc.constantFrom<Argv>(['CLIENT', 'REPLY'], ['CLIENT', 'REPLY', 'ON', 'x']),
  clientName.map((n): Argv => ['CLIENT', 'SETNAME', n]),
  fc.constantFrom<Argv>(['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME'], ['CLIENT', 'GETNAME', 'x']),
  fc.constantFrom<Argv>(['CLIENT', 'INFO'], ['CLIENT', 'INFO'], ['CLIENT', 'LIST', 'ID', '999999']),
  onOff.map((m): Argv => ['CLIENT', 'NO-EVICT', m]),
  // Of the types that list nobody here (the caller is normal, and its line differs: addresses, ids, buffers).
  fc.constantFrom<Arg>('master', 'replica', 'slave', 'pubsub', 'foo', 'PubSub').map((t): Argv => ['CLIENT', 'LIST', 'TYPE', t]),
  fc.constantFrom<Arg>('normal', 'master', 'replica', 'slave', 'pubsub', 'foo').map((t): Argv => ['CLIENT', 'KILL', 'TYPE', t]),
  fc.constantFrom<Argv>(
    ['CLIENT', 'KILL', 'ID', '999999'],
    ['CLIENT', 'KILL', 'ID', 'x'],
    ['CLIENT', 'KILL', 'SKIPME', 'maybe'],
    ['CLIENT', 'KILL', '1.2.3.4:5'],
    ['CLIENT', 'KILL', 'TYPE'],
    ['CLIENT', 'LIST', 'ID', 'x'],
    ['CLIENT', 'NOSUCH'],
    ['CLIENT'],
  ),
  hello,
  fc.constantFrom<Argv>(['AUTH', PASSWORD], ['AUTH', 'wrong'], ['AUTH', 'default', PASSWORD], ['AUTH', 'a', 'b', 'c']),
  // Subscribed: RESP2 refuses most commands, RESP3 takes them and its messages pass CLIENT REPLY OFF.
  fc.constantFrom<Argv>(['SUBSCRIBE', 'ch'], ['PUBLISH', 'ch', 'm'], ['UNSUBSCRIBE'], ['PING', 'p']),
  fc.constantFrom<Argv>(['RESET'], ['SELECT', '1'], ['SELECT', '0'], ['SELECT', '99'], ['PING'], ['ECHO', 'e']),
); // prettier-ignore

const transaction: fc.Arbitrary<Argv> = fc.oneof(
  fc.constantFrom<Argv>(['MULTI'], ['MULTI'], ['EXEC'], ['EXEC'], ['DISCARD'], ['UNWATCH']),
  fc.array(key, { minLength: 1, maxLength: 2 }).map((ks): Argv => ['WATCH', ...ks]),
  // Refused while queueing (EXECABORT at EXEC) and failing while EXEC runs (WRONGTYPE, not an integer).
  fc.constantFrom<Argv>(['NOSUCH'], ['GET'], ['SET', 'a'], ['INCR', 'a'], ['LPUSH', 'a', 'x']),
);

/** Data commands whose replies have every RESP3 shape: maps, sets, doubles, nulls, big numbers, verbatim. */
const data: fc.Arbitrary<Argv> = fc.oneof(
  fc.tuple(key, fc.constantFrom<Arg>('1', 'v', '1.5')).map(([k, v]): Argv => ['SET', k, v]),
  fc.tuple(fc.constantFrom('GET', 'DEL', 'TYPE', 'HGETALL', 'SCARD', 'LPOP'), key).map((t): Argv => t),
  key.map((k): Argv => ['HSET', k, 'f', '1', 'g', '2.5']),
  key.map((k): Argv => ['SADD', k, '1', 'x']),
  key.map((k): Argv => ['ZADD', k, '1.5', 'm', 'inf', 'n']),
  key.map((k): Argv => ['ZRANGE', k, '0', '-1', 'WITHSCORES']),
  key.map((k): Argv => ['ZSCORE', k, 'm']),
  key.map((k): Argv => ['ZPOPMIN', k, '2']),
  key.map((k): Argv => ['INCRBYFLOAT', k, '0.1']),
  key.map((k): Argv => ['HINCRBYFLOAT', k, 'f', '1e308']),
  fc.tuple(fc.constantFrom('BLPOP', 'BZPOPMIN'), key).map(([c, k]): Argv => [c, k, '0.01']),
  key.map((k): Argv => ['BLMPOP', '0.01', '1', k, 'LEFT']),
  fc.constantFrom<Argv>(['DEBUG', 'PROTOCOL', 'bignum'], ['DEBUG', 'PROTOCOL', 'verbatim'], ['DEBUG', 'PROTOCOL', 'true']),
  fc.constantFrom<Argv>(['DEBUG', 'PROTOCOL', 'double'], ['DEBUG', 'PROTOCOL', 'null'], ['DEBUG', 'PROTOCOL', 'map']),
  fc.constantFrom<Argv>(['DEBUG', 'PROTOCOL', 'set'], ['DEBUG', 'PROTOCOL', 'false'], ['DBSIZE'], ['EXISTS', 'a', 'b']),
); // prettier-ignore

const request = fc.oneof(
  { weight: 4, arbitrary: connection },
  { weight: 2, arbitrary: transaction },
  { weight: 3, arbitrary: data },
);

const upper = (arg: Arg | undefined): string =>
  arg === undefined ? '' : Buffer.from(arg).toString('latin1').toUpperCase();

/**
 * The requests to send: CLIENT REPLY dropped while the sequence may be inside MULTI (MULTI seen, no EXEC,
 * DISCARD or RESET since; a refused MULTI counts as one, which only drops more).
 */
function sendable(requests: readonly Argv[]): Argv[] {
  let inMulti = false;
  const out: Argv[] = [];
  for (const argv of requests) {
    const name = upper(argv[0]);
    if (name === 'CLIENT' && upper(argv[1]) === 'REPLY' && inMulti) continue;
    if (name === 'MULTI') inMulti = true;
    else if (['EXEC', 'DISCARD', 'RESET'].includes(name)) inMulti = false;
    out.push(argv);
  }
  return out;
}

const MARK = 'end-of-sequence';
const MARK_REPLY = `$${MARK.length}\r\n${MARK}\r\n`;
/**
 * RESET (allowed logged out and subscribed; it ends MULTI, subscriptions and CLIENT REPLY OFF), logged in again,
 * then the mark: every byte before its reply is the sequence's.
 */
const CLOSING: Argv[] = [['RESET'], ['AUTH', PASSWORD], ['ECHO', MARK]];

/**
 * What is each server's own, masked in the stream: HELLO's id and version (RESP2 array or RESP3 map alike), and
 * in a CLIENT INFO line its length, ids, addresses, ages and buffer figures (its name, flags, db, subscriptions,
 * multi, cmd and resp are compared).
 */
const maskOwn = (stream: string): string =>
  stream
    .replace(/\$7\r\nversion\r\n\$\d+\r\n[^\r]*\r\n/g, '$7\r\nversion\r\n(masked)\r\n')
    .replace(/\$2\r\nid\r\n:\d+\r\n/g, '$2\r\nid\r\n(masked)\r\n')
    .replace(/[$=]\d+\r\n(txt:)?id=/g, '(length)id=')
    .replace(
      /\b(id|addr|laddr|fd|age|idle|qbuf|qbuf-free|argv-mem|multi-mem|rbs|rbp|obl|oll|omem|tot-mem)=\S*/g,
      '$1=?',
    );

async function streamOf(client: RawClient, requests: readonly Argv[], server: string): Promise<string> {
  try {
    await client.send(Buffer.concat([...requests, ...CLOSING].map((argv) => resp(...argv))));
    const bytes = await client.readFramed((received) => {
      const at = received.indexOf(MARK_REPLY);
      return at < 0 ? -1 : at + MARK_REPLY.length;
    });
    return maskOwn(bytes.toString('latin1'));
  } catch (e) {
    // Which server closed the connection, and what it had sent: the sequence that made it is the failing one.
    throw new Error(`${server}: ${(e as Error).message}; received ${JSON.stringify(client.text())}`);
  }
}

const RUNS = 60;

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: connection state against redis-server',
  (transport) => {
    const both = useBothServers(transport, { settings: { requirepass: PASSWORD } });

    it(
      'answers (or withholds) as Redis 7.0 does through CLIENT REPLY, HELLO, AUTH and MULTI',
      async () => {
        // Both begin logged in (the opening's AUTH) in RESP2; RESET then logs out, as Redis does.
        const opening: Argv[] = [['AUTH', PASSWORD], ['RESET'], ['AUTH', PASSWORD], ['FLUSHALL']];
        await fc.assert(
          fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 25 }), async (drawn) => {
            const requests = sendable(drawn);
            for (const argv of opening) await Promise.all([both.real.call(argv), both.lite.call(argv)]);
            const [theirs, ours] = await Promise.all([
              streamOf(both.theirs, requests, 'redis-server'),
              streamOf(both.mine, requests, 'redis-lite'),
            ]);
            expect(ours, requests.map(showArgv).join(' | ')).toBe(theirs);
          }),
          fcParameters(RUNS, 7101),
        );
      },
      timeoutFor(numRuns(RUNS), 300),
    );
  },
);
