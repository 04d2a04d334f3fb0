// INFO commandstats / errorstats and the stats fields that go with them, through the real executor, against
// what redis-server 7.0.15 printed for the same commands (CONFIG RESETSTAT, then the sequence, then INFO):
// rejected_calls for a command refused before it runs, failed_calls for one that ran and replied an error,
// inside MULTI/EXEC too; errorstats by the reply's code. And DEBUG's subset, and its protection.

import { describe, expect, it } from 'vitest';
import type { Reply } from '../../src/core/reply.js';
import { OK, status } from '../../src/core/reply.js';
import { formatFixed } from '../../src/core/format-double.js';
import { errorPrefix, safeInfoName, SharedServerCounters } from '../../src/core/shared-counters.js';
import { atoi, strtodPrefix } from '../../src/core/commands/debug.js';
import { Session } from '../../src/core/session.js';
import { ByteWriter } from '../../src/core/reply-encoding.js';
import { createTestContext, type TestContext } from '../support/context.js';

const text = (reply: Reply): string => {
  if (reply.kind === 'verbatim' || reply.kind === 'bulk') return Buffer.from(reply.value).toString('latin1');
  if (reply.kind === 'status' || reply.kind === 'error') return reply.value;
  throw new Error(`unexpected reply ${JSON.stringify(reply)}`);
};

/** The section's lines without the header; usec figures masked (they are timings). */
function section(ctx: TestContext, name: string, maskTimes = true): string[] {
  const lines = text(ctx.run('INFO', name)).split('\r\n').slice(1, -1);
  return maskTimes ? lines.map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+/, 'usec=*')) : lines;
}

function stat(ctx: TestContext, field: string): string {
  const line = text(ctx.run('INFO', 'stats'))
    .split('\r\n')
    .find((l) => l.startsWith(`${field}:`));
  return line?.slice(field.length + 1) ?? '(absent)';
}

