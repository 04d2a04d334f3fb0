// Writing the append-only file fails (a full disk, EIO), as Redis 7.0's flushAppendOnlyFile handles it: nothing
// logged is lost (the shared buffer holds what did not reach the file, for every thread), a short write is cut back
// off the file, the status and errno refuse writes (MISCONF) until a write succeeds again, the lines Redis logs are
// logged, and under appendfsync always the server is told to exit. The disk's failures are played through the
// AofDisk seam (an AofFaultSwitch, or a disk of the test's own), never by filling a real disk.
import { closeSync, mkdtempSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILE_SYSTEM_DISK, type AofDisk } from '../../src/core/aof/aof-disk.js';
import { AofFaultSwitch } from '../../src/core/aof/aof-fault-switch.js';
import { AofFiles } from '../../src/core/aof/aof-files.js';
import { AofLog } from '../../src/core/aof/aof-log.js';
import { openAofOnStart } from '../../src/core/aof/aof-startup.js';
import { SharedAppendBuffer } from '../../src/core/aof/append-buffer.js';
import { encodeCommand } from '../../src/core/aof/resp-command.js';
import { initialiseAofState } from '../../src/core/aof/rewrite-scheduler.js';
import { AofExitError } from '../../src/core/aof/write-errors.js';
import { Config } from '../../src/core/config.js';
import { aofMisconf } from '../../src/core/disk-error.js';
import { OK } from '../../src/core/reply.js';
import { SharedStore } from '../../src/core/store/store.js';

const ENOSPC = 28;
const EIO = 5;
const args = (line: string): Buffer[] => line.split(' ').map((a) => Buffer.from(a));
const resp = (...lines: string[]): string => lines.map((l) => encodeCommand(args(l)).toString()).join('');
const tempDir = (): string => mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-write-errors-'));

/** A growable buffer as the store makes it: halves of `half` bytes and room for `heldRoom` held bytes. */
function growableBuffer(half: number, heldRoom: number): SharedAppendBuffer {
  return new SharedAppendBuffer(growableMemory(half, heldRoom), null);
}

function growableMemory(half: number, heldRoom: number): SharedArrayBuffer {
  const bytes = 64 + 2 * half;
  return new SharedArrayBuffer(bytes, { maxByteLength: bytes + heldRoom });
}

/** `disk` with every ftruncate counted (and failing when `fails`). */
function countingTruncates(disk: AofDisk, fails = false): { disk: AofDisk; truncates: number[] } {
  const truncates: number[] = [];
  return {
    truncates,
    disk: {
      ...disk,
      truncate: (fd, length) => {
        truncates.push(length);
        if (fails) throw Object.assign(new Error('EIO: injected, ftruncate'), { code: 'EIO' });
        disk.truncate(fd, length);
      },
    },
  };
}

