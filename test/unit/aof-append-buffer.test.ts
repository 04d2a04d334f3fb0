// The append-only file's shared buffer: records from every thread in the order they were appended, SELECT only
// when the database changes, a full buffer written out before more goes in, a block larger than the buffer
// written straight to the file, and nothing in the file before a thread ends its batch (one write for many).
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SharedAppendBuffer } from '../../src/core/aof/append-buffer.js';
import { AofLog } from '../../src/core/aof/aof-log.js';
import { initialiseAofState } from '../../src/core/aof/rewrite-scheduler.js';
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
  it('holds records until written, with SELECT only where the database changes', () => {
    const buffer = new SharedAppendBuffer(new SharedArrayBuffer(32 + 1024));
    let db = buffer.append(fd, -1, [{ db: 0, commands: [args('SET a 1')] }], false);
    db = buffer.append(fd, db, [{ db: 0, commands: [args('SET b 2')] }], false);
    db = buffer.append(fd, db, [{ db: 3, commands: [args('DEL a')] }], false);
    expect(db).toBe(3);
    expect(readFileSync(file, 'latin1')).toBe('');
    expect(buffer.appended).toBeGreaterThan(0);
    expect(buffer.written).toBe(0);
    buffer.writeTo(fd);
    expect(buffer.written).toBe(buffer.appended);
    expect(readFileSync(file, 'latin1')).toBe(resp('SELECT 0', 'SET a 1', 'SET b 2', 'SELECT 3', 'DEL a'));
  });

  it('wraps a transaction in MULTI/EXEC after its SELECT', () => {
    const buffer = new SharedAppendBuffer(new SharedArrayBuffer(32 + 1024));
    const records = [
      { db: 1, commands: [args('SET a 1')] },
      { db: 1, commands: [args('INCR n')] },
    ];
    buffer.append(fd, 0, records, true);
    buffer.writeTo(fd);
    expect(readFileSync(file, 'latin1')).toBe(resp('SELECT 1', 'MULTI', 'SET a 1', 'INCR n', 'EXEC'));
  });

  it('writes out what it holds when the next record does not fit, and a larger block straight to the file', () => {
    const buffer = new SharedAppendBuffer(new SharedArrayBuffer(32 + 64));
    const small = args('SET a 1'); // 27 bytes in RESP
    let db = buffer.append(fd, 0, [{ db: 0, commands: [small] }], false);
    db = buffer.append(fd, db, [{ db: 0, commands: [small] }], false);
    expect(readFileSync(file, 'latin1')).toBe('');
    db = buffer.append(fd, db, [{ db: 0, commands: [small] }], false); // 81 > 64: the first two go out
    expect(readFileSync(file, 'latin1')).toBe(resp('SET a 1', 'SET a 1'));
    const big = [Buffer.from('SET'), Buffer.from('k'), Buffer.alloc(100, 120)];
    buffer.append(fd, db, [{ db: 0, commands: [big] }], false);
    expect(buffer.written).toBe(buffer.appended);
    expect(readFileSync(file, 'latin1')).toBe(
      resp('SET a 1', 'SET a 1', 'SET a 1') + encodeCommand(big).toString('latin1'),
    );
  });
});

describe('AofLog over a shared buffer', () => {
  it("keeps two threads' records in the order they were logged, written by whichever ends its batch first", () => {
    const store = SharedStore.create({ clock: Date.now });
    const config = new Config({ dir, appendonly: 'yes' });
    // Two writers attached to one store, as two hybrid loops are.
    const first = new AofLog(file, store, config, Date.now);
    initialiseAofState(first.state, true, file); // appendonly yes at start-up, for every thread of the store
    const second = new AofLog(file, SharedStore.attach(store.handles(), Date.now), config, Date.now);
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
});
