// The append-only file's shared buffer: records from every thread in the order they were appended, SELECT only
// when the database changes, a full buffer written out before more goes in, a block larger than the buffer
// written straight to the file, and nothing in the file before a thread ends its batch (one write for many).
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blockLength, NO_ROOM, SharedAppendBuffer } from '../../src/core/aof/append-buffer.js';
import { AofLog } from '../../src/core/aof/aof-log.js';
import { FILE_SYSTEM_DISK } from '../../src/core/aof/aof-disk.js';
import { SharedLatencyMonitor } from '../../src/core/latency/latency-monitor.js';
import { initialiseAofState } from '../../src/core/aof/rewrite-scheduler.js';
import { AofFiles } from '../../src/core/aof/aof-files.js';
import { openAofOnStart } from '../../src/core/aof/aof-startup.js';
import { encodeCommand } from '../../src/core/aof/resp-command.js';
import { Config } from '../../src/core/config.js';
import { OK } from '../../src/core/reply.js';
import { SharedStore } from '../../src/core/store/store.js';

const args = (line: string): Buffer[] => line.split(' ').map((a) => Buffer.from(a));
const resp = (...lines: string[]): string => lines.map((l) => encodeCommand(args(l)).toString()).join('');

let dir: string;
let file: string;
let fd: number;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-append-buffer-'));
  file = path.join(dir, 'appendonly.aof');
  fd = openSync(file, 'a');
});
afterEach(() => closeSync(fd));

describe('SharedAppendBuffer', () => {
  /** Everything appended so far, written as a flushing thread does: taken, then written. */
  const writeOut = (buffer: SharedAppendBuffer): void => {
    expect(buffer.writeTaken(fd, buffer.take(), buffer.appended)).toBe(null);
  };

  it('holds records until written, with SELECT only where the database changes', () => {
    const buffer = new SharedAppendBuffer(new SharedArrayBuffer(64 + 2048), null);
    let db = buffer.tryAppend(-1, [{ db: 0, commands: [args('SET a 1')] }], false);
    db = buffer.tryAppend(db, [{ db: 0, commands: [args('SET b 2')] }], false);
    db = buffer.tryAppend(db, [{ db: 3, commands: [args('DEL a')] }], false);
    expect(db).toBe(3);
    expect(readFileSync(file, 'latin1')).toBe('');
    expect(buffer.appended).toBeGreaterThan(0);
    expect(buffer.written).toBe(0);
    writeOut(buffer);
    expect(buffer.written).toBe(buffer.appended);
    expect(readFileSync(file, 'latin1')).toBe(resp('SELECT 0', 'SET a 1', 'SET b 2', 'SELECT 3', 'DEL a'));
  });

  it('aof-timestamp-enabled: a #TS annotation before a block whose second is later than the last one', () => {
    const buffer = new SharedAppendBuffer(new SharedArrayBuffer(64 + 2048), null);
    // Off, the second is not even looked at (AofLog passes 0 then).
    let db = buffer.tryAppend(-1, [{ db: 0, commands: [args('SET a 0')] }], false, 0);
    buffer.stamping = true;
    expect(buffer.stamping).toBe(true);
    db = buffer.tryAppend(db, [{ db: 0, commands: [args('SET a 1')] }], false, 1_700_000_000);
    db = buffer.tryAppend(db, [{ db: 0, commands: [args('SET a 2')] }], false, 1_700_000_000);
    // Another thread's earlier second does not annotate again (Redis: aof_cur_timestamp < unixtime).
    db = buffer.tryAppend(db, [{ db: 0, commands: [args('SET a 3')] }], false, 1_699_999_999);
    const block = [
      { db: 2, commands: [args('SET t 1')] },
      { db: 2, commands: [args('INCR n')] },
    ];
    expect(blockLength(db, block, true, 1_700_000_001)).toBe(
      blockLength(db, block, true) + '#TS:1700000001\r\n'.length,
    );
    buffer.tryAppend(db, block, true, 1_700_000_001);
    writeOut(buffer);
    expect(readFileSync(file, 'latin1')).toBe(
      resp('SELECT 0', 'SET a 0') +
        '#TS:1700000000\r\n' +
        resp('SET a 1', 'SET a 2', 'SET a 3') +
        '#TS:1700000001\r\n' +
        resp('SELECT 2', 'MULTI', 'SET t 1', 'INCR n', 'EXEC'),
    );
  });

  it('wraps a transaction in MULTI/EXEC after its SELECT', () => {
    const buffer = new SharedAppendBuffer(new SharedArrayBuffer(64 + 2048), null);
    const records = [
      { db: 1, commands: [args('SET a 1')] },
      { db: 1, commands: [args('INCR n')] },
    ];
    buffer.tryAppend(0, records, true);
    writeOut(buffer);
    expect(readFileSync(file, 'latin1')).toBe(resp('SELECT 1', 'MULTI', 'SET a 1', 'INCR n', 'EXEC'));
  });

  it('takes appends into the other half while the taken one is written, in their order', () => {
    const buffer = new SharedAppendBuffer(new SharedArrayBuffer(64 + 2048), null);
    buffer.tryAppend(0, [{ db: 0, commands: [args('SET a 1')] }], false);
    const end = buffer.appended;
    const taken = buffer.take(); // a flushing thread took it and writes it with the append lock released
    buffer.tryAppend(0, [{ db: 0, commands: [args('SET a 2')] }], false);
    buffer.writeTaken(fd, taken, end);
    expect(buffer.written).toBe(end);
    expect(readFileSync(file, 'latin1')).toBe(resp('SET a 1'));
    writeOut(buffer);
    expect(readFileSync(file, 'latin1')).toBe(resp('SET a 1', 'SET a 2'));
  });

  it('refuses a block the active half cannot take, and writes one larger than a half straight through', () => {
    const buffer = new SharedAppendBuffer(new SharedArrayBuffer(64 + 128), null); // halves of 64 bytes
    const small = args('SET a 1'); // 27 bytes in RESP
    let db = buffer.tryAppend(0, [{ db: 0, commands: [small] }], false);
    db = buffer.tryAppend(db, [{ db: 0, commands: [small] }], false);
    expect(buffer.tryAppend(db, [{ db: 0, commands: [small] }], false)).toBe(NO_ROOM); // 81 > 64
    expect(readFileSync(file, 'latin1')).toBe('');
    const big = [Buffer.from('SET'), Buffer.from('k'), Buffer.alloc(100, 120)];
    expect(buffer.fits(blockLength(db, [{ db: 0, commands: [big] }], false))).toBe(false);
    buffer.writeThrough(fd, db, [{ db: 0, commands: [big] }], false);
    expect(buffer.written).toBe(buffer.appended);
    expect(readFileSync(file, 'latin1')).toBe(
      resp('SET a 1', 'SET a 1') + encodeCommand(big).toString('latin1'),
    );
  });
});

