// One slow log entry (slowlog.c slowlogCreateEntry): the arguments as Redis keeps them, at most 32, the last of a
// longer command saying how many more there were, each longer than 128 bytes cut there and told how many more
// bytes it had; and its bytes in the shared log (shared-slowlog.ts). Pure: no lock, no clock, no thread.

/** SLOWLOG_ENTRY_MAX_ARGC and SLOWLOG_ENTRY_MAX_STRING (slowlog.h). */
export const MAX_LOGGED_ARGS = 32;
export const MAX_LOGGED_BYTES = 128;

/** An entry as SLOWLOG GET shows it. */
export interface SlowlogEntry {
  readonly id: number;
  /** Unix time, seconds, when it was logged. */
  readonly time: number;
  /** Microseconds the command ran. */
  readonly duration: number;
  readonly argv: readonly Buffer[];
  /** The client's "ip:port" (getClientPeerId) and name ('' for none). */
  readonly peer: string;
  readonly name: string;
}

/** An entry before the log numbers it. */
export type NewSlowlogEntry = Omit<SlowlogEntry, 'id'>;

/** The arguments as the slow log keeps them: copies (the request's bytes are reused once it has run). */
export function loggedArguments(argv: readonly Uint8Array[]): Buffer[] {
  const kept = Math.min(argv.length, MAX_LOGGED_ARGS);
  const out: Buffer[] = [];
  for (let j = 0; j < kept; j++) {
    if (kept !== argv.length && j === kept - 1) {
      out.push(Buffer.from(`... (${argv.length - kept + 1} more arguments)`));
    } else if (argv[j].length > MAX_LOGGED_BYTES) {
      const more = Buffer.from(`... (${argv[j].length - MAX_LOGGED_BYTES} more bytes)`);
      out.push(Buffer.concat([argv[j].subarray(0, MAX_LOGGED_BYTES), more]));
    } else {
      out.push(Buffer.from(argv[j]));
    }
  }
  return out;
}

// ---- Bytes in the shared log ----
// size u32 | argc u32 | id f64 | time f64 | duration f64 | (length u32, bytes) per argument | peer | name | size u32
// The size at both ends lets a reader walk from the newest entry back and a trim walk from the oldest forward.

const E_ARGC = 4;
const E_ID = 8;
const E_TIME = 16;
const E_DURATION = 24;
const E_ARGS = 32;
const SIZE_BYTES = 4;

/** The entry's bytes, its id left 0 (setEntryId writes it once the log numbers it). */
export function encodeEntry(entry: NewSlowlogEntry): Buffer {
  const peer = Buffer.from(entry.peer, 'latin1');
  const name = Buffer.from(entry.name, 'latin1');
  const fields = [...entry.argv, peer, name];
  let size = E_ARGS + SIZE_BYTES;
  for (const field of fields) size += 4 + field.length;
  const bytes = Buffer.alloc(size);
  bytes.writeUInt32LE(size, 0);
  bytes.writeUInt32LE(entry.argv.length, E_ARGC);
  bytes.writeDoubleLE(entry.time, E_TIME);
  bytes.writeDoubleLE(entry.duration, E_DURATION);
  let at = E_ARGS;
  for (const field of fields) {
    bytes.writeUInt32LE(field.length, at);
    field.copy(bytes, at + 4);
    at += 4 + field.length;
  }
  bytes.writeUInt32LE(size, at);
  return bytes;
}

/** The size of the entry starting at `at`, and of the one ending at `end`. */
export const entrySize = (view: DataView, at: number): number => view.getUint32(at, true);
export const sizeBefore = (view: DataView, end: number): number => view.getUint32(end - SIZE_BYTES, true);

export function setEntryId(view: DataView, at: number, id: number): void {
  view.setFloat64(at + E_ID, id, true);
}

export function decodeEntry(view: DataView, bytes: Uint8Array, at: number): SlowlogEntry {
  const argc = view.getUint32(at + E_ARGC, true);
  let offset = at + E_ARGS;
  const field = (): Buffer => {
    const length = view.getUint32(offset, true);
    const out = Buffer.from(bytes.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
    return out;
  };
  const argv: Buffer[] = [];
  for (let i = 0; i < argc; i++) argv.push(field());
  return {
    id: view.getFloat64(at + E_ID, true),
    time: view.getFloat64(at + E_TIME, true),
    duration: view.getFloat64(at + E_DURATION, true),
    argv,
    peer: field().toString('latin1'),
    name: field().toString('latin1'),
  };
}
