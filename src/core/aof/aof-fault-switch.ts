// A test's switch for the append-only file's disk: while it says so, every thread's writes to the file fail with a
// chosen errno (after the disk took a chosen number of bytes more, as a disk that fills up), or its syncs do. Its
// words are shared memory that a test creates and hands to startServer (ServerOptions.aofFaults), which gives it to
// every thread it starts, so an integration test on a real socket can fill the disk and free it again on any
// transport. A server started without one never reads it (its disk is the file system's, aof-disk.ts).

import { errnoCode, errnoOf } from '../errno-text.js';
import type { AofDisk } from './aof-disk.js';

/** Int32 words: the errno writes fail with (0: they do not), bytes writes may still take first, syncs' errno. */
const WRITE_ERRNO = 0;
const ROOM = 1;
const SYNC_ERRNO = 2;
const WORDS = 3;

export class AofFaultSwitch {
  private readonly words: Int32Array;

  private constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer);
  }

  static create(): AofFaultSwitch {
    return new AofFaultSwitch(new SharedArrayBuffer(WORDS * 4));
  }

  static attach(buffer: SharedArrayBuffer): AofFaultSwitch {
    return new AofFaultSwitch(buffer);
  }

  /** Writes fail with `code` ('ENOSPC', 'EIO') once the disk has taken `room` more bytes. */
  failWrites(code: string, room = 0): void {
    Atomics.store(this.words, ROOM, room);
    Atomics.store(this.words, WRITE_ERRNO, errnoOf(code));
  }

  /** Syncs (appendfsync always's, everysec's background one) fail with `code`. */
  failSyncs(code: string): void {
    Atomics.store(this.words, SYNC_ERRNO, errnoOf(code));
  }

  /** The disk works again. */
  clear(): void {
    Atomics.store(this.words, WRITE_ERRNO, 0);
    Atomics.store(this.words, SYNC_ERRNO, 0);
  }

  /** `real`, failing while this switch says so. */
  disk(real: AofDisk): AofDisk {
    const words = this.words;
    return {
      write: (fd, bytes, offset, length) => {
        const errno = Atomics.load(words, WRITE_ERRNO);
        if (errno === 0) return real.write(fd, bytes, offset, length);
        const room = Atomics.load(words, ROOM);
        if (room <= 0) throw fault(errno, 'write');
        const written = real.write(fd, bytes, offset, Math.min(room, length));
        Atomics.sub(words, ROOM, written);
        return written;
      },
      sync: (fd) => {
        const errno = Atomics.load(words, SYNC_ERRNO);
        if (errno !== 0) throw fault(errno, 'fdatasync');
        real.sync(fd);
      },
      syncInBackground: (fd, done) => {
        const errno = Atomics.load(words, SYNC_ERRNO);
        if (errno !== 0) setImmediate(() => done(fault(errno, 'fdatasync')));
        else real.syncInBackground(fd, done);
      },
      truncate: (fd, length) => real.truncate(fd, length),
      size: (fd) => real.size(fd),
    };
  }
}

/** The error a failing call of Node's fs throws: `code`, negative `errno`, `syscall`. */
function fault(errno: number, syscall: string): NodeJS.ErrnoException {
  const code = errnoCode(errno) ?? `E${errno}`;
  const error: NodeJS.ErrnoException = new Error(`${code}: injected fault, ${syscall}`);
  error.code = code;
  error.errno = -errno;
  error.syscall = syscall;
  return error;
}
