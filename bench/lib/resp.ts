// A minimal RESP2 codec for benchmark clients: encode commands (RESP multibulk or an inline line) and parse
// replies incrementally from arbitrary chunks, RESP or redis-lite's plaintext lines. Pure: no sockets, no
// timers; it knows nothing about the server under test beyond the wire format.

export type RespValue = string | number | Buffer | null | RespError | RespValue[];

export class RespError {
  constructor(readonly message: string) {}
}

const CRLF = Buffer.from('\r\n');

/** `*N\r\n$len\r\narg\r\n...`, binary-safe. */
export function encodeCommand(argv: readonly (string | Uint8Array)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const arg of argv) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg) : Buffer.from(arg);
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

/** A plaintext (inline) request line. Arguments must not need quoting: benchmarks use plain tokens. */
export function encodeInline(argv: readonly string[]): Buffer {
  return Buffer.from(`${argv.join(' ')}\r\n`);
}

export type ReplyFraming = 'resp' | 'line';

/** Incremental reply reader: feed chunks, get whole replies; partial input waits for the next chunk. */
export interface ReplyReader {
  /** Appends a chunk and returns every reply it completes, in order. */
  feed(chunk: Buffer): RespValue[];
}

export function createReplyReader(framing: ReplyFraming): ReplyReader {
  return framing === 'resp' ? new RespReader() : new LineReader();
}

const INCOMPLETE = -1;

class RespReader implements ReplyReader {
  private pending: Buffer = Buffer.alloc(0);

  feed(chunk: Buffer): RespValue[] {
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const replies: RespValue[] = [];
    let pos = 0;
    for (;;) {
      const parsed = parseValue(buf, pos);
      if (parsed === undefined) break;
      replies.push(parsed.value);
      pos = parsed.next;
    }
    this.pending = pos === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(pos));
    return replies;
  }
}

function lineEnd(buf: Buffer, from: number): number {
  const cr = buf.indexOf(13, from);
  return cr === -1 || cr + 1 >= buf.length ? INCOMPLETE : cr;
}

function parseValue(buf: Buffer, pos: number): { value: RespValue; next: number } | undefined {
  if (pos >= buf.length) return undefined;
  const end = lineEnd(buf, pos + 1);
  if (end === INCOMPLETE) return undefined;
  const type = buf[pos];
  const line = buf.toString('latin1', pos + 1, end);
  const afterLine = end + 2;
  switch (type) {
    case 0x2b: // '+'
      return { value: line, next: afterLine };
    case 0x2d: // '-'
      return { value: new RespError(line), next: afterLine };
    case 0x3a: // ':'
      return { value: Number(line), next: afterLine };
    case 0x24: {
      // '$'
      const len = Number(line);
      if (len < 0) return { value: null, next: afterLine };
      if (afterLine + len + 2 > buf.length) return undefined;
      return { value: buf.subarray(afterLine, afterLine + len), next: afterLine + len + 2 };
    }
    case 0x2a: {
      // '*'
      const count = Number(line);
      if (count < 0) return { value: null, next: afterLine };
      const items: RespValue[] = [];
      let next = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseValue(buf, next);
        if (item === undefined) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected RESP type byte 0x${(type ?? 0).toString(16)} at offset ${pos}`);
  }
}

/**
 * redis-lite's plaintext replies to single-value commands (GET/SET/PING): one line each; `(error) ...` is an
 * error, `(nil)` a missing value. Multi-element replies are not needed by the benchmarks.
 */
class LineReader implements ReplyReader {
  private pending = '';

  feed(chunk: Buffer): RespValue[] {
    const text = this.pending + chunk.toString('latin1');
    const replies: RespValue[] = [];
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl === -1) break;
      const line = text.slice(pos, nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
      pos = nl + 1;
      if (line.startsWith('(error) ')) replies.push(new RespError(line.slice(8)));
      else if (line === '(nil)') replies.push(null);
      else replies.push(line);
    }
    this.pending = text.slice(pos);
    return replies;
  }
}
