// Encodes protocol-neutral Reply values as bytes, once, in the protocol the session chose for the request:
// RESP2 or RESP3 exactly as Redis 7.0 writes them, or plaintext lines in the style of redis-cli (docs/protocol.md).
// Also the byte-level quoting both sides of the plaintext protocol agree on (the inverse of parser.ts's
// splitArgs). Knows nothing of sockets, sessions or commands.

import { formatDouble } from './format-double.js';
import type { Reply } from './reply.js';

const CR = 0x0d;
const LF = 0x0a;
const INITIAL_SIZE = 16 * 1024;
/** take() hands a buffer this full over instead of copying it out. */
const HAND_OVER_SIZE = 64 * 1024;
/** rewind() lets a buffer larger than this go (one turn's replies to many clients grew it). */
const MAX_KEPT_SIZE = 1024 * 1024;
const HEX = '0123456789abcdef';

/**
 * A growable output buffer: replies are appended, then taken as one Buffer to write in one go. Bytes are lent
 * from `lentTo` on: those before it were lent already.
 */
export class ByteWriter {
  private buf: Buffer;
  private pos = 0;
  /** Where the bytes not yet lent start (always 0 unless lent bytes are kept: keepLentUntilRewind). */
  private lentTo = 0;
  private keepsLent = false;

  constructor(initialSize = INITIAL_SIZE) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Bytes written since the last lend or take. */
  get length(): number {
    return this.pos - this.lentTo;
  }

  /**
   * From now on a lent view stays valid until rewind(), not just until the next write: lend() moves on past what
   * it lent instead of starting the buffer again. For a transport that holds every client's replies until the end
   * of its loop's turn (eventloop/reply-turn.ts), so none of them is copied.
   */
  keepLentUntilRewind(): void {
    this.keepsLent = true;
  }

  /**
   * Every lent view has been written (or copied): the buffer starts again. Only between requests: bytes written
   * and not yet lent are kept. A buffer a big turn grew is let go.
   */
  rewind(): void {
    if (this.pos !== this.lentTo) return;
    this.pos = this.lentTo = 0;
    if (this.buf.length > MAX_KEPT_SIZE) this.buf = Buffer.allocUnsafe(INITIAL_SIZE);
  }

  /**
   * The bytes written since the last lend, without copying them: a view of the writer's own buffer, valid only
   * until the writer is written to again (copy it to keep it longer), or with keepLentUntilRewind, until rewind().
   * Output of HAND_OVER_SIZE or more is handed over for good, as by take().
   * Why: a transport that writes the bytes at once (almost every reply) needs no copy of them; at
   * redis-benchmark -P 1 the copy and its allocation were ~4% of the server's CPU (bench/results/eventloop-perf.md).
   */
  lend(): Buffer {
    const from = this.lentTo;
    const to = this.pos;
    if (to - from >= HAND_OVER_SIZE) return this.take();
    if (this.keepsLent) this.lentTo = to;
    else this.pos = 0;
    return this.buf.subarray(from, to);
  }

  /** Forgets the bytes written since the last lend (their producer failed). */
  discard(): void {
    this.pos = this.lentTo;
    if (this.pos === 0 && this.buf.length > HAND_OVER_SIZE) this.buf = Buffer.allocUnsafe(INITIAL_SIZE);
  }

  /** The bytes written since the last lend, as a Buffer the caller owns; the writer goes on after them. */
  take(): Buffer {
    const from = this.lentTo;
    const n = this.pos - from;
    if (n >= HAND_OVER_SIZE) {
      const out = this.buf.subarray(from, this.pos);
      this.buf = Buffer.allocUnsafe(INITIAL_SIZE);
      this.pos = this.lentTo = 0;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    this.buf.copy(out, 0, from, this.pos);
    this.pos = from;
    return out;
  }

  /**
   * A bigger buffer: only the bytes not yet lent move to it (lent views keep the old one alive), so a turn that
   * lends much does not keep doubling the buffer.
   */
  private grow(extra: number): void {
    const from = this.lentTo;
    const kept = this.pos - from;
    const needed = kept + extra;
    const size = needed * 2 > this.buf.length ? Math.max(needed, this.buf.length * 2) : this.buf.length;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, from, this.pos);
    this.buf = grown;
    this.pos = kept;
    this.lentTo = 0;
  }

