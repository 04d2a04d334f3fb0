// One client connection's state and its parse loop, shared by every transport: bytes in, reply bytes out.
// The transport feeds whatever it read; the session appends it to the query buffer, runs every whole request
// it now holds (pipelining falls out of this loop), and returns the encoded replies to write in one go.
// It never touches a socket, a timer or a thread; partial requests simply wait in the query buffer.
// Replies follow the client, not the request's framing (docs/protocol.md): once a connection has sent one RESP
// request, every reply it gets is RESP (RESP2, or RESP3 after HELLO 3), its inline requests' too, as Redis
// answers; a connection that has only ever sent plaintext gets plaintext, unless inline-replies is 'resp'.

import { commandDone, repliesSilenced, replyWritten } from './client-reply.js';
import type { ClientState, ServerContext } from './command.js';
import { ClientContexts } from './command-context.js';
import { stopMonitoring } from './commands/monitor.js';
import { cachingSpent } from './commands/client-tracking.js';
import { execute } from './executor.js';
import { POSTPONED, type BlockedTarget } from './blocking/hub.js';
import { PushMessage, type PushTarget } from './pubsub/subscriber.js';
import { RequestParser, type Framing, type ParserLimits } from './parser.js';
import { requestKeys, scanRequestKeys } from './request-keys.js';
import { error, type Reply } from './reply.js';
import { ByteWriter, encodeReply, type ReplyProtocol } from './reply-encoding.js';
import type { KeyValueStore } from './store/types.js';
import { Transaction } from './transaction.js';

/** What a session needs from the server it belongs to. One per process or worker thread. */
export interface SessionCore {
  readonly store: KeyValueStore;
  readonly server: ServerContext;
  readonly limits: ParserLimits;
  /**
   * Reply bytes are encoded here, one writer per thread: receive() is synchronous and lends the bytes out
   * (see SessionOutput.bytes), so sessions never need a writer of their own (16 KB each would dominate an
   * idle client).
   */
  readonly writer: ByteWriter;
  /**
   * Called with each query buffer of QUERY_BUFFER_SHRINK_BYTES or more the session lets go of (grown past,
   * shrunk, or left at end()): nothing refers to it any more. A pool worker frees it at once, since an idle
   * worker thread never collects garbage; elsewhere the GC takes it.
   */
  readonly releaseBuffer?: (buffer: Buffer) => void;
  /**
   * The transport writes the append-only file's records out before it sends the replies (the event loop: once
   * per turn of the loop, for every client that turn served, log-write-out.ts); absent: at the end of each read.
   */
  readonly logWrittenByTransport?: boolean;
}

export interface ClientIdentity {
  /** Unique across the whole server (every thread). */
  readonly id: number;
  readonly addr: string;
  readonly laddr: string;
}

export interface SessionOutput {
  /**
   * Encoded replies to write, or null when there is nothing to send yet. Lent, not given: a view of the
   * thread's writer, valid until the next receive() on this thread. A transport that cannot write them at
   * once copies them (ByteWriter.lend explains why).
   */
  readonly bytes: Buffer | null;
  /** Close the connection once bytes are written (protocol error, QUIT). No further input is processed. */
  readonly close: boolean;
}

const NOTHING: SessionOutput = Object.freeze({ bytes: null, close: false });
/** The query buffer of every session with nothing pending: an idle client holds no buffer of its own. */
const EMPTY = Buffer.alloc(0);
/** A query buffer this large is not kept once the requests it held are served (Redis: PROTO_MBULK_BIG_ARG). */
export const QUERY_BUFFER_SHRINK_BYTES = 64 * 1024;
/** A query buffer up to this many times the last read is kept while requests stream in (keepRest). */
const STREAMING_READS = 4;

/** Pub/Sub messages that reached a session outside its requests, waiting for the transport to write them. */
interface PendingPushes {
  readonly chunks: Buffer[];
  bytes: number;
  /** Messages for it were dropped (its thread fell behind): the transport cuts the client. */
  lost: boolean;
}

