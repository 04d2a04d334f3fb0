// What client-side caching sends (tracking.c sendTrackingMessage) and the bytes its mail between threads
// carries. A RESP3 client gets `>2 invalidate <keys>`; a RESP2 REDIRECT target in subscribed state gets a
// `message` on __redis__:invalidate whose payload is the same array; a flush sends a null instead of the array,
// in the tracking client's own protocol (Redis writes shared.null[c->resp] of the client that tracked, even into
// a target of the other protocol). Knows replies; nothing of tables, threads or sockets.

import { PushMessage } from '../pubsub/subscriber.js';
import {
  array,
  bulk,
  bulkString,
  integer,
  NIL,
  pinned,
  push,
  type Reply,
  type RespVersion,
} from '../reply.js';
import { readU32, writeU32 } from '../store/byte-words.js';

export const INVALIDATE_CHANNEL = Buffer.from('__redis__:invalidate');
const INVALIDATE = bulkString('invalidate');
const MESSAGE = bulkString('message');
const CHANNEL = bulk(INVALIDATE_CHANNEL);
const REDIR_BROKEN = bulkString('tracking-redir-broken');

/** The invalidated keys, or null for "every key" (a flush), written in the tracking client's protocol. */
export type Invalidated = readonly Uint8Array[] | null;

function payload(keys: Invalidated, trackerResp: RespVersion): Reply {
  return keys === null ? pinned(trackerResp, NIL) : array(keys.map(bulk));
}

/**
 * The message for `target`, or null when it can get none: RESP3 gets a push; RESP2 only as a REDIRECT target
 * in subscribed state (RESP2 has no pushes on a connection that is not subscribed).
 */
export function invalidationFor(
  target: { readonly resp: RespVersion; readonly subscribed: boolean },
  redirected: boolean,
  keys: Invalidated,
  trackerResp: RespVersion,
  afterReply: boolean,
): PushMessage | null {
  if (target.resp === 3) return new PushMessage(push([INVALIDATE, payload(keys, trackerResp)]), afterReply);
  if (redirected && target.subscribed)
    return new PushMessage(push([MESSAGE, CHANNEL, payload(keys, trackerResp)]), afterReply);
  return null;
}

/** `>2 tracking-redir-broken <id>`: the REDIRECT target is gone (RESP3 tracking clients only). */
export function redirectBroken(redirect: number, afterReply: boolean): PushMessage {
  return new PushMessage(push([REDIR_BROKEN, integer(redirect)]), afterReply);
}

// ---- TRACKING_DELIVER mail: [target id: f64][tracker's RESP: u8][1: a flush], then the keys, each
// [length: u32][bytes]. ----

export interface Delivery {
  readonly target: number;
  readonly trackerResp: RespVersion;
  readonly keys: Invalidated;
}

export function encodeDelivery(delivery: Delivery): { channel: Buffer; message: Buffer } {
  const channel = Buffer.alloc(10);
  channel.writeDoubleLE(delivery.target, 0);
  channel[8] = delivery.trackerResp;
  channel[9] = delivery.keys === null ? 1 : 0;
  const keys = delivery.keys ?? [];
  const message = Buffer.alloc(keys.reduce((n, key) => n + 4 + key.length, 0));
  let at = 0;
  for (const key of keys) {
    writeU32(message, at, key.length);
    message.set(key, at + 4);
    at += 4 + key.length;
  }
  return { channel, message };
}

export function decodeDelivery(channel: Buffer, message: Buffer): Delivery {
  const target = channel.readDoubleLE(0);
  const trackerResp = channel[8] === 3 ? 3 : 2;
  if (channel[9] === 1) return { target, trackerResp, keys: null };
  const keys: Buffer[] = [];
  for (let at = 0; at < message.length;) {
    const length = readU32(message, at);
    keys.push(message.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return { target, trackerResp, keys };
}
