// A text every thread shares, in a growable SharedArrayBuffer: a header (lock, version, length, a counter) and the
// text's bytes. A change is made under the lock and moves the version; a thread keeps what it parsed of the text
// and reads it again only when the version moved (one shared load). The ACL users and the ACL log are each one
// (acl/acl-hub.ts): they change rarely, so a change rewrites the text whole. Knows nothing of what the text says.

import { OwnedLock } from '../owned-lock.js';

const LOCK = 0; // and LOCK + 1: its sleeper count (owned-lock.ts)
const VERSION = 2;
const LENGTH = 3;
/** A counter the owner may draw numbers from (ACL users' incarnations). */
const COUNTER = 4;
const HEADER_BYTES = 24;
const INITIAL_BYTES = 4 * 1024;
const MAX_BYTES = 256 * 1024 * 1024;

export class SharedText {
  private readonly words: Int32Array;
  private readonly lock: OwnedLock;

  private constructor(
    readonly buffer: SharedArrayBuffer,
    name: string,
  ) {
    this.words = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.lock = new OwnedLock(this.words, LOCK, name);
  }

  /** A new shared text holding `text`, named `name` in lock errors. */
  static create(text: string, name: string): SharedText {
    const buffer = new SharedArrayBuffer(INITIAL_BYTES, { maxByteLength: MAX_BYTES });
    const shared = new SharedText(buffer, name);
    shared.write(text);
    return shared;
  }

  /** The same text in another thread. */
  static attach(buffer: SharedArrayBuffer, name: string): SharedText {
    return new SharedText(buffer, name);
  }

  /** Moves on every write. */
  get version(): number {
    return Atomics.load(this.words, VERSION);
  }

  locked<R>(work: () => R): R {
    return this.lock.locked(work);
  }

  /** The text (the caller holds the lock, or accepts a torn read being retried by the version check). */
  read(): string {
    const length = Atomics.load(this.words, LENGTH);
    return Buffer.from(new Uint8Array(this.buffer, HEADER_BYTES, length)).toString('latin1');
  }

  /** Replaces the text and moves the version (the caller holds the lock, or nobody else can see it yet). */
  write(text: string): void {
    const bytes = Buffer.from(text, 'latin1');
    const size = HEADER_BYTES + bytes.length;
    if (size > MAX_BYTES) throw new Error('shared text too large');
    if (size > this.buffer.byteLength) {
      this.buffer.grow(Math.min(MAX_BYTES, Math.max(size, this.buffer.byteLength * 2)));
    }
    new Uint8Array(this.buffer, HEADER_BYTES, bytes.length).set(bytes);
    Atomics.store(this.words, LENGTH, bytes.length);
    Atomics.add(this.words, VERSION, 1);
  }

  /** The next number of the counter (1, 2, ...), the same sequence on every thread. */
  nextNumber(): number {
    return Atomics.add(this.words, COUNTER, 1) + 1;
  }
}
