// The consumer-group commands on a store whose clock the test moves by hand (the idle clock is injected): the
// idle times XPENDING and XINFO CONSUMERS report, XPENDING IDLE's filter, XCLAIM's and XAUTOCLAIM's min-idle-time,
// delivery counts, entries-read and lag; and the groups surviving the RDB form (streamDump / streamLoad).

import { describe, expect, it } from 'vitest';
import type { Reply } from '../../src/core/reply.js';
import { createTestContext } from '../support/context.js';

type Plain = string | number | null | Plain[];

/** A reply as plain values: bulks and statuses as text, integers as numbers, nulls as null, maps flattened. */
function plain(reply: Reply): Plain {
  switch (reply.kind) {
    case 'bulk':
      return Buffer.from(reply.value).toString();
    case 'status':
    case 'error':
      return reply.value;
    case 'integer':
      return Number(reply.value);
    case 'nil':
    case 'nilArray':
      return null;
    case 'array':
      return reply.value.map(plain);
    case 'map':
      return reply.value.flatMap(([k, v]) => [plain(k), plain(v)]);
    default:
      throw new Error(`unexpected reply ${reply.kind}`);
  }
}

describe('stream consumer groups on an injected clock', () => {
  function fixture() {
    const ctx = createTestContext();
    const run = (...argv: string[]): Plain => plain(ctx.run(...argv));
    return {
      store: ctx.store,
      clock: {
        get now() {
          return ctx.clock.now;
        },
        set now(v: number) {
          ctx.clock.now = v;
        },
      },
      run,
    };
  }

  it('reports idle times from the store clock and claims only what has been idle long enough', () => {
    const { clock, run } = fixture();
    run('XADD', 's', '1-0', 'f', 'a');
    run('XADD', 's', '2-0', 'f', 'b');
    run('XGROUP', 'CREATE', 's', 'g', '0');
    run('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 's', '>');
    clock.now += 5000;
    run('XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '>');
    clock.now += 1000;
    expect(run('XPENDING', 's', 'g', '-', '+', '10')).toEqual([
      ['1-0', 'alice', 6000, 1],
      ['2-0', 'bob', 1000, 1],
    ]);
    expect(run('XPENDING', 's', 'g', 'IDLE', '2000', '-', '+', '10')).toEqual([['1-0', 'alice', 6000, 1]]);
    expect(run('XINFO', 'CONSUMERS', 's', 'g')).toEqual([
      ['name', 'alice', 'pending', 1, 'idle', 6000],
      ['name', 'bob', 'pending', 1, 'idle', 1000],
    ]);
    // min-idle-time 3000: only alice's entry has waited that long.
    expect(run('XCLAIM', 's', 'g', 'carol', '3000', '1-0', '2-0', 'JUSTID')).toEqual(['1-0']);
    expect(run('XAUTOCLAIM', 's', 'g', 'dave', '500', '0')).toEqual(['0-0', [['2-0', ['f', 'b']]], []]);
    expect(run('XPENDING', 's', 'g', '-', '+', '10')).toEqual([
      ['1-0', 'carol', 0, 1], // JUSTID leaves the delivery count as it was
      ['2-0', 'dave', 0, 2],
    ]);
    expect(run('XINFO', 'GROUPS', 's')).toEqual([
      ['name', 'g', 'consumers', 4, 'pending', 2, 'last-delivered-id', '2-0', 'entries-read', 2, 'lag', 0],
    ]);
  });

  it('keeps groups, consumers and pending entries across the RDB form', () => {
    const { store, run } = fixture();
    run('XADD', 's', '1-0', 'f', 'a');
    run('XGROUP', 'CREATE', 's', 'g', '$', 'ENTRIESREAD', '1');
    run('XGROUP', 'CREATE', 's', 'a', '0');
    run('XREADGROUP', 'GROUP', 'a', 'c1', 'STREAMS', 's', '>');
    run('XGROUP', 'CREATECONSUMER', 's', 'g', 'idle-one');
    const dump = store.streamDump(Buffer.from('s'))!;
    store.streamLoad(Buffer.from('copy'), dump);
    expect(run('XINFO', 'STREAM', 'copy', 'FULL')).toEqual(run('XINFO', 'STREAM', 's', 'FULL'));
    expect(dump.groups.map((g) => g.name.toString())).toEqual(['a', 'g']);
  });
});