describe('AofLog over a shared buffer', () => {
  it("keeps two threads' records in the order they were logged, written by whichever ends its batch first", () => {
    const store = SharedStore.create({ clock: Date.now });
    const config = new Config({ dir, appendonly: 'yes' });
    // Two writers attached to one store, as two hybrid loops are.
    const files = AofFiles.of(config);
    const first = new AofLog(files, store, config, Date.now);
    // appendonly yes at start-up, for every thread of the store: the log in the directory's incremental file.
    openAofOnStart(files, first.state, config, () => undefined);
    initialiseAofState(first.state, true, files);
    const file = files.logPath(first.state.incrSeq);
    const second = new AofLog(
      AofFiles.of(config),
      SharedStore.attach(store.handles(), Date.now),
      config,
      Date.now,
    );
    first.record('set', args('SET k 1'), OK, 0);
    second.record('set', args('SET k 2'), OK, 0);
    first.record('set', args('SET k 3'), OK, 0);
    expect(readFileSync(file, 'latin1')).toBe('');
    second.endOfBatch(); // one write: both threads' records, in their order
    expect(readFileSync(file, 'latin1')).toBe(resp('SELECT 0', 'SET k 1', 'SET k 2', 'SET k 3'));
    first.endOfBatch(); // already written: nothing twice
    first.close();
    second.close();
    expect(readFileSync(file, 'latin1')).toBe(resp('SELECT 0', 'SET k 1', 'SET k 2', 'SET k 3'));
  });

  it('no-appendfsync-on-rewrite yes: appendfsync always does not sync while a rewrite or a BGSAVE runs', () => {
    const store = SharedStore.create({ clock: Date.now });
    const config = new Config({ dir, appendonly: 'yes', appendfsync: 'always' });
    const files = AofFiles.of(config);
    const syncs: number[] = [];
    const log = new AofLog(files, store, config, Date.now, false, null, {
      ...FILE_SYSTEM_DISK,
      sync: () => syncs.push(1),
    });
    openAofOnStart(files, log.state, config, () => undefined);
    initialiseAofState(log.state, true, files);
    let bgsave = false;
    log.backgroundSaving = () => bgsave;
    const write = (value: string): void => {
      log.record('set', args(`SET k ${value}`), OK, 0);
      log.endOfBatch();
    };
    write('1');
    expect(log.requestRewrite(false)).toBe('started'); // a rewrite runs (nobody runs it here)
    write('2'); // no: synced as ever
    expect(syncs.length).toBe(2);
    config.set('no-appendfsync-on-rewrite', 'yes');
    write('3');
    log.state.end(true, 0, 0);
    bgsave = true;
    write('4');
    expect(syncs.length).toBe(2); // written, not synced
    expect(readFileSync(files.logPath(log.state.incrSeq), 'latin1')).toContain(resp('SET k 4'));
    bgsave = false;
    write('5'); // one sync for all of it
    expect(syncs.length).toBe(3);
    log.close();
  });
  it("times appendfsync always's syncs for the latency monitor while it is on", () => {
    const store = SharedStore.create({ clock: Date.now });
    const config = new Config({ dir, appendonly: 'yes', appendfsync: 'always' });
    const files = AofFiles.of(config);
    // A sync that takes 3 ms (the disk's time, played by a wait on a clock).
    const slow = (): void => {
      const until = performance.now() + 3;
      while (performance.now() < until);
    };
    const log = new AofLog(files, store, config, Date.now, false, null, { ...FILE_SYSTEM_DISK, sync: slow });
    openAofOnStart(files, log.state, config, () => undefined);
    initialiseAofState(log.state, true, files);
    const latency = SharedLatencyMonitor.create();
    log.latency = latency;
    log.record('set', args('SET k 1'), OK, 0);
    log.endOfBatch();
    expect(latency.events()).toEqual([]); // off: nothing timed
    latency.setThreshold(2);
    log.record('set', args('SET k 2'), OK, 0);
    log.endOfBatch();
    expect(latency.events().map((e) => e.name)).toEqual(['aof-fsync-always']);
    expect(latency.event('aof-fsync-always')?.samples[0].latency).toBeGreaterThanOrEqual(3);
    log.close();
  });
});