export class Session implements PushTarget, BlockedTarget {
  readonly client: ClientState;
  /** The client's command contexts, one per database it has selected (and the server they share). */
  private readonly context: ClientContexts;
  private readonly parser: RequestParser;
  private readonly out: ByteWriter;
  private readonly releaseBuffer: ((buffer: Buffer) => void) | undefined;
  private readonly logWrittenByTransport: boolean;
  /** Unconsumed input: query[queryStart, queryEnd). Grows by doubling so a large request costs O(n). */
  private query: Buffer = EMPTY;
  private queryStart = 0;
  private queryEnd = 0;
  private closed = false;
  /** The client has sent a RESP request: from then on it is answered in RESP whatever a request's framing. */
  private speaksResp = false;
  /** Inside receive(): a message pushed now is written among the replies, in order. */
  private receiving = false;
  private pushes: PendingPushes | null = null;
  private pushListener: ((session: Session) => void) | null = null;
  /** MONITOR lines of the request being run, written after its reply (PushMessage.afterReply). */
  private afterReply: Buffer[] | null = null;
  /** Unblocked with requests still in the query buffer: the transport resumes it (resume()). */
  private resumable = false;

  constructor(core: SessionCore, identity: ClientIdentity) {
    const now = core.server.clock();
    this.client = {
      id: identity.id,
      addr: identity.addr,
      laddr: identity.laddr,
      name: '',
      db: 0,
      // Redis: a client connected while no password is set stays logged in if one is set later.
      authenticated: core.server.requirePass() === '',
      // The ACL hub (connected() below) sets these for the default user as it is now.
      user: 'default',
      userIncarnation: 1,
      aclUnrestricted: true,
      resp: 2,
      transaction: new Transaction(),
      closeAfterReply: false,
      lastCommand: 'NULL',
      queryBytes: 0,
      argv: null,
      createdAt: now,
      lastInteraction: now,
      pushTarget: this,
      blockedTarget: this,
    };
    this.context = new ClientContexts(core.store, this.client, core.server);
    this.parser = new RequestParser(core.limits);
    this.out = core.writer;
    this.releaseBuffer = core.releaseBuffer;
    this.logWrittenByTransport = core.logWrittenByTransport === true;
    core.server.tracking?.connected(this.client);
    core.server.acl?.connected(this.client);
  }

  /**
   * The connection is gone: let go of what the session holds in shared memory (its watched keys). The
   * transport calls this once, whatever ended the connection; receive() does nothing afterwards.
   */
  end(): void {
    this.closed = true;
    this.pushes = null;
    this.client.transaction.discard(this.context.current().store);
    this.context.server.blocking?.removeClient(this.client);
    if (this.client.pubsub !== undefined) this.context.server.pubsub?.removeClient(this.client.pubsub);
    stopMonitoring(this.context);
    this.context.server.tracking?.disconnected(this.client);
    this.context.server.acl?.disconnected(this.client);
    this.dropQuery(EMPTY);
    this.queryStart = this.queryEnd = 0;
  }

  // ---- Pub/Sub messages (PushTarget): written among the replies during a request, else held for the
  // transport, which hears of each (setPushListener) and writes them (takePushed) or cuts the client. ----

  push(message: PushMessage): void {
    // A client whose user was revoked gets nothing more (acl-hub.ts), whatever its transport does next.
    if (this.closed || this.client.aclRevoked === true) return;
    const bytes = message.bytes(this.pushProtocol());
    if (this.receiving) {
      if (message.afterReply) (this.afterReply ??= []).push(bytes);
      else this.out.bytes(bytes);
      return;
    }
    const pending = (this.pushes ??= { chunks: [], bytes: 0, lost: false });
    pending.chunks.push(bytes);
    pending.bytes += bytes.length;
    this.pushListener?.(this);
  }

  lost(): void {
    if (this.closed) return;
    (this.pushes ??= { chunks: [], bytes: 0, lost: false }).lost = true;
    this.pushListener?.(this);
  }

  /** `listener` is called whenever a message waits for this client outside its requests. */
  setPushListener(listener: (session: Session) => void): void {
    this.pushListener = listener;
  }

  /** The messages waiting, as one buffer the caller owns (they precede any later reply); null when none. */
  takePushed(): Buffer | null {
    const pending = this.pushes;
    if (pending === null || pending.chunks.length === 0) return null;
    const bytes = pending.chunks.length === 1 ? pending.chunks[0] : Buffer.concat(pending.chunks);
    this.pushes = pending.lost ? { chunks: [], bytes: 0, lost: true } : null;
    return bytes;
  }

  // ---- Blocking commands (BlockedTarget): a blocked session runs nothing until its reply comes ----

