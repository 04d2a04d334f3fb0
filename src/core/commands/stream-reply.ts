// The reply shapes the stream commands share: an entry as [id, [field, value, ...]], and XREAD's answer of
// several streams, a RESP3 map of key to entries or RESP2's array of [key, entries] (xreadCommand builds one or
// the other by the client's protocol, so it is chosen here, not by the encoder). Pure.

import { array, bulk, map, type Reply } from '../reply.js';
import { idBuffer } from '../store/stream-id.js';
import type { StreamEntry } from '../store/stream.js';

/** An entry as Redis replies it: [id, [field, value, ...]]. */
export function entryReply(entry: StreamEntry): Reply {
  return array([bulk(entry.idText ?? idBuffer(entry.id)), array(entry.fields.map(bulk))]);
}

/** XREAD's reply for the streams that had entries, in order; `asMap` for a RESP3 client. */
export function streamsReply(
  streams: readonly (readonly [Buffer, readonly StreamEntry[]])[],
  asMap: boolean,
): Reply {
  const pairs = streams.map(([key, entries]) => [bulk(key), array(entries.map(entryReply))] as const);
  return asMap ? map(pairs) : array(pairs.map((pair) => array(pair)));
}
