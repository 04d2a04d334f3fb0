// The script cache every thread shares (Redis's lua_scripts dict): SCRIPT LOAD or EVAL on one thread, EVALSHA
// on any other. Scripts are appended to a log in a growable SharedArrayBuffer: a header (lock, epoch, count,
// bytes used) then each script as [length][body], padded to 4 bytes. A thread keeps its own map of the scripts
// it has read, and reads the log's new entries when it misses (or SCRIPT EXISTS asks); SCRIPT FLUSH empties the
// log and moves the epoch, which tells every thread to forget its map (and its interpreter's functions). The
// log only grows between flushes: scripts are few and small, and Redis keeps every one until a flush too.
// The header also holds the word that says whether a script is running (script-busy.ts): every thread that
// runs scripts holds this buffer already. Knows nothing of Lua or commands.

import { createHash } from 'node:crypto';
import { OwnedLock } from '../owned-lock.js';
import { ScriptBusy } from './script-busy.js';

const LOCK = 0; // and LOCK + 1: its sleeper count (owned-lock.ts)
const EPOCH = 2;
const COUNT = 3;
const USED = 4;
const BUSY_BYTE = 5 * 4; // and the next word: busy-reply-threshold (script-busy.ts)
const HEADER_BYTES = 32;
const INITIAL_BYTES = 64 * 1024;
const MAX_BYTES = 1024 * 1024 * 1024;

export interface CachedScript {
  readonly sha: string;
  readonly body: Buffer;
}

/** SHA1 of a script body in lower-case hex: its name in the cache (eval.c sha1hex). */
export function scriptSha(body: Uint8Array): string {
  return createHash('sha1').update(body).digest('hex');
}

export class ScriptCache {
  private readonly words: Int32Array;
  private readonly lock: OwnedLock;
  private readonly known = new Map<string, CachedScript>();
  /** The log as this thread last read it: its epoch, the entries read and the offset after them. */
  private epoch = 0;
  private read = 0;
  private offset = HEADER_BYTES;

  /** The running script, as every thread sees it. */
  readonly busy: ScriptBusy;

  private constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.lock = new OwnedLock(this.words, LOCK, 'script cache');
    this.busy = new ScriptBusy(buffer, BUSY_BYTE);
  }

  static create(): ScriptCache {
    const buffer = new SharedArrayBuffer(INITIAL_BYTES, { maxByteLength: MAX_BYTES });
    new Int32Array(buffer, 0, HEADER_BYTES / 4)[USED] = HEADER_BYTES;
    return new ScriptCache(buffer);
  }

  /** The same cache in another thread. */
  static attach(buffer: SharedArrayBuffer): ScriptCache {
    return new ScriptCache(buffer);
  }

  /** The flush generation: a thread whose interpreter was filled in an older one must start a fresh one. */
  get generation(): number {
    this.refresh();
    return this.epoch;
  }

  /** The script named `sha` (lower case), from any thread. */
  find(sha: string): CachedScript | undefined {
    const found = this.known.get(sha);
    if (found !== undefined && Atomics.load(this.words, EPOCH) === this.epoch) return found;
    this.refresh();
    return this.known.get(sha);
  }

  /** Adds a script (a no-op when it is there already); returns its sha (`sha`: computed by the caller). */
  add(body: Buffer, sha: string = scriptSha(body)): string {
    if (this.find(sha) !== undefined) return sha;
    this.lock.locked(() => {
      this.refresh();
      if (this.known.has(sha)) return;
      const used = Atomics.load(this.words, USED);
      const size = 4 + ((body.length + 3) & ~3);
      if (used + size > this.buffer.byteLength) {
        if (used + size > MAX_BYTES) throw new Error('the script cache is full (1 GiB): SCRIPT FLUSH it');
        this.buffer.grow(Math.min(MAX_BYTES, Math.max(used + size, this.buffer.byteLength * 2)));
      }
      new DataView(this.buffer).setUint32(used, body.length, true);
      new Uint8Array(this.buffer, used + 4, body.length).set(body);
      Atomics.store(this.words, USED, used + size);
      Atomics.add(this.words, COUNT, 1); // after the bytes: a reader that sees the count sees them
    });
    this.refresh();
    return sha;
  }

  /** SCRIPT FLUSH: every script is forgotten, on every thread. */
  flush(): void {
    this.lock.locked(() => {
      Atomics.store(this.words, COUNT, 0);
      Atomics.store(this.words, USED, HEADER_BYTES);
      Atomics.add(this.words, EPOCH, 1);
    });
    this.refresh();
  }

  /** Number of scripts cached (INFO number_of_cached_scripts). */
  get size(): number {
    this.refresh();
    return this.known.size;
  }

  /** Bytes of the cached scripts' bodies and SHA1s (INFO used_memory_scripts_eval). */
  get bytes(): number {
    this.refresh();
    let total = 0;
    for (const script of this.known.values()) total += script.body.length + script.sha.length;
    return total;
  }

  /** Reads what other threads appended (or, after a flush, starts over). */
  private refresh(): void {
    for (;;) {
      const epoch = Atomics.load(this.words, EPOCH);
      if (epoch !== this.epoch) {
        this.epoch = epoch;
        this.known.clear();
        this.read = 0;
        this.offset = HEADER_BYTES;
      }
      const count = Atomics.load(this.words, COUNT);
      const view = new DataView(this.buffer);
      while (this.read < count) {
        const length = view.getUint32(this.offset, true);
        const body = Buffer.from(new Uint8Array(this.buffer, this.offset + 4, length));
        const sha = scriptSha(body);
        this.known.set(sha, { sha, body });
        this.offset += 4 + ((length + 3) & ~3);
        this.read++;
      }
      // A flush while reading could have reused the bytes just read: read again from the new epoch.
      if (Atomics.load(this.words, EPOCH) === this.epoch) return;
    }
  }
}
