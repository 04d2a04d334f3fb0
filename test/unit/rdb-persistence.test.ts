// Persistence without a server: the snapshot copy is point-in-time; a save that fails mid-write (a full disk,
// simulated by a failing sink) leaves the previous dump byte for byte and no temp file; a failed BGSAVE turns
// on MISCONF only while save points are set; loading skips expired keys and refuses damaged files.

import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ALL_COMMANDS } from '../../src/core/commands/table.js';
import { Config } from '../../src/core/config.js';
import { createCommandTable } from '../../src/core/executor.js';
import { Persistence } from '../../src/core/rdb/persistence.js';
import type { FileSink } from '../../src/core/rdb/rdb-files.js';
import { SharedServerCounters } from '../../src/core/shared-counters.js';
import { SharedStore } from '../../src/core/store/store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setup(
  options: {
    sink?: FileSink;
    save?: string;
    now?: () => number;
    forked?: (pauseMicros: number) => void;
  } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'rdb-unit-'));
  dirs.push(dir);
  const clock = options.now ?? Date.now;
  const store = SharedStore.create({ clock, segments: 4, databases: 4 });
  const config = new Config({ dir, save: options.save ?? '' });
  const commands = createCommandTable(ALL_COMMANDS);
  const counters = SharedServerCounters.create({ commandSlots: commands.slots().length });
  const persistence = new Persistence({
    store,
    config,
    counters,
    clock,
    ...(options.sink === undefined ? {} : { sink: options.sink }),
    ...(options.forked === undefined ? {} : { forked: options.forked }),
  });
  persistence.initialise();
  return { dir, store, config, persistence };
}

const failAfterFirstChunk = (): FileSink => {
  let chunks = 0;
  return {
    writeSync(fd, chunk) {
      if (++chunks > 1) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      writeFileSync(fd, chunk);
    },
  };
};

describe('RDB persistence', () => {
  it('the snapshot is the store at one instant: later writes are not in it', () => {
    const { store } = setup();
    store.set(Buffer.from('a'), Buffer.from('1'));
    const copy = SharedStore.attach(store.snapshot(), Date.now);
    store.set(Buffer.from('a'), Buffer.from('2'));
    store.set(Buffer.from('b'), Buffer.from('new'));
    expect(copy.get(Buffer.from('a'))?.toString()).toBe('1');
    expect(copy.get(Buffer.from('b'))).toBeNull();
  });

  it('a save that fails mid-write leaves the previous dump whole and no temp file', () => {
    const sink = failAfterFirstChunk();
    let failing = false;
    const { dir, store, config, persistence } = setup({
      sink: { writeSync: (fd, chunk) => (failing ? sink.writeSync(fd, chunk) : writeFileSync(fd, chunk)) },
    });
    store.set(Buffer.from('k'), Buffer.from('first'));
    persistence.save();
    const before = readFileSync(join(dir, 'dump.rdb'));
    const lastSave = persistence.lastSave();
    // Enough data for several chunks, so the failure comes after part of the file was written.
    config.set('rdbcompression', 'no');
    for (let i = 0; i < 5000; i++) store.set(Buffer.from(`key:${i}`), Buffer.alloc(200, i % 256));
    failing = true;
    expect(() => persistence.save()).toThrow(/^ERR$/);
    expect(readFileSync(join(dir, 'dump.rdb'))).toEqual(before);
    expect(readdirSync(dir)).toEqual(['dump.rdb']);
    expect(persistence.lastSave()).toBe(lastSave);
  });

  it("tells of each snapshot's pause, its fork (BGSAVE, a rewrite's), not SAVE's", async () => {
    const pauses: number[] = [];
    const { persistence } = setup({ forked: (micros) => pauses.push(micros) });
    persistence.save();
    expect(pauses).toEqual([]);
    expect(persistence.bgsave()).toBe(true);
    await persistence.whenIdle();
    persistence.recordPause(1234);
    expect(pauses).toHaveLength(2); // BGSAVE's, then the rewrite's
    expect(pauses[0]).toBeGreaterThanOrEqual(0);
    expect(pauses[1]).toBe(1234);
  });

  it('a failed BGSAVE refuses writes only while save points are set and stop-writes-on-bgsave-error is yes', async () => {
    const { config, persistence } = setup({ sink: failAfterFirstChunk(), save: '3600 1' });
    expect(persistence.writesRefused()).toBe(false);
    config.set('dir', join(tmpdir(), 'no-such-dir-for-rdb-test'));
    expect(persistence.bgsave()).toBe(true);
    await persistence.whenIdle();
    expect(persistence.infoFields()).toContainEqual(['rdb_last_bgsave_status', 'err']);
    expect(persistence.writesRefused()).toBe(true);
    config.set('stop-writes-on-bgsave-error', 'no');
    expect(persistence.writesRefused()).toBe(false);
    config.set('stop-writes-on-bgsave-error', 'yes');
    config.set('save', '');
    expect(persistence.writesRefused()).toBe(false);
  });

  it('loads a dump into an empty store, leaving out keys already expired', () => {
    let now = 1_000_000;
    const first = setup({ now: () => now });
    first.store.set(Buffer.from('keep'), Buffer.from('v'), { expireAt: now + 10_000 });
    first.store.set(Buffer.from('gone'), Buffer.from('v'), { expireAt: now + 1_000 });
    first.store.select(3).sadd(Buffer.from('set'), [Buffer.from('m')]);
    first.persistence.save();
    now += 5_000;
    const second = setup({ now: () => now });
    second.config.set('dir', first.dir);
    expect(second.persistence.load()).toEqual({ keys: 2, expired: 1 });
    expect(second.store.get(Buffer.from('keep'))?.toString()).toBe('v');
    expect(second.store.expireTime(Buffer.from('keep'))).toBe(1_000_000 + 10_000);
    expect(second.store.select(3).scard(Buffer.from('set'))).toBe(1);
    expect(second.store.get(Buffer.from('gone'))).toBeNull();
  });

  it('refuses a damaged dump, and one with more databases than configured', () => {
    const first = setup();
    first.store.set(Buffer.from('k'), Buffer.from('v'));
    first.persistence.save();
    const path = join(first.dir, 'dump.rdb');
    const good = readFileSync(path);
    const damaged = Buffer.from(good);
    damaged[good.length - 12] ^= 1; // inside the last key, before EOF and the checksum
    writeFileSync(path, damaged);
    const second = setup();
    second.config.set('dir', first.dir);
    expect(() => second.persistence.load()).toThrow(/checksum|RDB|Unsupported|format/i);
    writeFileSync(path, good);
    first.store.select(3).set(Buffer.from('in db 3'), Buffer.from('v'));
    first.persistence.save();
    const small = SharedStore.create({ clock: Date.now, databases: 2 });
    const commands = createCommandTable(ALL_COMMANDS);
    const loader = new Persistence({
      store: small,
      config: new Config({ dir: first.dir }),
      counters: SharedServerCounters.create({ commandSlots: commands.slots().length }),
      clock: Date.now,
    });
    expect(() => loader.load()).toThrow(/more than 2 databases/);
  });
});