  /**
   * Served, timed out or unblocked: the reply goes out as a pushed message does (the transport hears of it and
   * writes it), then the requests that arrived meanwhile run (the transport calls resume()).
   */
  unblocked(reply: Buffer | Reply): void {
    if (this.closed) return;
    // The blocking command is done only now: CLIENT REPLY's skip for it is spent here (resetClient runs then).
    const silenced = repliesSilenced(this.client.replyModes);
    commandDone(this.client.replyModes);
    if (silenced) {
      if (this.receiving) return;
      // Nothing to write, but the requests that arrived meanwhile still wait for the transport to resume them.
      this.resumable = this.queryEnd > this.queryStart;
      this.pushListener?.(this);
      return;
    }
    const bytes = Buffer.isBuffer(reply) ? reply : new PushMessage(reply).bytes(this.pushProtocol());
    if (this.receiving) {
      // Served while its own request runs (its thread served it right after it blocked, a push having raced
      // its block): the reply goes out with this read's replies, and the loop goes on with what follows.
      this.out.bytes(bytes);
      return;
    }
    const pending = (this.pushes ??= { chunks: [], bytes: 0, lost: false });
    pending.chunks.push(bytes);
    pending.bytes += bytes.length;
    this.resumable = this.queryEnd > this.queryStart;
    this.pushListener?.(this);
  }

  replyProtocol(): ReplyProtocol {
    return this.pushProtocol();
  }

  /**
   * CLIENT PAUSE no longer holds the client: the transport resumes it (as after an unblock with nothing to write),
   * and its postponed request, left first in the query buffer, runs from the start.
   */
  postponeEnded(): void {
    if (this.closed) return;
    this.resumable = true;
    this.pushListener?.(this);
  }

  /** Blocked in BLPOP or its kin: its requests wait in the query buffer. */
  get blocked(): boolean {
    return this.client.blocked === true;
  }

  /** Unblocked with requests waiting: resume() runs them (the transport asks after writing the reply). */
  get needsResume(): boolean {
    return this.resumable && !this.blocked;
  }

  /** Runs the requests that waited while the client was blocked, as if they had just been read. */
  resume(): SessionOutput {
    this.resumable = false;
    return this.receive(EMPTY, 0);
  }

  /**
   * Its user was deleted or lost a channel it is subscribed to, on any thread (acl-hub.ts): the transport
   * disconnects it at once, even while it sends nothing (a subscriber).
   */
  get mustClose(): boolean {
    return this.client.aclRevoked === true;
  }

  /** Bytes of messages waiting for the transport. */
  get pushedBytes(): number {
    return this.pushes?.bytes ?? 0;
  }

  /** Messages for this client were dropped: the transport should cut it. */
  get lostPushes(): boolean {
    return this.pushes?.lost ?? false;
  }

  /** In subscribed state (Redis's pubsub client class): the pub/sub output buffer limit applies to it. */
  get subscribed(): boolean {
    return this.client.pubsub?.active === true;
  }

  /** In MONITOR mode: it receives lines between its requests, as a subscriber does (the normal output limit). */
  get monitoring(): boolean {
    return this.client.monitor === true;
  }

  /** Tracking keys (CLIENT TRACKING ON): invalidations from other threads reach it between its requests. */
  get tracking(): boolean {
    return this.client.tracking?.on === true;
  }

  /** Messages are written in the protocol the client's replies are (see the top of this file). */
  private pushProtocol(): ReplyProtocol {
    if (!this.speaksResp && this.context.server.inlineReplies() === 'plain') return 'plain';
    return this.client.resp === 3 ? 'resp3' : 'resp2';
  }

  /** Bytes waiting in the query buffer (CLIENT LIST qbuf=). */
  get queryBufferLength(): number {
    return this.queryEnd - this.queryStart;
  }

