// The set commands' metadata through the real executor (test/support/context.ts): COMMAND INFO's arity, flags,
// legacy key triple, categories, tips and key spec flags as redis-server 7.0.15 lists them. The replies, errors and
// events themselves are compared with redis-server in test/conformance/differential.test.ts.

import { describe, expect, it } from 'vitest';
import { bulkString, integer } from '../../src/core/reply.js';
import { createTestContext } from '../support/context.js';

describe('set command metadata as Redis 7.0 COMMAND INFO reports it', () => {
  const expected: [string, number, string[], [number, number, number], string[], string[]][] = [
    ['sadd', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['RW', 'insert'], []],
    ['srem', -3, ['write', 'fast'], [1, 1, 1], ['RW', 'delete'], []],
    ['sismember', 3, ['readonly', 'fast'], [1, 1, 1], ['RO'], []],
    ['smismember', -3, ['readonly', 'fast'], [1, 1, 1], ['RO', 'access'], []],
    ['smembers', 2, ['readonly'], [1, 1, 1], ['RO', 'access'], ['nondeterministic_output_order']],
    ['scard', 2, ['readonly', 'fast'], [1, 1, 1], ['RO'], []],
    ['spop', -2, ['write', 'fast'], [1, 1, 1], ['RW', 'access', 'delete'], ['nondeterministic_output']],
    ['srandmember', -2, ['readonly'], [1, 1, 1], ['RO', 'access'], ['nondeterministic_output']],
    ['smove', 4, ['write', 'fast'], [1, 2, 1], ['RW', 'access', 'delete', 'insert'], []],
    ['sinter', -2, ['readonly'], [1, -1, 1], ['RO', 'access'], ['nondeterministic_output_order']],
    ['sintercard', -3, ['readonly', 'movablekeys'], [0, 0, 0], ['RO', 'access'], []],
    ['sunion', -2, ['readonly'], [1, -1, 1], ['RO', 'access'], ['nondeterministic_output_order']],
    ['sdiff', -2, ['readonly'], [1, -1, 1], ['RO', 'access'], ['nondeterministic_output_order']],
    ['sinterstore', -3, ['write', 'denyoom'], [1, -1, 1], ['RW', 'update', 'RO', 'access'], []],
    ['sunionstore', -3, ['write', 'denyoom'], [1, -1, 1], ['OW', 'update', 'RO', 'access'], []],
    ['sdiffstore', -3, ['write', 'denyoom'], [1, -1, 1], ['OW', 'update', 'RO', 'access'], []],
    ['sscan', -3, ['readonly'], [1, 1, 1], ['RO', 'access'], ['nondeterministic_output']],
  ];

  it.each(expected)('%s: arity %i, flags %j, keys %j', (name, arity, flags, keys, keyFlags, tips) => {
    const ctx = createTestContext();
    const info = ctx.run('COMMAND', 'INFO', name);
    if (info.kind !== 'array' || info.value[0].kind !== 'array') throw new Error('no COMMAND INFO');
    const [, arityReply, flagsReply, first, last, step, categories, tipsReply, specs] = info.value[0].value;
    expect(arityReply).toEqual(integer(arity));
    expect(flagsReply).toEqual({ kind: 'set', value: flags.map((f) => ({ kind: 'status', value: f })) });
    expect([first, last, step]).toEqual(keys.map(integer));
    expect(JSON.stringify(categories)).toContain('@set');
    expect(JSON.stringify(categories)).toContain(flags.includes('fast') ? '@fast' : '@slow');
    expect(tipsReply).toEqual({ kind: 'set', value: tips.map(bulkString) });
    for (const flag of keyFlags)
      expect(JSON.stringify(specs)).toContain(JSON.stringify({ kind: 'status', value: flag }));
  });
});

describe('SRANDMEMBER with a negative count', () => {
  it('refuses more than 2^20 repeated picks with the range error (the reply is built whole)', () => {
    const ctx = createTestContext();
    ctx.run('SADD', 's', 'a');
    const refused = ctx.run('SRANDMEMBER', 's', String(-(2 ** 20) - 1));
    expect(refused.kind).toBe('error');
    expect(ctx.run('SRANDMEMBER', 's', '-3')).toEqual({
      kind: 'array',
      value: [bulkString('a'), bulkString('a'), bulkString('a')],
    });
  });
});
