// The append-only file's pure parts: what each write command is logged as (relative times made absolute, chance
// made fact, served blocking pops as the pops they were), and reading a file back (whole, cut short at the end,
// corrupt in the middle).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeCommand } from '../../src/core/aof/aof-log.js';
import { AofFormatError, readAof } from '../../src/core/aof/aof-loader.js';
import { asLogged } from '../../src/core/aof/as-logged.js';
import type { BlockedRequest } from '../../src/core/blocking/record.js';
import { servedAsCommand } from '../../src/core/blocking/serve.js';
import { array, bulkString, integer, NIL, OK, type Reply } from '../../src/core/reply.js';

const NOW = 1_700_000_000_000;
const args = (line: string): Buffer[] => line.split(' ').map((a) => Buffer.from(a));
const logged = (line: string, reply: Reply): string[] =>
  asLogged(line.split(' ')[0].toLowerCase(), args(line), reply, NOW).map((argv) =>
    argv.map((a) => Buffer.from(a).toString()).join(' '),
  );

describe('asLogged', () => {
  it('makes relative expiry absolute, as Redis propagates it', () => {
    expect(logged('SET k v EX 10 NX', OK)).toEqual([`SET k v PXAT ${NOW + 10_000} NX`]);
    expect(logged('set k v px 5', OK)).toEqual([`set k v PXAT ${NOW + 5}`]);
    expect(logged('SET k v EXAT 1800000000', OK)).toEqual([`SET k v PXAT 1800000000000`]);
    expect(logged('SET k v KEEPTTL', OK)).toEqual(['SET k v KEEPTTL']);
    expect(logged('SETEX k 10 v', OK)).toEqual([`SET k v PXAT ${NOW + 10_000}`]);
    expect(logged('PSETEX k 10 v', OK)).toEqual([`SET k v PXAT ${NOW + 10}`]);
    expect(logged('EXPIRE k 10 GT', integer(1))).toEqual([`PEXPIREAT k ${NOW + 10_000} GT`]);
    expect(logged('EXPIREAT k 1800000000', integer(1))).toEqual([`PEXPIREAT k 1800000000000`]);
    expect(logged('EXPIRE k 10', integer(0))).toEqual([]); // changed nothing
    expect(logged('GETEX k EX 3', bulkString('v'))).toEqual([`PEXPIREAT k ${NOW + 3000}`]);
    expect(logged('GETEX k PERSIST', bulkString('v'))).toEqual(['PERSIST k']);
    expect(logged('GETEX k', bulkString('v'))).toEqual([]);
    expect(logged('RESTORE k 500 payload', OK)).toEqual([`RESTORE k ${NOW + 500} payload ABSTTL`]);
    expect(logged('RESTORE k 0 payload', OK)).toEqual(['RESTORE k 0 payload']);
  });

  it('logs XADD with the ID it made in place of * or <ms>-*, and nothing for NOMKSTREAM on no stream', () => {
    expect(logged('XADD s * f v', bulkString('5-0'))).toEqual(['XADD s 5-0 f v']);
    expect(logged('XADD s MAXLEN = 10 7-* f v', bulkString('7-3'))).toEqual(['XADD s MAXLEN = 10 7-3 f v']);
    // A `~` trim: the command logs itself as the exact trim it did (test/integration/aof-stream-trim.test.ts).
    expect(logged('XADD s MAXLEN ~ 10 LIMIT 5 7-* f v', bulkString('7-3'))).toEqual([]);
    expect(logged('XTRIM s MINID ~ 5-0', integer(3))).toEqual([]);
    expect(logged('XTRIM s MAXLEN 10', integer(3))).toEqual(['XTRIM s MAXLEN 10']);
    expect(logged('XADD s NOMKSTREAM 1-1 f v', NIL)).toEqual([]);
  });

  it('logs what SPOP did, not what it asked for', () => {
    expect(logged('SPOP s', bulkString('m'))).toEqual(['SREM s m']);
    expect(logged('SPOP s 2', array([bulkString('a'), bulkString('b')]))).toEqual(['SREM s a b']);
    expect(logged('SPOP s', NIL)).toEqual([]);
    expect(logged('INCR k', integer(3))).toEqual(['INCR k']);
    // Blocking pops are logged where the pop happens (blocking/hub.ts, servedAsCommand below), not from argv.
    expect(logged('BLPOP a b 0', array([bulkString('b'), bulkString('x')]))).toEqual([]);
  });

  it('logs a blocking pop as the pop it did, from the key it took from', () => {
    const request = (kind: BlockedRequest['kind'], fromHead: boolean, extra: Partial<BlockedRequest> = {}) =>
      ({
        kind,
        db: 0,
        keys: [],
        fromHead,
        toHead: false,
        count: 1,
        destination: null,
        ...extra,
      }) as BlockedRequest;
    const served = (r: BlockedRequest, key: string, reply: Reply): string =>
      servedAsCommand(r, Buffer.from(key), reply)
        .map((a) => a.toString())
        .join(' ');
    expect(served(request('pop', true), 'b', array([bulkString('b'), bulkString('x')]))).toBe('LPOP b');
    expect(
      served(request('zpop', false), 'z', array([bulkString('z'), bulkString('m'), bulkString('1')])),
    ).toBe('ZPOPMAX z');
    expect(
      served(request('move', true, { toHead: false, destination: Buffer.from('b') }), 'a', bulkString('x')),
    ).toBe('LMOVE a b LEFT RIGHT');
    expect(
      served(
        request('mpop', false, { count: 5 }),
        'b',
        array([bulkString('b'), array([bulkString('1'), bulkString('2')])]),
      ),
    ).toBe('LMPOP 1 b RIGHT COUNT 2');
  });
});