describe('INFO commandstats and errorstats', () => {
  it('counts calls, rejected and failed calls, in and out of MULTI/EXEC, as Redis 7.0', () => {
    const ctx = createTestContext();
    const run = (line: string) => ctx.run(...line.split(' '));
    for (const line of [
      'MULTI',
      'SET x 1',
      'INCR nokeyfoo bar', // wrong arity while queueing: rejected, and the transaction is flagged
      'EXEC', // EXECABORT: EXEC ran and failed
      'MULTI',
      'SET y notint',
      'INCR y', // fails inside EXEC: counted against INCR, not EXEC
      'GET y',
      'EXEC',
      'BADCMD', // unknown: an error reply, no command to count it against
      'GET',
      'MULTI',
      'FOO',
      'EXEC',
      'EXEC', // without MULTI
      'DISCARD',
      'CONFIG',
      'CONFIG FOO', // unknown subcommand: no command either
    ]) {
      run(line);
    }
    // Redis lists commands in its dict's order; ours is the table's, so compare as sets.
    expect(section(ctx, 'commandstats').sort()).toEqual(
      [
        'cmdstat_exec:calls=4,usec=*,rejected_calls=0,failed_calls=3',
        'cmdstat_config:calls=0,usec=*,rejected_calls=1,failed_calls=0',
        'cmdstat_discard:calls=1,usec=*,rejected_calls=0,failed_calls=1',
        'cmdstat_set:calls=1,usec=*,rejected_calls=0,failed_calls=0',
        'cmdstat_multi:calls=3,usec=*,rejected_calls=0,failed_calls=0',
        'cmdstat_get:calls=1,usec=*,rejected_calls=1,failed_calls=0',
        'cmdstat_incr:calls=1,usec=*,rejected_calls=1,failed_calls=1',
      ].sort(),
    );
    expect(section(ctx, 'errorstats')).toEqual(['errorstat_ERR:count=9', 'errorstat_EXECABORT:count=2']);
    expect(stat(ctx, 'total_error_replies')).toBe('11');
    expect(stat(ctx, 'unexpected_error_replies')).toBe('0');
    // multi x3, exec x4, set, incr, get, discard, and the four INFOs before this one (not this one: it is
    // counted once it has run, as Redis counts it).
    expect(stat(ctx, 'total_commands_processed')).toBe('15');
  });

  it('prints each line in Redis 7.0 form, a container before its subcommands, nothing for commands never run', () => {
    const ctx = createTestContext();
    ctx.run('CONFIG', 'GET', 'hz');
    ctx.run('CONFIG', 'GET', 'port');
    ctx.run('GET', 'k');
    const lines = section(ctx, 'commandstats', false);
    expect(lines).toHaveLength(2); // config|get and get; config itself never ran, this INFO is not counted yet
    for (const line of lines) {
      expect(line).toMatch(
        /^cmdstat_[a-z|]+:calls=\d+,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=\d+,failed_calls=\d+$/,
      );
    }
    expect(lines.find((l) => l.startsWith('cmdstat_config|get:'))).toMatch(/calls=2,/);
    ctx.run('CONFIG', 'x'); // unknown subcommand: counted nowhere
    ctx.run('CONFIG'); // wrong arity: the container's rejected call
    expect(section(ctx, 'commandstats').filter((l) => l.startsWith('cmdstat_config'))).toEqual([
      'cmdstat_config:calls=0,usec=*,rejected_calls=1,failed_calls=0',
      'cmdstat_config|get:calls=2,usec=*,rejected_calls=0,failed_calls=0',
    ]);
  });

  it('counts NOAUTH and refused EXECs as rejections with their own codes, WRONGPASS as a failure', () => {
    const ctx = createTestContext({ requirepass: 'pw' });
    ctx.run('GET', 'a'); // NOAUTH: rejected
    ctx.run('MULTI'); // NOAUTH too
    ctx.run('EXEC'); // refused EXEC: EXECABORT ... NOAUTH, counted under EXECABORT
    ctx.run('AUTH', 'nope'); // runs, replies WRONGPASS: failed
    ctx.run('AUTH', 'pw');
    ctx.run('EXEC', 'x'); // wrong arity for EXEC: EXECABORT again
    expect(section(ctx, 'commandstats').sort()).toEqual(
      [
        'cmdstat_auth:calls=2,usec=*,rejected_calls=0,failed_calls=1',
        'cmdstat_exec:calls=0,usec=*,rejected_calls=2,failed_calls=0',
        'cmdstat_get:calls=0,usec=*,rejected_calls=1,failed_calls=0',
        'cmdstat_multi:calls=0,usec=*,rejected_calls=1,failed_calls=0',
      ].sort(),
    );
    expect(section(ctx, 'errorstats')).toEqual([
      'errorstat_EXECABORT:count=2',
      'errorstat_NOAUTH:count=2',
      'errorstat_WRONGPASS:count=1',
    ]);
  });

  it('CONFIG RESETSTAT clears commandstats, errorstats and the totals on every thread attached', () => {
    const ctx = createTestContext();
    const counters = ctx.server.counters!;
    const other = SharedServerCounters.attach((counters as SharedServerCounters).buffer); // another thread's view
    const getSlot = ctx.server.commands.slotOf(ctx.server.commands.lookup('get')!);
    other.commandCalled(getSlot, 5, false);
    other.errorReplied('WRONGTYPE Operation against a key holding the wrong kind of value');
    ctx.run('GET', 'k');
    expect(section(ctx, 'commandstats')).toContain(
      'cmdstat_get:calls=2,usec=*,rejected_calls=0,failed_calls=0',
    );
    expect(section(ctx, 'errorstats')).toEqual(['errorstat_WRONGTYPE:count=1']);
    expect(ctx.run('CONFIG', 'RESETSTAT')).toEqual(OK);
    expect(section(ctx, 'commandstats')).toEqual([
      'cmdstat_config|resetstat:calls=1,usec=*,rejected_calls=0,failed_calls=0',
    ]);
    expect(section(ctx, 'errorstats')).toEqual([]);
    // RESETSTAT, then INFO commandstats, errorstats and stats.
    expect([stat(ctx, 'total_error_replies'), stat(ctx, 'total_commands_processed')]).toEqual(['0', '4']);
    other.commandCalled(getSlot, 1, true); // counting goes on from zero
    expect(section(ctx, 'commandstats')).toContain(
      'cmdstat_get:calls=1,usec=*,rejected_calls=0,failed_calls=1',
    );
  });

  it('sums microseconds across threads and prints usec_per_call as C prints a float with %.2f', () => {
    const ctx = createTestContext();
    const counters = ctx.server.counters as SharedServerCounters;
    const slot = ctx.server.commands.slotOf(ctx.server.commands.lookup('ping')!);
    const threads = [counters, SharedServerCounters.attach(counters.buffer)];
    for (let i = 0; i < 8; i++) threads[i % 2].commandCalled(slot, i === 0 ? 1 : 0, false);
    // 1 usec over 8 calls is 0.125: "0.12" in C (round half to even), "0.13" by toFixed.
    expect(section(ctx, 'commandstats', false)).toContain(
      'cmdstat_ping:calls=8,usec=1,usec_per_call=0.12,rejected_calls=0,failed_calls=0',
    );
    expect(['0.125', '0.375', '2.5', '31.666666'].map((x) => formatFixed(Number(x), 2))).toEqual([
      '0.12',
      '0.38',
      '2.50',
      '31.67',
    ]);
  });

  it('takes the error code as Redis does, and writes names safely', () => {
    expect(errorPrefix('ERR syntax error')).toBe('ERR');
    expect(errorPrefix('WRONGTYPE Operation')).toBe('WRONGTYPE');
    expect(errorPrefix(`${'X'.repeat(30)} y`)).toBe('X'.repeat(30));
    expect(errorPrefix(`${'X'.repeat(31)} y`)).toBe('ERR'); // no space among the first 32 bytes of "-..."
    expect(errorPrefix('NOSPACE')).toBe('ERR');
    expect(safeInfoName('a:b#c\r\nd')).toBe('a_b_c__d');
  });

  it('counts a protocol error as an error reply (errorstat_ERR), with no command', () => {
    const ctx = createTestContext();
    const session = new Session(
      {
        store: ctx.store,
        server: ctx.server,
        limits: { inlineMax: 65536, multibulkMax: 1 << 20, bulkMax: 1 << 29 },
        writer: new ByteWriter(),
      },
      { id: 2, addr: '127.0.0.1:1', laddr: '127.0.0.1:6379' },
    );
    expect(session.receive(Buffer.from('SET "a\r\n')).bytes?.toString()).toMatch(/unbalanced/);
    expect(section(ctx, 'errorstats')).toEqual(['errorstat_ERR:count=1']);
    expect(stat(ctx, 'total_error_replies')).toBe('1');
  });
});