  byte(b: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = b;
  }

  crlf(): void {
    if (this.pos + 2 > this.buf.length) this.grow(2);
    this.buf[this.pos++] = CR;
    this.buf[this.pos++] = LF;
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    if (n <= 32) {
      // Copying a few bytes by hand beats the native call's overhead.
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) buf[p++] = b[i];
    } else {
      this.buf.set(b, this.pos);
    }
    this.pos += n;
  }

  /**
   * A string, one byte per character (latin1: text made from argv with toString('latin1') turns back into
   * the same bytes); a character above U+00FF is written as UTF-8. With `sanitize`, CR and LF become
   * spaces, as Redis does for error and status lines so a line cannot be broken.
   */
  text(s: string, sanitize = false): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) {
        this.pos = p;
        this.text(
          s.slice(i).replace(/[^\u0000-\u00ff]+/g, (u) => Buffer.from(u).toString('latin1')),
          sanitize,
        );
        return;
      }
      buf[p++] = sanitize && (c === CR || c === LF) ? 0x20 : c;
    }
    this.pos = p;
  }

  /** A decimal integer. */
  integer(v: number | bigint): void {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
      this.text(typeof v === 'bigint' ? v.toString() : String(Math.trunc(v)));
      return;
    }
    if (v < 0) {
      this.byte(0x2d);
      v = -v;
    }
    if (v < 10) return this.byte(0x30 + v);
    let digits = 1;
    for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
    if (this.pos + digits > this.buf.length) this.grow(digits);
    let p = this.pos + digits;
    for (let t = v; p > this.pos; t = Math.floor(t / 10)) this.buf[--p] = 0x30 + (t % 10);
    this.pos += digits;
  }
}

const RESP_OK = Buffer.from('+OK\r\n');
const RESP_NIL = Buffer.from('$-1\r\n');
const RESP_NIL_ARRAY = Buffer.from('*-1\r\n');
const RESP3_NULL = Buffer.from('_\r\n');
const RESP3_TRUE = Buffer.from('#t\r\n');
const RESP3_FALSE = Buffer.from('#f\r\n');
const RESP_ONE = Buffer.from(':1\r\n');
const RESP_ZERO = Buffer.from(':0\r\n');
const PLAIN_NIL = Buffer.from('(nil)\n');
const PLAIN_ERROR = Buffer.from('(error) ');

/**
 * addReplyErrorFormat's sdstrim: CR and LF at the end of an error line (an argument quoted last, as in
 * "Unsupported option %s") are dropped; those inside become spaces (text's sanitize).
 */
const trimLineEnd = (line: string): string => line.replace(/[\r\n]+$/, '');
const PLAIN_INTEGER = Buffer.from('(integer) ');
const PLAIN_ARRAY = Buffer.from('(array) ');

/**
 * How a reply is written: RESP2 or RESP3 (HELLO's protover), or plaintext lines (docs/protocol.md). The session
 * picks one per request from its client (session.ts).
 */
export type ReplyProtocol = 'resp2' | 'resp3' | 'plain';

/** Appends one reply in the given protocol. */
export function encodeReply(reply: Reply, protocol: ReplyProtocol, out: ByteWriter): void {
  if (protocol === 'plain') encodePlain(reply, out);
  else encodeResp(reply, protocol === 'resp3', out);
}

/**
 * RESP2 or RESP3 as Redis 7.0 writes each kind (networking.c addReply*; redis.io/docs/reference/protocol-spec).
 * The kinds RESP2 lacks take the RESP2 form Redis gives them: a map flattened to an array, a double or a big
 * number as a bulk string, a boolean as 1 or 0, a verbatim string as a bulk of its text, a set or push as an
 * array, every null as a null bulk (or null array).
 */
