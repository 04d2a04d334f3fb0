// rdb-save-incremental-fsync / aof-rewrite-incremental-fsync: a file written in chunks of any size is synced at
// every 4 MB boundary (REDIS_AUTOSYNC_BYTES), no write crossing one, and never when the setting is off; the dump's
// writer (writeFileAtomically) passes it through.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUTOSYNC_BYTES, IncrementalSync } from '../../src/core/incremental-sync.js';
import { writeFileAtomically } from '../../src/core/rdb/rdb-files.js';

/** What reached the descriptor: each write's size and, after how many bytes, each sync. */
function recorder() {
  const writes: number[] = [];
  const syncsAt: number[] = [];
  let total = 0;
  return {
    writes,
    syncsAt,
    write: (_fd: number, bytes: Buffer) => {
      writes.push(bytes.length);
      total += bytes.length;
    },
    sync: () => syncsAt.push(total),
  };
}

describe('IncrementalSync', () => {
  it('syncs at each boundary of `every` bytes, splitting the write that crosses one', () => {
    const r = recorder();
    const out = new IncrementalSync(7, 10, r.write, r.sync);
    for (const size of [4, 4, 4, 25, 3]) out.write(Buffer.alloc(size));
    expect(r.syncsAt).toEqual([10, 20, 30, 40]);
    expect(r.writes).toEqual([4, 4, 2, 2, 8, 10, 7, 3]);
  });

  it('writes whole and never syncs when off (0)', () => {
    const r = recorder();
    const out = new IncrementalSync(7, 0, r.write, r.sync);
    out.write(Buffer.alloc(AUTOSYNC_BYTES * 3));
    expect(r.writes).toEqual([AUTOSYNC_BYTES * 3]);
    expect(r.syncsAt).toEqual([]);
  });

  it("syncs on the way in the dump's writer (writeFileAtomically), and the file is whole", () => {
    expect(AUTOSYNC_BYTES).toBe(4 * 1024 * 1024); // what persistence.ts passes with rdb-save-incremental-fsync yes
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-autosync-'));
    const file = path.join(dir, 'dump.rdb');
    const chunks = Array.from({ length: 9 }, (_, i) => Buffer.alloc(1000, i));
    const syncs: number[] = [];
    writeFileAtomically(file, chunks, undefined, 1024, (fd) => syncs.push(fd));
    expect(syncs.length).toBe(8); // at every 1024 bytes of 9000; the final fsync is the writer's own
    expect(readFileSync(file).equals(Buffer.concat(chunks))).toBe(true);
  });
});
