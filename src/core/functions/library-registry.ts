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
const HEADER_BYTES = 24;
const INITIAL_BYTES = 16 * 1024;
const MAX_BYTES = 1024 * 1024 * 1024;

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
}