function encodeResp(reply: Reply, resp3: boolean, out: ByteWriter): void {
  switch (reply.kind) {
    case 'bulk':
      out.byte(0x24); // $
      out.integer(reply.value.length);
      out.crlf();
      out.bytes(reply.value);
      out.crlf();
      return;
    case 'status':
      if (reply.value === 'OK') return out.bytes(RESP_OK);
      out.byte(0x2b); // +
      out.text(reply.value, true);
      out.crlf();
      return;
    case 'nil':
      return out.bytes(resp3 ? RESP3_NULL : RESP_NIL);
    case 'integer':
      out.byte(0x3a); // :
      out.integer(reply.value);
      out.crlf();
      return;
    case 'error':
      out.byte(0x2d); // -
      out.text(trimLineEnd(reply.value), true);
      out.crlf();
      return;
    case 'array':
      out.byte(0x2a); // *
      out.integer(reply.value.length);
      out.crlf();
      for (const element of reply.value) encodeResp(element, resp3, out);
      return;
    case 'nilArray':
      return out.bytes(resp3 ? RESP3_NULL : RESP_NIL_ARRAY);
    case 'map':
      out.byte(resp3 ? 0x25 : 0x2a); // % or *
      out.integer(resp3 ? reply.value.length : reply.value.length * 2);
      out.crlf();
      for (const [key, value] of reply.value) {
        encodeResp(key, resp3, out);
        encodeResp(value, resp3, out);
      }
      return;
    case 'set':
    case 'push':
      out.byte(resp3 ? (reply.kind === 'set' ? 0x7e : 0x3e) : 0x2a); // ~ or > or *
      out.integer(reply.value.length);
      out.crlf();
      for (const element of reply.value) encodeResp(element, resp3, out);
      return;
    case 'double':
      if (resp3) {
        out.byte(0x2c); // ,
        out.text(reply.text ?? formatDouble(reply.value));
        out.crlf();
        return;
      }
      return writeBulkText(reply.text ?? formatDouble(reply.value), out);
    case 'boolean':
      if (resp3) return out.bytes(reply.value ? RESP3_TRUE : RESP3_FALSE);
      return out.bytes(reply.value ? RESP_ONE : RESP_ZERO);
    case 'bigNumber':
      if (!resp3) return writeBulkText(reply.value.toString(), out);
      out.byte(0x28); // (
      out.text(reply.value.toString());
      out.crlf();
      return;
    case 'verbatim':
      if (!resp3) return encodeResp({ kind: 'bulk', value: reply.value }, false, out);
      out.byte(0x3d); // =
      out.integer(reply.value.length + 4);
      out.crlf();
      out.text(reply.format);
      out.byte(0x3a); // :
      out.bytes(reply.value);
      out.crlf();
      return;
    case 'pinned':
      return encodeResp(reply.value, reply.resp === 3, out);
    case 'sequence':
      for (const element of reply.value) encodeResp(element, resp3, out);
      return;
  }
}

function writeBulkText(text: string, out: ByteWriter): void {
  out.byte(0x24); // $
  out.integer(text.length);
  out.crlf();
  out.text(text);
  out.crlf();
}

/**
 * Plaintext, one line per reply (redis-cli style). An array is a header line "(array) N" followed by its N
 * elements, each encoded the same way (nested arrays recursively), so a line reader knows where it ends.
 * RESP3's kinds read as their RESP2 form (encodeResp), so a plaintext reader needs to know no more line
 * shapes than these, and a value line written back as an argument still parses to the same bytes: a map is
 * "(array) 2N" of keys and values, a set or push "(array) N", a double or big number its digits, a boolean
 * "(integer) 1" or "(integer) 0", a verbatim string its text as a value.
 * Except text for a person across several lines (a verbatim string holding a newline: INFO, CLIENT LIST): one
 * escaped line of it is unreadable, so it is a header line "(text) N" and its N lines as they are (each without
 * its "\r\n" or "\n"), which a line reader still delimits by the count.
 */