describe('SharedAppendBuffer: a failed write holds what did not reach the file', () => {
  const setUp = () => {
    const file = path.join(tempDir(), 'appendonly.aof');
    const fd = openSync(file, 'a');
    const faults = AofFaultSwitch.create();
    return { file, fd, faults, disk: faults.disk(FILE_SYSTEM_DISK) };
  };
  const append = (buffer: SharedAppendBuffer, line: string): void => {
    buffer.tryAppend(0, [{ db: 0, commands: [args(line)] }], false);
  };
  const writeOut = (buffer: SharedAppendBuffer, fd: number, disk: AofDisk) =>
    buffer.writeTaken(fd, buffer.take(), buffer.appended, disk);

  it('ENOSPC: nothing written, all held, and the next write-out writes it first, in one piece', () => {
    const { file, fd, faults, disk } = setUp();
    const buffer = growableBuffer(1024, 4096);
    append(buffer, 'SET a 1');
    faults.failWrites('ENOSPC');
    const failure = writeOut(buffer, fd, disk);
    expect(failure).not.toBe(null);
    expect((failure?.error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(failure?.partial).toBe(0);
    expect(buffer.held).toBe(resp('SET a 1').length);
    expect(buffer.written).toBe(0);
    // Before: the taken half was dropped with the failed write, and the next write-out wrote only what came after.
    append(buffer, 'SET b 2');
    expect(writeOut(buffer, fd, disk)).not.toBe(null); // still full: both held now
    expect(buffer.held).toBe(resp('SET a 1', 'SET b 2').length);
    faults.clear();
    append(buffer, 'SET c 3');
    expect(writeOut(buffer, fd, disk)).toBe(null);
    expect(buffer.held).toBe(0);
    expect(buffer.written).toBe(buffer.appended);
    expect(buffer.idle).toBe(true);
    expect(readFileSync(file, 'latin1')).toBe(resp('SET a 1', 'SET b 2', 'SET c 3'));
    closeSync(fd);
  });

  it('a short write is cut back off the file (ftruncate) and written again whole', () => {
    const { file, fd, faults } = setUp();
    writeSync(fd, 'before'); // the file's bytes before this write-out stay
    const { disk, truncates } = countingTruncates(faults.disk(FILE_SYSTEM_DISK));
    const buffer = growableBuffer(1024, 4096);
    append(buffer, 'SET a 1');
    faults.failWrites('ENOSPC', 5); // the disk takes 5 bytes, then is full
    const failure = writeOut(buffer, fd, disk);
    expect(failure?.partial).toBe(5);
    expect(failure?.expected).toBe(resp('SET a 1').length);
    expect(truncates).toEqual(['before'.length]);
    expect(readFileSync(file, 'latin1')).toBe('before');
    expect(buffer.held).toBe(resp('SET a 1').length);
    faults.clear();
    expect(writeOut(buffer, fd, disk)).toBe(null);
    expect(readFileSync(file, 'latin1')).toBe('before' + resp('SET a 1'));
    closeSync(fd);
  });

  it('a short write that cannot be cut back: only the bytes that did not reach the file are held', () => {
    const { file, fd, faults } = setUp();
    const { disk } = countingTruncates(faults.disk(FILE_SYSTEM_DISK), true);
    const buffer = growableBuffer(1024, 4096);
    append(buffer, 'SET a 1');
    faults.failWrites('EIO', 7);
    const failure = writeOut(buffer, fd, disk);
    expect((failure?.truncateError as NodeJS.ErrnoException).code).toBe('EIO');
    expect(buffer.held).toBe(resp('SET a 1').length - 7);
    expect(buffer.written).toBe(7);
    faults.clear();
    append(buffer, 'SET b 2');
    expect(writeOut(buffer, fd, disk)).toBe(null);
    // Each byte once: the 7 that went, then the rest and what came after.
    expect(readFileSync(file, 'latin1')).toBe(resp('SET a 1', 'SET b 2'));
    closeSync(fd);
  });

  it('held bytes grow past the halves (the buffer grows for every thread), and a full room is an error', () => {
    const { file, fd, faults, disk } = setUp();
    const memory = growableMemory(64, 200); // halves of 64 bytes, 200 bytes to hold
    const buffer = new SharedAppendBuffer(memory, null);
    faults.failWrites('ENOSPC');
    const lines = ['SET k1 v1', 'SET k2 v2', 'SET k3 v3', 'SET k4 v4', 'SET k5 v5'];
    for (const line of lines) {
      append(buffer, line);
      expect(writeOut(buffer, fd, disk)).not.toBe(null);
    }
    expect(buffer.held).toBe(resp(...lines).length);
    expect(buffer.held).toBeGreaterThan(128); // more than both halves
    // Another thread's view of the same memory (made after it grew) has the same halves and writes the held bytes.
    const other = new SharedAppendBuffer(memory, null);
    expect(other.held).toBe(buffer.held);
    faults.clear();
    expect(writeOut(other, fd, disk)).toBe(null);
    expect(buffer.held).toBe(0);
    expect(readFileSync(file, 'latin1')).toBe(resp(...lines));
    faults.failWrites('ENOSPC');
    for (let i = 0; i < 3; i++) {
      append(buffer, `SET x${i} ${'y'.repeat(30)}`);
      expect(writeOut(buffer, fd, disk)).not.toBe(null);
    }
    append(buffer, `SET x9 ${'y'.repeat(30)}`); // 4 x 58 bytes: more than the 200 it may hold
    expect(() => writeOut(buffer, fd, disk)).toThrow(/cannot be written and its buffer is full/);
    closeSync(fd);
  });
});

/** A log on a store of its own, appendonly on, over `disk`; `lines`: what it reported. */
function openLog(options: { disk: AofDisk; appendfsync?: string; dir?: string; store?: SharedStore }) {
  const dir = options.dir ?? tempDir();
  const config = new Config({ dir, appendonly: 'yes', appendfsync: options.appendfsync ?? 'everysec' });
  const store = options.store ?? SharedStore.create({ clock: Date.now });
  const files = AofFiles.of(config);
  let now = 1_700_000_000_000;
  const log = new AofLog(files, store, config, () => now, false, null, options.disk);
  if (options.store === undefined) {
    openAofOnStart(files, log.state, config, () => undefined);
    initialiseAofState(log.state, true, files);
  }
  const lines: string[] = [];
  log.errors.report = (level, message) => lines.push(`${level}: ${message}`);
  const exits: string[] = [];
  log.errors.exit = (reason) => exits.push(reason);
  const write = (line: string): void => {
    log.record('set', args(line), OK, 0);
    log.endOfBatch();
  };
  const status = (): string | number | undefined =>
    log.infoFields().find(([name]) => name === 'aof_last_write_status')?.[1];
  return {
    log,
    store,
    config,
    dir,
    lines,
    exits,
    write,
    status,
    file: () => readFileSync(files.logPath(log.state.incrSeq), 'latin1'),
    advance: (ms: number) => (now += ms),
  };
}

describe('AofLog: a failed write-out, as flushAppendOnlyFile', () => {
  it('keeps the records, refuses writes with the errno, logs once per 30 s, and recovers on the next write-out', () => {
    const faults = AofFaultSwitch.create();
    const { log, lines, write, status, file, advance } = openLog({ disk: faults.disk(FILE_SYSTEM_DISK) });
    write('SET a 1');
    expect(log.writeDeniedErrno).toBe(0);
    faults.failWrites('ENOSPC');
    // Before: endOfBatch threw (the transports closed the clients, a pool worker died) and the records were lost.
    expect(() => write('SET b 2')).not.toThrow();
    expect(status()).toBe('err');
    expect(log.writeDeniedErrno).toBe(ENOSPC);
    expect(aofMisconf(log.writeDeniedErrno)).toBe(
      'MISCONF Errors writing to the AOF file: No space left on device',
    );
    expect(log.bufferedBytes).toBe(resp('SET b 2').length); // INFO aof_buffer_length: what waits
    expect(lines).toEqual(['warn: Error writing to the AOF file: No space left on device']);
    log.recordDeletion(0, Buffer.from('gone')); // an expired key's DEL, logged while writes are refused
    log.syncEverySecond(); // serverCron's retry: fails again, within 30 s: not logged again
    expect(lines.length).toBe(1);
    advance(31_000);
    faults.failWrites('EIO');
    log.syncEverySecond();
    expect(log.writeDeniedErrno).toBe(EIO);
    expect(lines[1]).toBe('warn: Error writing to the AOF file: Input/output error');
    faults.clear();
    log.syncEverySecond();
    expect(status()).toBe('ok');
    expect(log.writeDeniedErrno).toBe(0);
    expect(lines[2]).toBe('warn: AOF write error looks solved, Redis can write again.');
    expect(log.bufferedBytes).toBe(0);
    expect(file()).toBe(resp('SELECT 0', 'SET a 1', 'SET b 2', 'DEL gone'));
    log.close();
  });

  it('a file that cannot be opened holds the records too, written once it can be', () => {
    const { log, lines, write, file, dir } = openLog({ disk: FILE_SYSTEM_DISK });
    write('SET a 1');
    log.inFileOrder(() => undefined, true); // as a rewrite's cut: every thread reopens the file before its next write
    const directory = path.join(dir, 'appendonlydir');
    const kept = `${directory}-kept`;
    renameSync(directory, kept);
    write('SET b 2');
    expect(log.writeDeniedErrno).toBe(2); // ENOENT
    expect(lines).toEqual(['warn: Error writing to the AOF file: No such file or directory']);
    renameSync(kept, directory);
    log.syncEverySecond();
    expect(log.writeDeniedErrno).toBe(0);
    expect(file()).toBe(resp('SELECT 0', 'SET a 1', 'SELECT 0', 'SET b 2'));
    log.close();
  });

  it("keeps another thread's records too: whichever thread writes next writes them first", () => {
    const faults = AofFaultSwitch.create();
    const first = openLog({ disk: faults.disk(FILE_SYSTEM_DISK) });
    const second = openLog({
      disk: faults.disk(FILE_SYSTEM_DISK),
      dir: first.dir,
      store: SharedStore.attach(first.store.handles(), Date.now),
    });
    faults.failWrites('ENOSPC', 10); // a short write, cut back
    first.write('SET k 1');
    second.write('SET k 2');
    expect(first.log.writeDeniedErrno).toBe(ENOSPC);
    expect(second.log.writeDeniedErrno).toBe(ENOSPC); // one status for every thread
    expect(first.lines[0]).toMatch(
      /^warn: Short write while writing to the AOF file: \(nwritten=10, expected=\d+\)$/,
    );
    expect(first.file()).toBe('');
    faults.clear();
    second.write('SET k 3');
    expect(first.log.writeDeniedErrno).toBe(0);
    expect(first.file()).toBe(resp('SELECT 0', 'SET k 1', 'SET k 2', 'SET k 3'));
    first.log.close();
    second.log.close();
  });

  it('appendonly turned off drops what is held and accepts writes; turned on again, the last error is forgotten', () => {
    const faults = AofFaultSwitch.create();
    const { log, lines, write } = openLog({ disk: faults.disk(FILE_SYSTEM_DISK) });
    faults.failWrites('ENOSPC');
    write('SET a 1');
    expect(log.writeDeniedErrno).toBe(ENOSPC);
    log.setEnabled(false, false);
    expect(log.writeDeniedErrno).toBe(0); // off: writes are not refused for the file (Redis checks aof_state)
    expect(log.bufferedBytes).toBe(0); // stopAppendOnly frees aof_buf
    log.setEnabled(true, false);
    expect(log.infoFields().find(([name]) => name === 'aof_last_write_status')?.[1]).toBe('ok');
    expect(lines).toContain('warn: AOF reopen, just ignore the last error.');
    log.close();
  });

  it("appendfsync everysec: a failed background sync refuses writes until a sync succeeds (bio.c's status)", async () => {
    const faults = AofFaultSwitch.create();
    const { log, lines, write, status } = openLog({ disk: faults.disk(FILE_SYSTEM_DISK) });
    write('SET a 1');
    faults.failSyncs('EIO');
    const synced = (): Promise<void> =>
      new Promise((resolve) => {
        log.syncEverySecond();
        const wait = (): void =>
          void ((log as unknown as { writer: { syncing: boolean } }).writer.syncing
            ? setImmediate(wait)
            : resolve());
        wait();
      });
    await synced();
    expect(status()).toBe('err');
    expect(log.writeDeniedErrno).toBe(EIO);
    expect(lines).toEqual(['warn: Fail to fsync the AOF file: Input/output error']);
    await synced(); // fails again: logged once
    expect(lines.length).toBe(1);
    faults.clear();
    await synced();
    expect(status()).toBe('ok');
    expect(log.writeDeniedErrno).toBe(0);
    log.close();
  });

  it('appendfsync always: a failed write or sync exits (the replies already made promised the disk)', () => {
    const faults = AofFaultSwitch.create();
    const { log, lines, exits, write } = openLog({
      disk: faults.disk(FILE_SYSTEM_DISK),
      appendfsync: 'always',
    });
    write('SET a 1');
    faults.failWrites('ENOSPC');
    expect(() => write('SET b 2')).toThrow(AofExitError);
    const reason = "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...";
    expect(exits).toEqual([reason]);
    expect(lines).toEqual([
      'warn: Error writing to the AOF file: No space left on device',
      `warn: ${reason}`,
    ]);
    faults.clear();
    faults.failSyncs('EIO');
    expect(() => write('SET c 3')).toThrow(AofExitError);
    expect(exits[1]).toBe(
      "Can't persist AOF for fsync error when the AOF fsync policy is 'always': Input/output error. Exiting...",
    );
    faults.clear();
    log.close();
  });
});
