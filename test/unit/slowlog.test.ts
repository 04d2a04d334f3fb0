// The slow log's entries and its shared store: Redis's argument truncation (slowlog.c slowlogCreateEntry), newest
// first, trimming to slowlog-max-len, RESET keeping the id sequence, the gate a command's time is compared with,
// and many large entries moved and grown past the buffer's first size without losing or mixing any.

import { describe, expect, it } from 'vitest';
import { SharedSlowLog } from '../../src/core/slowlog/shared-slowlog.js';
import { loggedArguments, type NewSlowlogEntry } from '../../src/core/slowlog/slowlog-entry.js';

const b = (s: string): Buffer => Buffer.from(s);
const entry = (args: string[], duration = 5, name = ''): NewSlowlogEntry => ({
  time: 1_700_000_000,
  duration,
  argv: args.map(b),
  peer: '127.0.0.1:5000',
  name,
});
const texts = (argv: readonly Buffer[]): string[] => argv.map((a) => a.toString());

describe('loggedArguments', () => {
  it('keeps up to 32 arguments, the 32nd of a longer command counting the rest', () => {
    const argv = Array.from({ length: 40 }, (_, i) => b(`a${i}`));
    const logged = texts(loggedArguments(argv));
    expect(logged).toHaveLength(32);
    expect(logged[30]).toBe('a30');
    expect(logged[31]).toBe('... (9 more arguments)');
    expect(texts(loggedArguments(argv.slice(0, 32)))).toEqual(argv.slice(0, 32).map(String));
  });

  it('cuts an argument longer than 128 bytes, saying how many more it had', () => {
    const [long] = loggedArguments([Buffer.alloc(200, 0x78)]);
    expect(long.toString()).toBe(`${'x'.repeat(128)}... (72 more bytes)`);
    expect(loggedArguments([Buffer.alloc(128, 0x78)])[0]).toEqual(Buffer.alloc(128, 0x78));
  });

  it('copies the bytes: a request buffer reused afterwards does not change the entry', () => {
    const request = b('value');
    const [kept] = loggedArguments([request]);
    request.fill(0);
    expect(kept.toString()).toBe('value');
  });
});

describe('SharedSlowLog', () => {
  it('logs while on, newest first, numbered in order, with every field', () => {
    const log = SharedSlowLog.create(0, 128);
    log.commandEnded(entry(['SET', 'k', 'v'], 12, 'app'));
    log.commandEnded(entry(['GET', 'k']));
    const [newest, oldest] = log.newest(10);
    expect(newest).toMatchObject({ id: 1, duration: 5, peer: '127.0.0.1:5000', name: '' });
    expect(oldest).toMatchObject({ id: 0, time: 1_700_000_000, duration: 12, name: 'app' });
    expect(texts(oldest.argv)).toEqual(['SET', 'k', 'v']);
    expect(log.newest(1)).toHaveLength(1);
    expect(log.newest(0)).toEqual([]);
    expect(log.length()).toBe(2);
  });

  it('trims to slowlog-max-len, numbering even the entries that max-len 0 drops at once', () => {
    const log = SharedSlowLog.create(0, 2);
    for (let i = 0; i < 5; i++) log.commandEnded(entry([`c${i}`]));
    expect(log.newest(10).map((e) => e.id)).toEqual([4, 3]);
    log.setMaxLen(0);
    log.commandEnded(entry(['dropped']));
    expect(log.length()).toBe(0);
    log.setMaxLen(5);
    log.commandEnded(entry(['kept']));
    expect(log.newest(10).map((e) => e.id)).toEqual([6]);
  });

  it('is reset with its ids going on', () => {
    const log = SharedSlowLog.create(0, 128);
    log.commandEnded(entry(['a']));
    log.reset();
    expect(log.length()).toBe(0);
    log.commandEnded(entry(['b']));
    expect(log.newest(10).map((e) => e.id)).toEqual([1]);
  });

  it('gates commands at the threshold, lets every one through while off only after a setting changed', () => {
    const log = SharedSlowLog.create(10000, 128);
    expect(log.gate[0]).toBe(10000);
    log.setThreshold(-1);
    expect(log.gate[0]).toBe(-Infinity); // this CONFIG SET's own end settles it
    log.commandEnded(null);
    expect(log.gate[0]).toBe(Infinity);
    log.commandEnded(entry(['not logged while off']));
    expect(log.length()).toBe(0);
    log.setThreshold(0);
    log.commandEnded(null);
    expect(log.gate[0]).toBe(0);
  });

  it('lets through what the latency monitor wants too: the gate is the lower of the two thresholds', () => {
    const log = SharedSlowLog.create(10000, 128);
    log.setLatencyFloor(5000);
    log.commandEnded(null);
    expect(log.gate[0]).toBe(5000);
    log.setThreshold(-1);
    log.commandEnded(null);
    expect(log.gate[0]).toBe(5000);
    log.setLatencyFloor(Infinity);
    log.commandEnded(null);
    expect(log.gate[0]).toBe(Infinity);
  });

  it('does not trim while off, and trims at the first command once on again', () => {
    const log = SharedSlowLog.create(0, 128);
    for (let i = 0; i < 4; i++) log.commandEnded(entry([`c${i}`]));
    log.setThreshold(-1);
    log.setMaxLen(1);
    log.commandEnded(null);
    expect(log.length()).toBe(4);
    log.setThreshold(0);
    log.commandEnded(null);
    expect(log.length()).toBe(1);
  });

  it('keeps many large entries intact as it moves them and grows past its first size', () => {
    const log = SharedSlowLog.create(0, 300);
    const args = (i: number): string[] => [
      `cmd${i}`,
      ...Array.from({ length: 20 }, (_, j) => `${i}:${j}`.repeat(12)),
    ];
    for (let i = 0; i < 2000; i++) log.commandEnded(entry(args(i)));
    const kept = log.newest(Infinity);
    expect(kept).toHaveLength(300);
    kept.forEach((e, k) => {
      expect(e.id).toBe(1999 - k);
      expect(texts(e.argv)).toEqual(args(1999 - k));
    });
    expect(log.handles().byteLength).toBeGreaterThan(64 * 1024);
  });

  it('is one log for every thread that attaches to it', () => {
    const log = SharedSlowLog.create(0, 128);
    const other = SharedSlowLog.attach(log.handles());
    log.commandEnded(entry(['here']));
    other.commandEnded(entry(['there']));
    expect(log.newest(10).map((e) => [e.id, texts(e.argv)[0]])).toEqual([
      [1, 'there'],
      [0, 'here'],
    ]);
  });
});
