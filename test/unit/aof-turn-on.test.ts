// CONFIG SET appendonly yes on one thread while another thread writes (the pool's workers, the hybrid's loops): the
// other thread may log and write its records out at any moment the turn-on leaves the append-only locks free, and
// must then find the file the turn-on logs to, in a directory that exists. The interleaving is played on one thread:
// two writers on one store, the second writing and ending its batch before each step the first takes on the files.
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AofFiles, TEMP_INCR_SEQ } from '../../src/core/aof/aof-files.js';
import { AofLog } from '../../src/core/aof/aof-log.js';
import { openAofOnStart } from '../../src/core/aof/aof-startup.js';
import { encodeCommand } from '../../src/core/aof/resp-command.js';
import { initialiseAofState } from '../../src/core/aof/rewrite-scheduler.js';
import { Config } from '../../src/core/config.js';
import { OK } from '../../src/core/reply.js';
import { H_AOF_LOCK } from '../../src/core/store/layout.js';
import { SharedStore } from '../../src/core/store/store.js';

const args = (line: string): Buffer[] => line.split(' ').map((a) => Buffer.from(a));
const resp = (...lines: string[]): string => lines.map((l) => encodeCommand(args(l)).toString()).join('');

/** A write command on `log`'s thread as the executor runs it, then the end of that thread's batch. */
function writeOnThread(log: AofLog, line: string): void {
  if (log.beginWrite()) log.record('set', args(line), OK, 0);
  else log.endUnloggedWrite();
  log.endOfBatch();
}

/**
 * The turning-on thread's files, where every call first lets the other thread run `step` whenever neither the
 * flush lock (the shared buffer's word 0) nor the append lock is held: as a real thread could, and one holding them
 * could not (a thread here would wait for itself).
 */
function interleaved(files: AofFiles, store: SharedStore, step: () => void): AofFiles {
  const handles = store.handles();
  const flushLock = new Int32Array(handles.appendBuffer as SharedArrayBuffer);
  const control = new Int32Array(handles.control);
  const locksFree = (): boolean =>
    Atomics.load(flushLock, 0) === 0 && Atomics.load(control, H_AOF_LOCK) === 0;
  return new Proxy(files, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...callArgs: unknown[]) => {
        if (locksFree()) step();
        return (value as (...a: unknown[]) => unknown).apply(target, callArgs);
      };
    },
  });
}

/**
 * Two writers on one store, as two threads: `turning` (its files interleaved with `other`'s writes) and `other`;
 * `written`: what `other` logged; `steps`: how many times it ran inside the turning thread's calls.
 */
function twoThreads(config: Config) {
  const store = SharedStore.create({ clock: Date.now });
  const otherStore = SharedStore.attach(store.handles(), Date.now);
  const other = new AofLog(AofFiles.of(config), otherStore, config, Date.now);
  const written: string[] = [];
  let n = 0;
  const turningFiles = interleaved(AofFiles.of(config), store, () => {
    const line = `SET other ${++n}`;
    writeOnThread(other, line);
    if (other.logging) written.push(line);
  });
  const turning = new AofLog(turningFiles, store, config, Date.now);
  // The test's own view of the directory (a call on the turning thread's would let the other thread write).
  return { turning, other, files: AofFiles.of(config), written, steps: () => n };
}

describe('CONFIG SET appendonly yes while another thread writes', () => {
  it("in a dir without the append-only directory yet: the other thread's write-outs find the file", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-turn-on-'));
    const config = new Config({ dir, appendonly: 'no' });
    const { turning, other, files, written, steps } = twoThreads(config);
    expect(existsSync(files.dir)).toBe(false);
    // Before: a write-out between the state turning on and the directory being made opened the temporary file in
    // a directory not there yet (ENOENT), and the transports closed the clients whose replies waited for it.
    turning.setEnabled(true, false);
    expect(steps()).toBeGreaterThan(0);
    expect(turning.waitingForFirstRewrite).toBe(true);
    writeOnThread(other, 'SET other last');
    written.push('SET other last');
    // Everything logged since it read on, in the temporary file (the turn-on's rewrite would empty it at its cut).
    expect(readFileSync(files.logPath(TEMP_INCR_SEQ), 'latin1')).toBe(resp('SELECT 0', ...written));
    other.close();
    turning.close();
  });

  it('after an earlier time on: the incremental file of that time gets nothing more', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-turn-on-'));
    const config = new Config({ dir, appendonly: 'yes' });
    const { turning, other, files, written, steps } = twoThreads(config);
    // On at start-up, so the log's word names the first incremental file; then turned off.
    openAofOnStart(files, turning.state, config, () => undefined);
    initialiseAofState(turning.state, true, files);
    const earlier = files.logPath(turning.state.incrSeq);
    writeOnThread(other, 'SET other 0');
    turning.setEnabled(false, false);
    const size = statSync(earlier).size;
    expect(size).toBeGreaterThan(0);
    written.length = 0;
    // Before: a write-out between the state turning on and the word being set to the temporary file appended to
    // the earlier file, which the manifest still lists: a restart before the rewrite ends would replay it there,
    // after a gap of the writes made while off.
    const before = steps();
    turning.setEnabled(true, false);
    expect(steps()).toBeGreaterThan(before);
    writeOnThread(other, 'SET other last');
    expect(statSync(earlier).size).toBe(size);
    expect(readFileSync(files.logPath(TEMP_INCR_SEQ), 'latin1')).toBe(
      resp('SELECT 0', ...written, 'SET other last'),
    );
    other.close();
    turning.close();
  });
});
