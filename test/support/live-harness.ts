// Test fixture for property tests against live servers: frames and decodes reply streams of both framings
// (RESP2 and RESP3, plaintext), encodes requests in both framings (its own quoting, sharing no code with src/ so
// a bug there cannot hide in both), and builds the expected RESP bytes of a reply. Its LiveClient knows that
// replies follow the client (a connection that has sent RESP is answered in RESP). Only bytes on a socket: no
// server internals.

import { RawClient, resp } from './raw-client.js';

export type Framing = 'resp' | 'inline';
export type Arg = string | Uint8Array;

/** A request for a failure message or a fast-check log: text words as they are, byte words quoted (latin1). */
export const showArgv = (argv: readonly Arg[]): string =>
  argv.map((a) => (typeof a === 'string' ? a : JSON.stringify(Buffer.from(a).toString('latin1')))).join(' ');

/**
 * A reply as a client sees it. Plaintext cannot tell a status from a bulk: those decode to 'bulk'. The RESP3
 * kinds keep what is needed to write their bytes back exactly (a double's text as sent).
 */
export type Value =
  | { readonly type: 'status'; readonly text: string }
  | { readonly type: 'error'; readonly text: string }
  | { readonly type: 'integer'; readonly value: bigint }
  | { readonly type: 'bulk'; readonly bytes: Buffer }
  /** RESP2 null bulk `$-1`; plaintext `(nil)`. */
  | { readonly type: 'nil' }
  /** RESP2 null array `*-1`. */
  | { readonly type: 'nilArray' }
  | { readonly type: 'array'; readonly items: readonly Value[] }
  /** RESP3 `_`. */
  | { readonly type: 'null' }
  | { readonly type: 'map'; readonly entries: readonly (readonly [Value, Value])[] }
  | { readonly type: 'set'; readonly items: readonly Value[] }
  | { readonly type: 'push'; readonly items: readonly Value[] }
  | { readonly type: 'double'; readonly text: string }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'bignum'; readonly text: string }
  | { readonly type: 'verbatim'; readonly format: string; readonly bytes: Buffer };

export const v = {
  ok: { type: 'status', text: 'OK' } as Value,
  nil: { type: 'nil' } as Value,
  status: (text: string): Value => ({ type: 'status', text }),
  error: (text: string): Value => ({ type: 'error', text }),
  int: (value: number | bigint): Value => ({ type: 'integer', value: BigInt(value) }),
  bulk: (bytes: Arg): Value => ({ type: 'bulk', bytes: Buffer.from(bytes) }),
  array: (items: readonly Value[]): Value => ({ type: 'array', items }),
};

/** The run count for a property: FC_NUM_RUNS overrides the small CI default. */
export function numRuns(ciDefault: number): number {
  const raw = process.env.FC_NUM_RUNS;
  return raw === undefined || raw === '' ? ciDefault : Math.max(1, Number(raw));
}

/**
 * fast-check's parameters for a differential property: `ciRuns` runs (FC_NUM_RUNS overrides) from a fixed seed,
 * so the suite sends the same requests every time and a failure replays; FC_SEED=<n> replays seed n, and
 * FC_SEED=random draws a fresh seed per run (a soak: fast-check prints the seed of a failure).
 */
export function fcParameters(ciRuns: number, fixedSeed: number): { numRuns: number; seed?: number } {
  const seed = process.env.FC_SEED;
  const runs = numRuns(ciRuns);
  if (seed === 'random') return { numRuns: runs };
  return { numRuns: runs, seed: seed === undefined || seed === '' ? fixedSeed : Number(seed) };
}

/** A vitest timeout for a property of `runs` runs: the default 30 s, raised for soak runs (FC_NUM_RUNS). */
export function timeoutFor(runs: number, msPerRun: number): number {
  return 30_000 + runs * msPerRun;
}

// ---- requests ----