function encodePlain(reply: Reply, out: ByteWriter): void {
  switch (reply.kind) {
    case 'verbatim':
      if (reply.value.includes(LF)) return writeTextLines(reply.value, out);
      if (needsQuoting(reply.value)) writeQuoted(reply.value, out);
      else out.bytes(reply.value);
      break;
    case 'bulk':
      if (needsQuoting(reply.value)) writeQuoted(reply.value, out);
      else out.bytes(reply.value);
      break;
    case 'status':
      out.text(reply.value, true);
      break;
    case 'nil':
    case 'nilArray':
      return out.bytes(PLAIN_NIL);
    case 'integer':
      out.bytes(PLAIN_INTEGER);
      out.integer(reply.value);
      break;
    case 'boolean':
      out.bytes(PLAIN_INTEGER);
      out.integer(reply.value ? 1 : 0);
      break;
    case 'double':
      out.text(reply.text ?? formatDouble(reply.value));
      break;
    case 'bigNumber':
      out.text(reply.value.toString());
      break;
    case 'error':
      out.bytes(PLAIN_ERROR);
      out.text(trimLineEnd(reply.value), true);
      break;
    case 'array':
    case 'set':
    case 'push':
      out.bytes(PLAIN_ARRAY);
      out.integer(reply.value.length);
      out.byte(LF);
      for (const element of reply.value) encodePlain(element, out);
      return;
    case 'map':
      out.bytes(PLAIN_ARRAY);
      out.integer(reply.value.length * 2);
      out.byte(LF);
      for (const [key, value] of reply.value) {
        encodePlain(key, out);
        encodePlain(value, out);
      }
      return;
    case 'pinned':
      return encodePlain(reply.value, out);
    case 'sequence':
      for (const element of reply.value) encodePlain(element, out);
      return;
  }
  out.byte(LF);
}

const PLAIN_TEXT = Buffer.from('(text) ');

/** "(text) N", then the N lines of `text` raw; a final line break ends the last line, it does not start one. */
function writeTextLines(text: Uint8Array, out: ByteWriter): void {
  const lines: Uint8Array[] = [];
  for (let start = 0; start < text.length;) {
    let end = text.indexOf(LF, start);
    if (end < 0) end = text.length;
    const stop = end > start && text[end - 1] === CR ? end - 1 : end;
    lines.push(text.subarray(start, stop));
    start = end + 1;
  }
  out.bytes(PLAIN_TEXT);
  out.integer(lines.length);
  out.byte(LF);
  for (const line of lines) {
    out.bytes(line);
    out.byte(LF);
  }
}

/**
 * Whether a value must be double-quoted to be read back unambiguously: empty; any control byte, DEL,
 * space or tab (it would split or break the line); a quote anywhere (the inline grammar opens quoting in
 * mid-token too); or a leading '(' (it would look like "(nil)", "(integer) 1", ...). Bytes >= 0x80 stay raw.
 */
export function needsQuoting(value: Uint8Array): boolean {
  const n = value.length;
  if (n === 0 || value[0] === 0x28 /* ( */) return true;
  for (let i = 0; i < n; i++) {
    const c = value[i];
    if (c <= 0x20 || c === 0x7f || c === 0x22 || c === 0x27) return true;
  }
  return false;
}

/** Always double-quotes: `"` + escaped bytes + `"`; parses back (splitArgs) to exactly these bytes. */
export function quoteArgument(bytes: Uint8Array): Buffer {
  const out = new ByteWriter(bytes.length + 16);
  writeQuoted(bytes, out);
  return out.take();
}

/** \" \\ \n \r \t \b \a by name, other control bytes and DEL as \xHH (as redis-cli's sdscatrepr). */
function writeQuoted(bytes: Uint8Array, out: ByteWriter): void {
  out.byte(0x22);
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 0x22 || c === 0x5c) {
      out.byte(0x5c);
      out.byte(c);
    } else if (c >= 0x20 && c !== 0x7f) {
      out.byte(c);
    } else if (c === LF) {
      out.text('\\n');
    } else if (c === CR) {
      out.text('\\r');
    } else if (c === 0x09) {
      out.text('\\t');
    } else if (c === 0x08) {
      out.text('\\b');
    } else if (c === 0x07) {
      out.text('\\a');
    } else {
      out.text('\\x');
      out.byte(HEX.charCodeAt(c >> 4));
      out.byte(HEX.charCodeAt(c & 15));
    }
  }
  out.byte(0x22);
}
