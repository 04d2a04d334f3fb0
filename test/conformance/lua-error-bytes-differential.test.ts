// Lua error texts against redis-server 7.0.15, byte for byte, on every transport: an error raised with a string
// that is not valid UTF-8 (bytes 0xFF, 0xFE, a lone continuation byte), or that is valid UTF-8 outside ASCII ('é',
// a 3-byte character), at run time (error(), a failed redis.call's message, a string concatenated into a runtime
// error) and at compile time (the source's own bytes quoted in the compiler's message), in EVAL and in FUNCTION
// LOAD. Redis passes the bytes through; so must the reply here. Skipped without redis-server.
import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { showArgv, type Arg } from '../support/live-harness.js';
import { transports } from '../support/server.js';

const bytes = (...parts: (string | number[])[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

const EACH = [[0xff, 0xfe], [0x80], [0xc3, 0xa9], [0xe2, 0x82, 0xac]];

const REQUESTS: readonly (readonly Arg[])[] = EACH.flatMap((raw): Arg[][] => [
  ['EVAL', bytes("error('", raw, " bad')"), '0'],
  ['EVAL', bytes("error('", raw, "', 0)"), '0'],
  ['EVAL', bytes("return redis.call('", raw, "')"), '0'],
  ['EVAL', bytes("local x = nil .. '", raw, "'"), '0'],
  ['EVAL', bytes("return '", raw), '0'],
  ['EVAL', bytes('return ', raw), '0'],
  ['FUNCTION', 'LOAD', 'REPLACE', bytes("#!lua name=bytes\nerror('", raw, "')")],
  ['FUNCTION', 'LOAD', 'REPLACE', bytes('#!lua name=bytes\nreturn ', raw)],
]);

describe.skipIf(!haveRedisServer).each(transports)('%s transport: Lua error texts', (transport) => {
  const both = useBothServers(transport);

  it('keep the bytes of the message, UTF-8 or not, as Redis does', async () => {
    const replies = async (client: typeof both.real): Promise<string[]> =>
      (await client.pipeline(REQUESTS)).map(
        (reply, i) => `${showArgv(REQUESTS[i])} -> ${reply.toString('hex')}`,
      );
    expect(await replies(both.lite)).toEqual(await replies(both.real));
  });
});
