// Test helper: drives RequestParser the way Session does (append what arrived, parse while whole requests
// remain, keep the unconsumed tail), so every parser test can run whole and byte by byte through the same
// incremental path. The tail is moved to a fresh buffer at a varying offset on every feed, to check that the
// parser's partial state is relative to `start`. Not a test file itself.

import { RequestParser, type Framing, type ParserLimits } from '../../src/core/parser.js';

export type ParseEvent =
  | { kind: 'request'; argv: string[]; framing: Framing }
  | { kind: 'error'; message: string; framing: Framing; fatal: boolean };

export interface FeedOutcome {
  readonly events: ParseEvent[];
  /** Raw argv bytes of each request, copied out of the query buffer. */
  readonly argvs: Buffer[][];
  /** Total bytes fed when each event was produced. */
  readonly fedAt: number[];
  /** A fatal error closed the connection. */
  readonly closed: boolean;
  /** Unconsumed bytes left in the query buffer at the end. */
  readonly pending: number;
}

export interface FeedOptions {
  readonly limits?: ParserLimits;
  /** Pass the old start after 'incomplete' instead of its `end` (a caller ignoring `end` must still work). */
  readonly ignoreIncompleteEnd?: boolean;
}

/** Shows argv bytes as latin1 so tests can write expectations as strings (binary-safe, 1 char per byte). */
const show = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

export class Feeder {
  private readonly parser: RequestParser;
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  private fed = 0;
  private feeds = 0;
  closed = false;
  readonly events: ParseEvent[] = [];
  readonly argvs: Buffer[][] = [];
  readonly fedAt: number[] = [];

  constructor(private readonly options: FeedOptions = {}) {
    this.parser = new RequestParser(options.limits);
  }

  get pendingBytes(): number {
    return this.end - this.start;
  }

  feed(chunk: Uint8Array): void {
    if (this.closed) return;
    this.fed += chunk.length;
    this.feeds++;
    const pending = this.end - this.start;
    // Move the pending bytes to a fresh buffer at a varying offset when out of room, and every few feeds
    // while small (cheap), so tests exercise a moved query buffer; otherwise append in place as Session does.
    if (this.end + chunk.length > this.buf.length || (pending < 4096 && this.feeds % 5 === 0)) {
      const gap = this.feeds % 3;
      const grown = Buffer.alloc(Math.max(64, 2 * (gap + pending + chunk.length)), 0x2a);
      this.buf.copy(grown, gap, this.start, this.end);
      this.buf = grown;
      this.start = gap;
      this.end = gap + pending;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
    const view = this.buf.subarray(0, this.end);
    let start = this.start;
    while (start < this.end) {
      const r = this.parser.parse(view, start);
      if (r.kind === 'incomplete') {
        if (!this.options.ignoreIncompleteEnd) start = r.end;
        break;
      }
      start = r.end;
      this.fedAt.push(this.fed);
      if (r.kind === 'error') {
        this.events.push({ kind: 'error', message: r.message, framing: r.framing, fatal: r.fatal });
        if (r.fatal) {
          this.closed = true;
          break;
        }
        continue;
      }
      this.argvs.push(r.argv.map((a) => Buffer.from(a)));
      this.events.push({ kind: 'request', argv: r.argv.map(show), framing: r.framing });
    }
    this.start = this.closed ? this.end : start;
  }

  outcome(): FeedOutcome {
    return {
      events: this.events,
      argvs: this.argvs,
      fedAt: this.fedAt,
      closed: this.closed,
      pending: this.end - this.start,
    };
  }
}

/** Feeds `input` cut into chunks at the given sizes (the last size repeats), or whole. */
export function feedInChunks(
  input: Uint8Array,
  sizes: readonly number[] | 'whole',
  options?: FeedOptions,
): FeedOutcome {
  const feeder = new Feeder(options);
  if (sizes === 'whole') {
    feeder.feed(input);
    return feeder.outcome();
  }
  let i = 0;
  for (let k = 0; i < input.length; k++) {
    const size = Math.max(1, sizes[Math.min(k, sizes.length - 1)]);
    feeder.feed(input.subarray(i, i + size));
    i += size;
  }
  return feeder.outcome();
}

/** Feeds at the given cut points (sorted offsets inside input). */
export function feedAtCuts(input: Uint8Array, cuts: readonly number[], options?: FeedOptions): FeedOutcome {
  const feeder = new Feeder(options);
  let prev = 0;
  for (const cut of [...cuts, input.length]) {
    if (cut > prev) feeder.feed(input.subarray(prev, cut));
    prev = Math.max(prev, cut);
  }
  return feeder.outcome();
}

export const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/** RESP2 multibulk encoding of argv. */
export function encodeResp(argv: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [bytes(`*${argv.length}\r\n`)];
  for (const a of argv) parts.push(bytes(`$${a.length}\r\n`), Buffer.from(a), bytes('\r\n'));
  return Buffer.concat(parts);
}
