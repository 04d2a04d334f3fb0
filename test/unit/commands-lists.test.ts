// The list commands' metadata through the real executor (test/support/context.ts): COMMAND INFO's arity, flags,
// legacy key triple, categories and the first key spec's flags as redis-server 7.0.15 lists them. The replies,
// errors, events and whole COMMAND INFO replies are compared with redis-server in
// test/conformance/differential.test.ts.

import { describe, expect, it } from 'vitest';
import { integer } from '../../src/core/reply.js';
import { createTestContext } from '../support/context.js';

describe('list command metadata as Redis 7.0 COMMAND INFO reports it', () => {
  const expected: [string, number, string[], [number, number, number], string[]][] = [
    ['lpush', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['RW', 'insert']],
    ['rpush', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['RW', 'insert']],
    ['lpushx', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['RW', 'insert']],
    ['rpushx', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['RW', 'insert']],
    ['lpop', -2, ['write', 'fast'], [1, 1, 1], ['RW', 'access', 'delete']],
    ['rpop', -2, ['write', 'fast'], [1, 1, 1], ['RW', 'access', 'delete']],
    ['llen', 2, ['readonly', 'fast'], [1, 1, 1], ['RO']],
    ['lrange', 4, ['readonly'], [1, 1, 1], ['RO', 'access']],
    ['lindex', 3, ['readonly'], [1, 1, 1], ['RO', 'access']],
    ['lset', 4, ['write', 'denyoom'], [1, 1, 1], ['RW', 'update']],
    ['ltrim', 4, ['write'], [1, 1, 1], ['RW', 'delete']],
    ['linsert', 5, ['write', 'denyoom'], [1, 1, 1], ['RW', 'insert']],
    ['lrem', 4, ['write'], [1, 1, 1], ['RW', 'delete']],
    ['lpos', -3, ['readonly'], [1, 1, 1], ['RO', 'access']],
    ['lmove', 5, ['write', 'denyoom'], [1, 2, 1], ['RW', 'access', 'delete']],
    ['rpoplpush', 3, ['write', 'denyoom'], [1, 2, 1], ['RW', 'access', 'delete']],
    ['lmpop', -4, ['write', 'movablekeys'], [0, 0, 0], ['RW', 'access', 'delete']],
  ];

  it.each(expected)('%s: arity %i, flags %j, keys %j', (name, arity, flags, keys, keyFlags) => {
    const ctx = createTestContext();
    const info = ctx.run('COMMAND', 'INFO', name);
    if (info.kind !== 'array' || info.value[0].kind !== 'array') throw new Error('no COMMAND INFO');
    const [, arityReply, flagsReply, first, last, step, categories, , specs] = info.value[0].value;
    expect(arityReply).toEqual(integer(arity));
    expect(flagsReply).toEqual({ kind: 'set', value: flags.map((f) => ({ kind: 'status', value: f })) });
    expect([first, last, step]).toEqual(keys.map(integer));
    expect(JSON.stringify(categories)).toContain('@list');
    expect(JSON.stringify(categories)).toContain(flags.includes('fast') ? '@fast' : '@slow');
    const specFlags = specs.kind === 'set' && specs.value.length > 0 ? JSON.stringify(specs.value[0]) : '';
    for (const flag of keyFlags) expect(specFlags).toContain(JSON.stringify({ kind: 'status', value: flag }));
    expect(specFlags.match(/"kind":"status"/g)?.length ?? 0).toBe(keyFlags.length);
  });
});