  /**
   * Feeds received bytes, chunk[0, length) (a transport passes its read buffer and the length read: making a
   * view of it per read cost ~0.15 us of the hybrid's 1.5 us of user time per request at -P 1, measured with
   * bench/cpu-profile.ts); runs every whole request now buffered and returns their encoded replies. A throw
   * (a bug: commands' own failures are replies) ends the session, its replies of this read discarded: the
   * writer is the thread's, and the next client's reply must not carry them.
   */
  receive(chunk: Buffer, length: number = chunk.length): SessionOutput {
    if (this.closed) return NOTHING;
    if (this.client.blocked === true) {
      // Redis reads a blocked client's input into its query buffer and processes none of it until unblocked.
      if (length > 0) this.append(length === chunk.length ? chunk : chunk.subarray(0, length));
      return NOTHING;
    }
    // ACL users another thread changed since this thread last looked (one shared load otherwise): this client's
    // user may be gone, and then it runs nothing more.
    const acl = this.context.server.acl;
    if (acl !== undefined) {
      acl.setServing(this.client);
      acl.sync();
      if (this.client.aclRevoked === true) {
        acl.setServing(null);
        this.closed = true;
        return { bytes: null, close: true };
      }
    }
    this.receiving = true;
    // Client-side caching: this client's own invalidations follow its replies (tracking/hub.ts).
    this.context.server.tracking?.begin(this.client);
    try {
      // Messages published before this request go out before its reply: those already here, then those other
      // threads left in this thread's mailbox (published before the request was sent, so before it was read).
      const pushed = this.pushes === null ? null : this.takePushed();
      if (pushed !== null) this.out.bytes(pushed);
      this.context.server.pubsub?.drain();
      const output = this.run(chunk, length);
      // appendfsync always: what this read's commands logged is on disk before their replies go out, with one
      // sync for all of them (group commit).
      if (!this.logWrittenByTransport) this.context.server.aof?.endOfBatch();
      return output;
    } catch (e) {
      this.closed = true;
      this.afterReply = null;
      this.out.discard();
      throw e;
    } finally {
      this.receiving = false;
      acl?.setServing(null);
      this.context.server.tracking?.leave();
    }
  }

  private run(chunk: Buffer, length: number): SessionOutput {
    // Once per read, as Redis's readQueryFromClient does (a partial request counts as activity): CLIENT LIST
    // idle= and the transports' idle timeout read it. Not per command: a clock read per request showed up.
    this.client.lastInteraction = this.context.server.clock();
    let buf: Buffer;
    let start: number;
    let end: number;
    if (this.queryEnd === this.queryStart) {
      // Nothing pending: parse straight from the chunk, no copy.
      buf = chunk;
      start = 0;
      end = length;
    } else {
      this.append(length === chunk.length ? chunk : chunk.subarray(0, length));
      buf = this.query;
      start = this.queryStart;
      end = this.queryEnd;
    }
    // Pipelined requests over a dataset bigger than the caches: their keys' memory is brought into the cache
    // together first (store/warm-keys.ts).
    this.client.queryBytes = end - start;
    const store = this.context.current().store;
    if (store.keysWorthWarming?.() === true && scanRequestKeys(buf, start, end, requestKeys) > 1) {
      store.warmKeys!(buf, requestKeys);
    }
    let close = false;
    while (start < end) {
      const requestStart = start;
      // Per request: an AUTH earlier in this read lifts the limits on what follows it.
      this.parser.unauthenticated = !this.client.authenticated && this.authRequired();
      const result = this.parser.parse(buf, start, end);
      if (result.kind === 'incomplete') {
        start = result.end; // blank lines before a partial request are consumed too
        break;
      }
      start = result.end;
      if (result.kind === 'error') {
        // A protocol error is an error reply like any other: Redis counts it in errorstats (addReplyError).
        this.context.server.counters?.errorReplied(result.message);
        const protocol = this.protocolFor(result.framing);
        if (!repliesSilenced(this.client.replyModes)) encodeReply(error(result.message), protocol, this.out);
        if (result.fatal) {
          close = true;
          break;
        }
        continue;
      }
      // Known before it runs: a blocking command records the protocol its later reply is written in.
      if (result.framing === 'resp') this.speaksResp = true;
      this.client.argv = result.argv;
      const reply = execute(result.argv, this.context.current());
      if (reply === POSTPONED) {
        // Unrun, as Redis keeps a postponed client's command: it waits in the query buffer with what follows it.
        start = requestStart;
        break;
      }
      if (this.client.tracking !== undefined) cachingSpent(this.client);
      // Chosen after the command ran: HELLO's own reply is in the protocol it switches to, as in Redis.
      const protocol = this.protocolFor(result.framing);
      if (replyWritten(this.client.replyModes, reply)) encodeReply(reply, protocol, this.out);
      // A blocked command is done when it is unblocked (unblocked()).
      if (this.client.blocked !== true) commandDone(this.client.replyModes);
      if (this.afterReply !== null) this.writeAfterReply();
      if (this.client.closeAfterReply) {
        close = true;
        break;
      }
      if (this.client.blocked === true) break; // the rest waits in the query buffer until it is unblocked
    }
    this.keepRest(buf, start, end, close, length);
    this.client.argv = null; // views of this read's bytes: not kept past it
    // The batch is done (Redis's beforeSleep): broadcasting clients get the keys it wrote, after its replies.
    this.context.server.tracking?.end();
    if (close) this.closed = true;
    const bytes = this.out.length > 0 ? this.out.lend() : null;
    return bytes === null && !close ? NOTHING : { bytes, close };
  }