describe('readAof', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-'));
  const commands = Buffer.concat([encodeCommand(args('SET a 1')), encodeCommand(args('LPUSH l x y'))]);

  it('reads a whole file, and nothing when there is none', () => {
    const file = path.join(dir, 'whole.aof');
    writeFileSync(file, commands);
    expect(readAof(file, { loadTruncated: true })).toEqual({ commands, truncatedBytes: 0 });
    expect(readAof(path.join(dir, 'absent.aof'), { loadTruncated: true })).toBeNull();
  });

  it('drops a last command cut short and truncates the file, or refuses when aof-load-truncated is no', () => {
    const file = path.join(dir, 'cut.aof');
    const cut = Buffer.concat([commands, encodeCommand(args('SET b 2')).subarray(0, 9)]);
    writeFileSync(file, cut);
    expect(() => readAof(file, { loadTruncated: false })).toThrow(
      "Unexpected end of file reading the append only file cut.aof. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.",
    );
    // Cut short in a file that is not the last to load: a file that was closed whole cannot be, Redis refuses.
    expect(() => readAof(file, { loadTruncated: true, last: false })).toThrow(
      'Fatal error: the truncated file is not the last file',
    );
    expect(readFileSync(file)).toEqual(cut);
    expect(readAof(file, { loadTruncated: true })).toEqual({ commands, truncatedBytes: 9 });
    expect(readFileSync(file)).toEqual(commands);
  });

  it('drops a transaction the file ends in, from its MULTI on, as Redis reverts it', () => {
    const file = path.join(dir, 'multi.aof');
    const block = Buffer.concat([encodeCommand(args('MULTI')), encodeCommand(args('SET c 3'))]);
    writeFileSync(file, Buffer.concat([commands, block])); // every command whole, no EXEC
    expect(readAof(file, { loadTruncated: true })).toEqual({ commands, truncatedBytes: block.length });
    expect(readFileSync(file)).toEqual(commands);
    const cut = Buffer.concat([commands, block, encodeCommand(args('SET d 4')).subarray(0, 5)]);
    writeFileSync(file, cut); // cut short inside the transaction
    expect(readAof(file, { loadTruncated: true })).toEqual({
      commands,
      truncatedBytes: cut.length - commands.length,
    });
    const whole = Buffer.concat([commands, block, encodeCommand(args('EXEC'))]);
    writeFileSync(file, whole);
    expect(readAof(file, { loadTruncated: true })).toEqual({ commands: whole, truncatedBytes: 0 });
  });

  it("skips Redis's annotations (aof-timestamp-enabled's '#TS:' lines)", () => {
    const file = path.join(dir, 'annotated.aof');
    const [first, second] = [encodeCommand(args('SET a 1')), encodeCommand(args('LPUSH l x y'))];
    writeFileSync(
      file,
      Buffer.concat([Buffer.from('#TS:1700000000\r\n'), first, Buffer.from('#TS:1700000001\r\n'), second]),
    );
    expect(readAof(file, { loadTruncated: true })).toEqual({ commands, truncatedBytes: 0 });
  });

  it("refuses a corrupt middle with Redis's message, and knows where", () => {
    const file = path.join(dir, 'corrupt.aof');
    writeFileSync(file, Buffer.concat([commands, Buffer.from('garbage\r\n'), commands]));
    let error: unknown = null;
    try {
      readAof(file, { loadTruncated: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AofFormatError);
    expect((error as AofFormatError).message).toBe(
      'Bad file format reading the append only file corrupt.aof: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>',
    );
    expect((error as AofFormatError).offset).toBe(commands.length);
  });
});
