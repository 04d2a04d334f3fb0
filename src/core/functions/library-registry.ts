// The function libraries every thread shares (Redis's curr_functions_lib_ctx, as code): FUNCTION LOAD on one
// thread, FCALL on any other. A growable SharedArrayBuffer holds a header (lock, version, count, bytes used) and
// the libraries' codes in order, each as [length][code] padded to 4 bytes. Every change rewrites the list whole
// under the lock and moves the version; a thread keeps its own compiled view (functions/functions.ts) and reads
// the list again only when the version moved. Libraries are few and changes rare, so a rewrite is cheap.
// Knows nothing of Lua or commands.

import { OwnedLock } from '../owned-lock.js';

const LOCK = 0; // and LOCK + 1: its sleeper count (owned-lock.ts)
const VERSION = 2;
const COUNT = 3;
const USED = 4;
/** Bytes of the running function's record after the codes (0: none runs): FUNCTION STATS's running_script. */
const RUNNING = 5;
const HEADER_BYTES = 24;
const INITIAL_BYTES = 16 * 1024;
const MAX_BYTES = 1024 * 1024 * 1024;

/** The function FCALL runs now, as FUNCTION STATS shows it. */
export interface RunningFunction {
  readonly name: string;
  readonly argv: Buffer[];
  /** Unix ms it started. */
  readonly startMs: number;
}

export class LibraryRegistry {
  private readonly words: Int32Array;
  private readonly lock: OwnedLock;

  private constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.lock = new OwnedLock(this.words, LOCK, 'function libraries');
  }

  static create(): LibraryRegistry {
    const buffer = new SharedArrayBuffer(INITIAL_BYTES, { maxByteLength: MAX_BYTES });
    new Int32Array(buffer, 0, HEADER_BYTES / 4)[USED] = HEADER_BYTES;
    return new LibraryRegistry(buffer);
  }

  /** The same registry in another thread. */
  static attach(buffer: SharedArrayBuffer): LibraryRegistry {
    return new LibraryRegistry(buffer);
  }

  /** Moves on every change: a thread whose view was read at another version reads the list again. */
  get version(): number {
    return Atomics.load(this.words, VERSION);
  }

  /** Runs `work` with no other thread changing the list (a change reads, decides, then writes). */
  locked<R>(work: () => R): R {
    return this.lock.locked(work);
  }

  /** The libraries' codes in order, and the version they are of. Takes the lock unless the caller holds it. */
  read(callerHoldsLock = false): { readonly version: number; readonly codes: Buffer[] } {
    const readNow = (): { version: number; codes: Buffer[] } => {
      const count = Atomics.load(this.words, COUNT);
      const view = new DataView(this.buffer);
      const codes: Buffer[] = [];
      let offset = HEADER_BYTES;
      for (let i = 0; i < count; i++) {
        const length = view.getUint32(offset, true);
        codes.push(Buffer.from(new Uint8Array(this.buffer, offset + 4, length)));
        offset += 4 + ((length + 3) & ~3);
      }
      return { version: Atomics.load(this.words, VERSION), codes };
    };
    return callerHoldsLock ? readNow() : this.lock.locked(readNow);
  }

  /** Replaces the list (the caller holds the lock) and moves the version. */
  write(codes: readonly Buffer[]): void {
    let size = HEADER_BYTES;
    for (const code of codes) size += 4 + ((code.length + 3) & ~3);
    if (size > MAX_BYTES) throw new Error('the function libraries are too large (1 GiB)');
    if (size > this.buffer.byteLength) {
      this.buffer.grow(Math.min(MAX_BYTES, Math.max(size, this.buffer.byteLength * 2)));
    }
    const view = new DataView(this.buffer);
    let offset = HEADER_BYTES;
    for (const code of codes) {
      view.setUint32(offset, code.length, true);
      new Uint8Array(this.buffer, offset + 4, code.length).set(code);
      offset += 4 + ((code.length + 3) & ~3);
    }
    Atomics.store(this.words, USED, offset);
    Atomics.store(this.words, COUNT, codes.length);
    Atomics.add(this.words, VERSION, 1);
  }
  /**
   * FCALL's function starts, on the thread that holds every segment for it (so one at a time): its record goes
   * after the codes, for FUNCTION STATS on any thread, until clearRunning.
   */
  publishRunning(name: string, argv: readonly Uint8Array[], startMs: number): void {
    const at = (Atomics.load(this.words, USED) + 7) & ~7;
    let size = 8 + 4 + name.length + 4;
    for (const arg of argv) size += 4 + arg.length;
    if (at + size > MAX_BYTES) return; // too large to show: STATS says none runs
    if (at + size > this.buffer.byteLength) {
      this.buffer.grow(Math.min(MAX_BYTES, Math.max(at + size, this.buffer.byteLength * 2)));
    }
    const view = new DataView(this.buffer);
    view.setFloat64(at, startMs, true);
    view.setUint32(at + 8, name.length, true);
    new Uint8Array(this.buffer, at + 12, name.length).set(Buffer.from(name, 'latin1'));
    let offset = at + 12 + name.length;
    view.setUint32(offset, argv.length, true);
    offset += 4;
    for (const arg of argv) {
      view.setUint32(offset, arg.length, true);
      new Uint8Array(this.buffer, offset + 4, arg.length).set(arg);
      offset += 4 + arg.length;
    }
    Atomics.store(this.words, RUNNING, size);
  }

  clearRunning(): void {
    Atomics.store(this.words, RUNNING, 0);
  }

  /** The running function's record, or null (none runs, or its record does not read whole). */
  running(): RunningFunction | null {
    const size = Atomics.load(this.words, RUNNING);
    if (size === 0) return null;
    const at = (Atomics.load(this.words, USED) + 7) & ~7;
    const end = at + size;
    if (end > this.buffer.byteLength) return null;
    const view = new DataView(this.buffer);
    const startMs = view.getFloat64(at, true);
    const nameLength = view.getUint32(at + 8, true);
    let offset = at + 12 + nameLength;
    if (offset + 4 > end) return null;
    const name = Buffer.from(new Uint8Array(this.buffer, at + 12, nameLength)).toString('latin1');
    const count = view.getUint32(offset, true);
    offset += 4;
    const argv: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      if (offset + 4 > end) return null;
      const length = view.getUint32(offset, true);
      if (offset + 4 + length > end) return null;
      argv.push(Buffer.from(new Uint8Array(this.buffer, offset + 4, length)));
      offset += 4 + length;
    }
    return { name, argv, startMs };
  }
}