/** Always double-quoted, every byte outside printable ASCII as \xHH: the plaintext grammar of docs/protocol.md. */
export function quote(arg: Arg): string {
  let out = '"';
  for (const c of Buffer.from(arg)) {
    if (c === 0x22 || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return `${out}"`;
}

/** One plaintext request line: the command name bare, arguments quoted only where needed (or always). */
export function inline(argv: readonly Arg[], alwaysQuote = false): Buffer {
  const parts = argv.map((arg, i) => {
    const b = Buffer.from(arg);
    const plain = b.length > 0 && b.every((c) => c > 0x20 && c < 0x7f && c !== 0x22 && c !== 0x27);
    return i === 0 || (plain && !alwaysQuote) ? b.toString('latin1') : quote(b);
  });
  return Buffer.from(`${parts.join(' ')}\r\n`, 'latin1');
}

export function encodeRequest(argv: readonly Arg[], framing: Framing): Buffer {
  return framing === 'resp' ? resp(...argv) : inline(argv);
}

// ---- reply framing ----

function lineEnd(buf: Buffer, from: number): number {
  const at = buf.indexOf(0x0a, from);
  return at < 0 ? -1 : at + 1;
}

/** RESP type bytes whose header counts the elements that follow (a map's pairs count twice). */
const AGGREGATES: Record<number, number> = { 0x2a: 1, 0x7e: 1, 0x3e: 1, 0x25: 2, 0x7c: 2 }; // * ~ > % |
/** RESP type bytes whose header is a length of raw bytes that follow: $ = ! */
const BLOBS = new Set([0x24, 0x3d, 0x21]);

/**
 * The length of the RESP2 or RESP3 reply starting at `from` (0: at the start), or -1 when more bytes are
 * needed. An attribute (`|`) is framed with the reply it precedes.
 */
export function respFrame(buf: Buffer, from = 0): number {
  const end = lineEnd(buf, from);
  if (end < 0) return -1;
  const type = buf[from];
  const header = buf.toString('latin1', from + 1, end - 2);
  if (BLOBS.has(type)) {
    const n = Number(header);
    if (n < 0) return end - from;
    return buf.length >= end + n + 2 ? end + n + 2 - from : -1;
  }
  const per = AGGREGATES[type];
  if (per !== undefined) {
    let at = end;
    for (let i = 0; i < Number(header) * per; i++) {
      const n = respFrame(buf, at);
      if (n < 0) return -1;
      at += n;
    }
    if (type !== 0x7c) return at - from;
    const rest = respFrame(buf, at);
    return rest < 0 ? -1 : at + rest - from;
  }
  return end - from;
}

/** Sends `commands` in one write (a pipeline) and returns each reply's bytes, framed by respFrame. */
export async function pipelineReplies(client: RawClient, commands: readonly string[][]): Promise<string[]> {
  await client.send(Buffer.concat(commands.map((argv) => resp(...argv))));
  const replies: string[] = [];
  for (let i = 0; i < commands.length; i++) {
    replies.push((await client.readFramed((b) => respFrame(b))).toString('latin1'));
  }
  return replies;
}

/** The length of the plaintext reply at `from`: one line, "(array) N" and N replies, or "(text) N" and N lines. */
export function plainFrame(buf: Buffer, from = 0): number {
  const end = lineEnd(buf, from);
  if (end < 0) return -1;
  const text = /^\(text\) (\d+)\n$/.exec(buf.toString('latin1', from, end));
  if (text !== null) {
    let at = end;
    for (let i = 0; i < Number(text[1]); i++) {
      at = lineEnd(buf, at);
      if (at < 0) return -1;
    }
    return at - from;
  }
  const m = /^\(array\) (\d+)\n$/.exec(buf.toString('latin1', from, end));
  if (m === null) return end - from;
  let at = end;
  for (let i = 0; i < Number(m[1]); i++) {
    const n = plainFrame(buf, at);
    if (n < 0) return -1;
    at += n;
  }
  return at - from;
}

// ---- decoding ----

export function decodeResp(buf: Buffer): Value {
  const [value, end] = respAt(buf, 0);
  if (end !== buf.length)
    throw new Error(`trailing bytes after a RESP reply: ${JSON.stringify(buf.toString('latin1'))}`);
  return value;
}

function respItems(buf: Buffer, from: number, count: number): [Value[], number] {
  const items: Value[] = [];
  let at = from;
  for (let i = 0; i < count; i++) {
    const [item, next] = respAt(buf, at);
    items.push(item);
    at = next;
  }
  return [items, at];
}

function respAt(buf: Buffer, from: number): [Value, number] {
  const end = lineEnd(buf, from);
  const header = buf.toString('latin1', from + 1, end - 2);
  switch (buf[from]) {
    case 0x2b:
      return [v.status(header), end];
    case 0x2d:
      return [v.error(header), end];
    case 0x3a:
      return [v.int(BigInt(header)), end];
    case 0x24: {
      const n = Number(header);
      if (n < 0) return [v.nil, end];
      return [v.bulk(buf.subarray(end, end + n)), end + n + 2];
    }
    case 0x2a: {
      if (Number(header) < 0) return [{ type: 'nilArray' }, end];
      const [items, at] = respItems(buf, end, Number(header));
      return [v.array(items), at];
    }
    case 0x5f: // _
      return [{ type: 'null' }, end];
    case 0x25: {
      // %
      const [flat, at] = respItems(buf, end, Number(header) * 2);
      const entries = flat.flatMap((k, i) => (i % 2 === 0 ? [[k, flat[i + 1]] as const] : []));
      return [{ type: 'map', entries }, at];
    }
    case 0x7e: // ~
    case 0x3e: {
      // >
      const [items, at] = respItems(buf, end, Number(header));
      return [{ type: buf[from] === 0x7e ? 'set' : 'push', items }, at];
    }
    case 0x2c: // ,
      return [{ type: 'double', text: header }, end];
    case 0x23: // #
      return [{ type: 'boolean', value: header === 't' }, end];
    case 0x28: // (
      return [{ type: 'bignum', text: header }, end];
    case 0x3d: {
      // =
      const n = Number(header);
      const body = buf.subarray(end, end + n);
      const value: Value = {
        type: 'verbatim',
        format: body.toString('latin1', 0, 3),
        bytes: Buffer.from(body.subarray(4)),
      };
      return [value, end + n + 2];
    }
    default:
      throw new Error(`not a RESP reply: ${JSON.stringify(buf.toString('latin1'))}`);
  }
}

/** Undoes the "..." quoting of a plaintext value; throws on anything docs/protocol.md does not allow. */
function unquote(text: string): Buffer {
  const out: number[] = [];
  const named: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, a: 7, '"': 0x22, '\\': 0x5c };
  for (let i = 1; i < text.length - 1; i++) {
    const c = text[i];
    if (c !== '\\') {
      out.push(text.charCodeAt(i));
      continue;
    }
    const e = text[++i];
    if (e === 'x') {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (named[e] !== undefined) out.push(named[e]);
    else throw new Error(`bad escape \\${e} in ${text}`);
  }
  return Buffer.from(out);
}

/** A raw (unquoted) plaintext value must be one docs/protocol.md allows raw: the reader could not misread it. */
function mustBeQuoted(b: Buffer): boolean {
  return b.length === 0 || b.some((c) => c < 0x20 || c === 0x7f) || [0x22, 0x27, 0x28].includes(b[0]);
}

export function decodePlain(buf: Buffer): Value {
  const [value, end] = plainAt(buf, 0);
  if (end !== buf.length)
    throw new Error(`trailing bytes after a plaintext reply: ${buf.toString('latin1')}`);
  return value;
}

function plainAt(buf: Buffer, from: number): [Value, number] {
  const end = lineEnd(buf, from);
  const line = buf.subarray(from, end - 1);
  const text = line.toString('latin1');
  let m: RegExpExecArray | null;
  if (text === '(nil)') return [v.nil, end];
  if ((m = /^\(integer\) (-?\d+)$/.exec(text)) !== null) return [v.int(BigInt(m[1])), end];
  if (text.startsWith('(error) ')) return [v.error(text.slice(8)), end];
  if ((m = /^\(array\) (\d+)$/.exec(text)) !== null) {
    const items: Value[] = [];
    let at = end;
    for (let i = 0; i < Number(m[1]); i++) {
      const [item, next] = plainAt(buf, at);
      items.push(item);
      at = next;
    }
    return [v.array(items), at];
  }
  if ((m = /^\(text\) (\d+)$/.exec(text)) !== null) {
    // Text of several lines (INFO): its lines, each given back its "\n" (the "\r" before it is not kept).
    let at = end;
    for (let i = 0; i < Number(m[1]); i++) at = lineEnd(buf, at);
    return [v.bulk(buf.subarray(end, at)), at];
  }
  if (text.startsWith('"')) return [v.bulk(unquote(text)), end];
  if (mustBeQuoted(line))
    throw new Error(`a value that must be quoted was written raw: ${JSON.stringify(text)}`);
  return [v.bulk(line), end];
}

/** Plaintext cannot tell a status from a bulk, nor a null array from a null: compare those alike. */
export function asPlain(value: Value): Value {
  if (value.type === 'status') return v.bulk(value.text);
  if (value.type === 'nilArray') return v.nil;
  if (value.type === 'array') return v.array(value.items.map(asPlain));
  return value;
}

/** A printable form for assertion messages and toEqual (Buffers as latin1 JSON). */
export function show(value: Value): unknown {
  switch (value.type) {
    case 'bulk':
      return { bulk: value.bytes.toString('latin1') };
    case 'integer':
      return { integer: value.value.toString() };
    case 'array':
      return { array: value.items.map(show) };
    default:
      return value;
  }
}

const aggregate = (prefix: string, count: number, items: readonly Value[]): Buffer =>
  Buffer.concat([Buffer.from(`${prefix}${count}\r\n`), ...items.map(respBytes)]);

/** The exact RESP bytes of a reply, as Redis 7 writes them (RESP3 kinds in RESP3). */
export function respBytes(value: Value): Buffer {
  switch (value.type) {
    case 'status':
      return Buffer.from(`+${value.text}\r\n`);
    case 'error':
      return Buffer.from(`-${value.text}\r\n`);
    case 'integer':
      return Buffer.from(`:${value.value}\r\n`);
    case 'nil':
      return Buffer.from('$-1\r\n');
    case 'nilArray':
      return Buffer.from('*-1\r\n');
    case 'bulk':
      return Buffer.concat([Buffer.from(`$${value.bytes.length}\r\n`), value.bytes, Buffer.from('\r\n')]);
    case 'array':
      return aggregate('*', value.items.length, value.items);
    case 'null':
      return Buffer.from('_\r\n');
    case 'map':
      return aggregate('%', value.entries.length, value.entries.flat());
    case 'set':
      return aggregate('~', value.items.length, value.items);
    case 'push':
      return aggregate('>', value.items.length, value.items);
    case 'double':
      return Buffer.from(`,${value.text}\r\n`);
    case 'boolean':
      return Buffer.from(`#${value.value ? 't' : 'f'}\r\n`);
    case 'bignum':
      return Buffer.from(`(${value.text}\r\n`);
    case 'verbatim':
      return Buffer.concat([
        Buffer.from(`=${value.bytes.length + 4}\r\n${value.format}:`),
        value.bytes,
        Buffer.from('\r\n'),
      ]);
  }
}

// ---- a client that speaks both framings ----

export class LiveClient {
  /** This connection has sent a RESP request: from then on every reply is RESP, whatever a request's framing. */
  private speaksResp = false;

  constructor(readonly raw: RawClient) {}

  static async connect(port: number): Promise<LiveClient> {
    return new LiveClient(await RawClient.connect(port));
  }

  /**
   * The framing the reply to a request sent now in `framing` comes in: replies follow the client, so RESP once
   * this connection has sent a RESP request (docs/protocol.md; Redis answers everything in RESP). Call it once per
   * request, in the order they are sent.
   */
  replyFraming(framing: Framing): Framing {
    if (framing === 'resp') this.speaksResp = true;
    return this.speaksResp ? 'resp' : 'inline';
  }

  /** Sends one request and returns the raw bytes of its one reply. */
  async call(argv: readonly Arg[], framing: Framing = 'resp'): Promise<Buffer> {
    return (await this.exchange(argv, framing)).bytes;
  }

  /** Sends one request and decodes its reply. */
  async value(argv: readonly Arg[], framing: Framing = 'resp'): Promise<Value> {
    const { bytes, replyFraming } = await this.exchange(argv, framing);
    return replyFraming === 'resp' ? decodeResp(bytes) : decodePlain(bytes);
  }

  private async exchange(
    argv: readonly Arg[],
    framing: Framing,
  ): Promise<{ bytes: Buffer; replyFraming: Framing }> {
    const replyFraming = this.replyFraming(framing);
    await this.raw.send(encodeRequest(argv, framing));
    const bytes = await this.raw.readFramed(replyFraming === 'resp' ? respFrame : plainFrame);
    return { bytes, replyFraming };
  }

  /** Sends many requests in one write and returns their replies' raw bytes, in order. */
  async pipeline(requests: readonly (readonly Arg[])[], framing: Framing = 'resp'): Promise<Buffer[]> {
    return (await this.exchangeMany(requests, framing)).map((r) => r.bytes);
  }

  /** Sends many requests in one write and returns their replies decoded, in order. */
  async pipelineValues(requests: readonly (readonly Arg[])[], framing: Framing = 'resp'): Promise<Value[]> {
    const replies = await this.exchangeMany(requests, framing);
    return replies.map((r) => (r.replyFraming === 'resp' ? decodeResp(r.bytes) : decodePlain(r.bytes)));
  }

  private async exchangeMany(
    requests: readonly (readonly Arg[])[],
    framing: Framing,
  ): Promise<{ bytes: Buffer; replyFraming: Framing }[]> {
    const replyFramings = requests.map(() => this.replyFraming(framing));
    await this.raw.send(Buffer.concat(requests.map((argv) => encodeRequest(argv, framing))));
    const out: { bytes: Buffer; replyFraming: Framing }[] = [];
    for (const replyFraming of replyFramings) {
      const bytes = await this.raw.readFramed(replyFraming === 'resp' ? respFrame : plainFrame);
      out.push({ bytes, replyFraming });
    }
    return out;
  }

  close(): Promise<unknown> {
    this.raw.destroy();
    return this.raw.closed;
  }
}

/** Rejects with `message` if `promise` has not settled within `ms` (a liveness bound, not a wait). */
export async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} (no answer within ${ms} ms)`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
