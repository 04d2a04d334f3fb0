// A subscribed client as the pub/sub hub sees it: its channels, patterns and shard channels (Redis's
// c->pubsub_channels, c->pubsub_patterns, c->pubsubshard_channels and the CLIENT_PUBSUB flag), and the target its
// messages are pushed to (its session). A message is built once and encoded at most once per protocol however
// many clients receive it. Knows replies and their encodings; nothing of threads or sockets.

import { bulk, bulkString, push, type Reply } from '../reply.js';
import { ByteWriter, encodeReply, type ReplyProtocol } from '../reply-encoding.js';

/** Where a client's pub/sub messages go: its session, which writes them in the client's protocol. */
export interface PushTarget {
  push(message: PushMessage): void;
  /**
   * Messages for this client were dropped: its thread fell too far behind (its mailbox overflowed). The
   * transport cuts the client, as Redis cuts a subscriber past its output buffer limit.
   */
  lost(): void;
}

/** Reply and bytes of one message: `>3 message <channel> <payload>` and its kin. */
export class PushMessage {
  private resp2: Buffer | null = null;
  private resp3: Buffer | null = null;
  private plain: Buffer | null = null;

  /**
   * `afterReply`: a MONITOR line, which Redis feeds once the command has replied, so a monitor's own command's
   * line follows that command's reply (a Pub/Sub message to the publisher itself precedes PUBLISH's reply).
   */
  constructor(
    readonly reply: Reply,
    readonly afterReply = false,
  ) {}

  /** The encoded message, shared by every receiver: never modify it. */
  bytes(protocol: ReplyProtocol): Buffer {
    const cached = protocol === 'resp2' ? this.resp2 : protocol === 'resp3' ? this.resp3 : this.plain;
    if (cached !== null) return cached;
    encodeReply(this.reply, protocol, scratch);
    const bytes = scratch.take();
    if (protocol === 'resp2') this.resp2 = bytes;
    else if (protocol === 'resp3') this.resp3 = bytes;
    else this.plain = bytes;
    return bytes;
  }
}

/** Messages are encoded here, then copied out: an encoding never borrows a session's writer. */
const scratch = new ByteWriter(4096);

const MESSAGE = bulkString('message');
const PMESSAGE = bulkString('pmessage');
const SMESSAGE = bulkString('smessage');

/** addReplyPubsubMessage: [message|smessage, channel, payload]. */
export function channelMessage(shard: boolean, channel: Uint8Array, payload: Uint8Array): PushMessage {
  return new PushMessage(push([shard ? SMESSAGE : MESSAGE, bulk(channel), bulk(payload)]));
}

/** addReplyPubsubPatMessage: [pmessage, pattern, channel, payload]. */
export function patternMessage(pattern: Uint8Array, channel: Uint8Array, payload: Uint8Array): PushMessage {
  return new PushMessage(push([PMESSAGE, bulk(pattern), bulk(channel), bulk(payload)]));
}

/** A name as a Map key: its bytes as latin1 text (one character per byte, so binary-safe). */
export const nameKey = (name: Uint8Array): string => Buffer.from(name).toString('latin1');

/** One client's subscriptions, in the order it made them (UNSUBSCRIBE without arguments leaves them so). */
export class ClientSubscriptions {
  readonly channels = new Map<string, Buffer>();
  readonly patterns = new Map<string, Buffer>();
  readonly shardChannels = new Map<string, Buffer>();
  /** CLIENT_PUBSUB: set by (P|S)SUBSCRIBE, cleared by the unsubscribe that leaves none. */
  active = false;
  /** Gone (disconnected, or RESET while a delivery was in progress): receives nothing more. */
  removed = false;

  constructor(readonly target: PushTarget) {}

  /** Channels and patterns: the count (P)SUBSCRIBE and (P)UNSUBSCRIBE replies carry (clientSubscriptionsCount). */
  get count(): number {
    return this.channels.size + this.patterns.size;
  }

  /** Every subscription, shard channels too (clientTotalPubSubSubscriptionCount). */
  get total(): number {
    return this.count + this.shardChannels.size;
  }
}

/** A target that keeps what it is given: for a client with no session (commands run directly, in tests). */
export class CollectingTarget implements PushTarget {
  readonly messages: Reply[] = [];
  lostMessages = false;

  push(message: PushMessage): void {
    this.messages.push(message.reply);
  }

  lost(): void {
    this.lostMessages = true;
  }
}