  /** networking.c authRequired's server half: the default user needs a password (or is off). */
  private authRequired(): boolean {
    const acl = this.context.server.acl;
    return acl === undefined ? this.context.server.requirePass() !== '' : acl.authRequired;
  }

  private writeAfterReply(): void {
    for (const bytes of this.afterReply!) this.out.bytes(bytes);
    this.afterReply = null;
  }

  /** The protocol a reply to a request of this framing is written in (see the top of this file). */
  private protocolFor(framing: Framing): ReplyProtocol {
    if (framing === 'resp') this.speaksResp = true;
    else if (!this.speaksResp && this.context.server.inlineReplies() === 'plain') return 'plain';
    return this.client.resp === 3 ? 'resp3' : 'resp2';
  }

  /**
   * Keeps the unparsed tail for the next chunk, compacting so the buffer never holds consumed bytes. `read` is what
   * the read just served brought: a buffer a few reads long is kept for the next ones.
   */
  private keepRest(buf: Buffer, start: number, end: number, close: boolean, read: number): void {
    if (close || start >= end) {
      this.queryStart = this.queryEnd = 0;
      if (this.query.length >= QUERY_BUFFER_SHRINK_BYTES) this.dropQuery(EMPTY); // a big request's buffer goes
      return;
    }
    if (buf !== this.query) {
      this.queryStart = this.queryEnd = 0;
      this.append(buf.subarray(start, end));
      return;
    }
    this.queryStart = start;
    // A big buffer whose big request was served, with only a short tail (the next request's start) left. Not one
    // that a few reads fill: a client streaming pipelined requests leaves a tail after nearly every read, and each
    // read would allocate a buffer twice its size and shrink it again (in a hybrid loop thread, 15 MB more RSS at
    // maxmemory under bench/eviction.ts's write load: the freed buffers waiting in its malloc arena).
    const pending = end - start;
    if (
      this.query.length >= QUERY_BUFFER_SHRINK_BYTES &&
      pending * 4 <= this.query.length &&
      this.query.length > STREAMING_READS * read
    ) {
      const smaller = Buffer.allocUnsafe(Math.max(pending * 2, 4096));
      this.query.copy(smaller, 0, start, end);
      this.queryStart = 0;
      this.queryEnd = pending;
      this.dropQuery(smaller);
    }
  }

  /** Replaces the query buffer, handing the old one, if big, to the transport's releaseBuffer. */
  private dropQuery(next: Buffer): void {
    const old = this.query;
    this.query = next;
    if (old.length >= QUERY_BUFFER_SHRINK_BYTES) this.releaseBuffer?.(old);
  }

  private append(chunk: Buffer): void {
    const pending = this.queryEnd - this.queryStart;
    const needed = pending + chunk.length;
    if (this.queryEnd + chunk.length > this.query.length) {
      // Grown (doubling) when the bytes do not fit or the unfinished request fills half of it, so a big request costs
      // O(n); otherwise the short tail moves to the front, and a streaming client keeps its buffer.
      if (needed > this.query.length || pending > this.query.length / 2) {
        const grown = Buffer.allocUnsafe(Math.max(needed * 2, 4096));
        this.query.copy(grown, 0, this.queryStart, this.queryEnd);
        this.dropQuery(grown);
      } else {
        this.query.copyWithin(0, this.queryStart, this.queryEnd);
      }
      this.queryStart = 0;
      this.queryEnd = pending;
    }
    chunk.copy(this.query, this.queryEnd);
    this.queryEnd += chunk.length;
  }
}