describe('DEBUG', () => {
  const enabled = (): TestContext => {
    const ctx = createTestContext();
    ctx.config.apply('enable-debug-command', 'yes');
    return ctx;
  };

  it('is refused as Redis refuses it unless enable-debug-command allows it (a rejected call)', () => {
    const ctx = createTestContext();
    expect(ctx.run('DEBUG', 'SLEEP', '0')).toEqual({
      kind: 'error',
      value:
        'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it ' +
        'from a local connection, otherwise you need to set this option in the configuration file, and then ' +
        'restart the server.',
    });
    expect(text(ctx.run('DEBUG'))).toBe("ERR wrong number of arguments for 'debug' command");
    expect(section(ctx, 'commandstats')).toEqual([
      'cmdstat_debug:calls=0,usec=*,rejected_calls=2,failed_calls=0',
    ]);
    ctx.config.apply('enable-debug-command', 'local');
    expect(ctx.run('DEBUG', 'SLEEP', '0')).toEqual(OK); // the test client is 127.0.0.1
    Object.assign(ctx.client, { addr: '10.1.2.3:5000' }); // another host
    expect(text(ctx.run('DEBUG', 'SLEEP', '0'))).toMatch(/^ERR DEBUG command not allowed/);
  });

  it('HELP lists the subcommands there are, in Redis 7.0 words', () => {
    expect(enabled().run('DEBUG', 'help')).toEqual({
      kind: 'array',
      value: [
        'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
        'OBJECT <key>',
        '    Show low level info about `key` and associated value.',
        'RELOAD [option ...]',
        '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
        '    * MERGE: conflicting keys will be loaded from RDB.',
        '    * NOFLUSH: the existing database will not be removed before load, but',
        '      conflicting keys will generate an exception and kill the server.',
        '    * NOSAVE: the database will be loaded from an existing RDB file.',
        '    Examples:',
        '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
        '      the database.',
        '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
        '      existing RDB file.',
        '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
        '      file to the database.',
        'SET-ACTIVE-EXPIRE <0|1>',
        '    Setting it to 0 disables expiring keys in background when they are not',
        '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
        '    default.',
        'SLEEP <seconds>',
        '    Stop the server for <seconds>. Decimals allowed.',
        'HELP',
        '    Prints this help.',
      ].map(status),
    });
  });

  it('answers an unknown subcommand, or a known one with the wrong arguments, with Redis syntax error', () => {
    const ctx = enabled();
    expect(text(ctx.run('DeBuG', 'fOo'))).toBe(
      "ERR unknown subcommand or wrong number of arguments for 'fOo'. Try DEBUG HELP.",
    );
    expect(text(ctx.run('DEBUG', 'SLEEP', '0.1', 'x'))).toBe(
      "ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG HELP.",
    );
    expect(text(ctx.run('DEBUG', 'set-active-expire'))).toBe(
      "ERR unknown subcommand or wrong number of arguments for 'set-active-expire'. Try DEBUG HELP.",
    );
    expect(text(ctx.run('DEBUG', 'digest'))).toMatch(/^ERR unknown subcommand or wrong number of arguments/);
    expect(section(ctx, 'commandstats')).toEqual([
      'cmdstat_debug:calls=4,usec=*,rejected_calls=0,failed_calls=4',
    ]);
  });

  it('SET-ACTIVE-EXPIRE flips the shared switch (atoi: 0 off, anything else non-zero on)', () => {
    const ctx = enabled();
    const counters = ctx.server.counters!;
    const other = SharedServerCounters.attach((counters as SharedServerCounters).buffer);
    expect(other.activeExpireEnabled()).toBe(true);
    expect(ctx.run('DEBUG', 'SET-ACTIVE-EXPIRE', '0')).toEqual(OK);
    expect(other.activeExpireEnabled()).toBe(false);
    expect(ctx.run('DEBUG', 'set-active-expire', ' 2x')).toEqual(OK);
    expect(other.activeExpireEnabled()).toBe(true);
    expect(ctx.run('DEBUG', 'set-active-expire', 'abc')).toEqual(OK);
    expect(counters.activeExpireEnabled()).toBe(false);
    expect([atoi(Buffer.from('-7')), atoi(Buffer.from('  12abc')), atoi(Buffer.from('x1'))]).toEqual([
      -7, 12, 0,
    ]);
  });

  it('SLEEP blocks the thread for that long; what C would not sleep on, it does not', () => {
    const ctx = enabled();
    const started = performance.now();
    expect(ctx.run('DEBUG', 'SLEEP', '0.05')).toEqual(OK);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    const quick = performance.now();
    for (const arg of ['abc', '-1', 'nan', 'inf', '1e300', '0'])
      expect(ctx.run('DEBUG', 'SLEEP', arg)).toEqual(OK);
    expect(performance.now() - quick).toBeLessThan(40);
    expect(['1.5', ' 2e-1x', '0x10', 'abc', '-3'].map((s) => strtodPrefix(Buffer.from(s)))).toEqual([
      1.5, 0.2, 16, 0, -3,
    ]);
  });
});
