// What a blocked client waits for, as the registry stores it: the pop to run for it when one of its keys is
// ready (Redis keeps the same in c->bpop: the keys, the target of BLMOVE, the ends, the count), who it is and
// which thread serves it, so any thread that pushes can run that pop and mail the reply. Fixed little-endian
// layout in the shared buffer; the encode/decode pair and the key match are the only code that knows it.

import type { ReplyProtocol } from '../reply-encoding.js';

/** The blocking command a record serves, which decides the pop and the shape of its reply. */
export type BlockingKind =
  /** BLPOP / BRPOP: [key, element]. */
  | 'pop'
  /** BLMPOP: [key, [elements]]. */
  | 'mpop'
  /** BLMOVE / BRPOPLPUSH: the element, moved to the destination. */
  | 'move'
  /** BZPOPMIN / BZPOPMAX: [key, member, score]. */
  | 'zpop'
  /** BZMPOP: [key, [[member, score], ...]]. */
  | 'zmpop'
  /** WAIT (BLOCKED_WAIT): no keys; it ends by its timeout or CLIENT UNBLOCK, answered 0 replicas. */
  | 'wait'
  /** XREAD BLOCK (BLOCKED_STREAM): the entries after its ID of the first key to get some, nothing removed. */
  | 'xread'
  /** XREADGROUP BLOCK with `>`: the entries past its group's last ID, delivered to its consumer. */
  | 'xreadgroup';

const KINDS: readonly BlockingKind[] = [
  'pop',
  'mpop',
  'move',
  'zpop',
  'zmpop',
  'wait',
  'xread',
  'xreadgroup',
];
const PROTOCOLS: readonly ReplyProtocol[] = ['resp2', 'resp3', 'plain'];

/** The pop itself, whoever runs it (the client at once, or a pusher on any thread later). */
export interface BlockedRequest {
  readonly kind: BlockingKind;
  readonly db: number;
  /** The keys it waits on, in the order given (a key ready first serves it, whatever its place). */
  readonly keys: readonly Buffer[];
  /** Pop from the head (LEFT / MIN) or the tail (RIGHT / MAX). */
  readonly fromHead: boolean;
  /** BLMOVE: push to the head (LEFT) or the tail of the destination. */
  readonly toHead: boolean;
  /** BLMPOP / BZMPOP COUNT; 1 otherwise. */
  readonly count: number;
  /** BLMOVE's destination, else null. */
  readonly destination: Buffer | null;
  /** XREAD: per key, the ID its entries must be above (`$` resolved when it blocked). */
  readonly streamIds?: readonly bigint[];
  /** XREAD: answered as a RESP3 map of key to entries (else RESP2's array of [key, entries]). */
  readonly mapReply?: boolean;
  /** XREADGROUP: its group, its consumer and NOACK. */
  readonly group?: { readonly name: Buffer; readonly consumer: Buffer; readonly noack: boolean };
}

/** A blocked client: its request, and where its reply goes. */
export interface BlockedRecord extends BlockedRequest {
  readonly clientId: number;
  /** The endpoint (thread) serving the client: whose mailbox its reply goes to. */
  readonly endpoint: number;
  /** The protocol its replies are written in, fixed when it blocked. */
  readonly protocol: ReplyProtocol;
  /** It has a timeout (INFO clients_in_timeout_table counts these). */
  readonly timed: boolean;
}

// size u32 | endpoint i32 | clientId f64 | kind u8 | fromHead u8 | toHead u8 | protocol u8 | db u32 | count u32
// | key count u32 | destination length i32 (-1: none) | timed u8 | stream flags u8 (1: IDs follow, 2: map reply,
// 4: a group follows, 8: NOACK), 2 bytes free | keys: (length u32, bytes padded to 4)... | destination (padded to
// 4) | XREAD: 16 bytes per key | XREADGROUP: group and consumer (length u32, bytes padded to 4)
const R_SIZE = 0;
const R_ENDPOINT = 4;
const R_CLIENT = 8;
const R_KIND = 16;
const R_FROM_HEAD = 17;
const R_TO_HEAD = 18;
const R_PROTOCOL = 19;
const R_DB = 20;
const R_COUNT = 24;
const R_KEYS = 28;
const R_DESTINATION = 32;
const R_TIMED = 36;
const R_STREAM_FLAGS = 37;
const HEADER = 40;
const ID_BYTES = 16;

const pad4 = (n: number): number => (n + 3) & ~3;

export function encodeRecord(record: BlockedRecord): Uint8Array {
  let size = HEADER;
  for (const key of record.keys) size += 4 + pad4(key.length);
  if (record.destination !== null) size += pad4(record.destination.length);
  if (record.streamIds !== undefined) size += ID_BYTES * record.streamIds.length;
  if (record.group !== undefined)
    size += 8 + pad4(record.group.name.length) + pad4(record.group.consumer.length);
  size = (size + 7) & ~7;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(R_SIZE, size, true);
  view.setInt32(R_ENDPOINT, record.endpoint, true);
  view.setFloat64(R_CLIENT, record.clientId, true);
  bytes[R_KIND] = KINDS.indexOf(record.kind);
  bytes[R_FROM_HEAD] = record.fromHead ? 1 : 0;
  bytes[R_TO_HEAD] = record.toHead ? 1 : 0;
  bytes[R_PROTOCOL] = PROTOCOLS.indexOf(record.protocol);
  view.setUint32(R_DB, record.db, true);
  view.setUint32(R_COUNT, record.count, true);
  view.setUint32(R_KEYS, record.keys.length, true);
  view.setInt32(R_DESTINATION, record.destination === null ? -1 : record.destination.length, true);
  bytes[R_TIMED] = record.timed ? 1 : 0;
  bytes[R_STREAM_FLAGS] =
    (record.streamIds !== undefined ? 1 : 0) |
    (record.mapReply === true ? 2 : 0) |
    (record.group !== undefined ? 4 : 0) |
    (record.group?.noack === true ? 8 : 0);
  let at = HEADER;
  for (const key of record.keys) {
    view.setUint32(at, key.length, true);
    bytes.set(key, at + 4);
    at += 4 + pad4(key.length);
  }
  if (record.destination !== null) {
    bytes.set(record.destination, at);
    at += pad4(record.destination.length);
  }
  for (const id of record.streamIds ?? []) {
    view.setBigUint64(at, id >> 64n);
    view.setBigUint64(at + 8, id & 0xffffffffffffffffn);
    at += ID_BYTES;
  }
  if (record.group !== undefined) {
    for (const name of [record.group.name, record.group.consumer]) {
      view.setUint32(at, name.length, true);
      bytes.set(name, at + 4);
      at += 4 + pad4(name.length);
    }
  }
  return bytes;
}

function dataView(view: Uint8Array): DataView {
  return new DataView(view.buffer, view.byteOffset, view.byteLength);
}

export function decodeRecord(view: Uint8Array, at: number): BlockedRecord {
  const data = dataView(view);
  const keyCount = data.getUint32(at + R_KEYS, true);
  const destinationLength = data.getInt32(at + R_DESTINATION, true);
  const keys: Buffer[] = [];
  let offset = at + HEADER;
  for (let i = 0; i < keyCount; i++) {
    const length = data.getUint32(offset, true);
    keys.push(Buffer.from(view.subarray(offset + 4, offset + 4 + length)));
    offset += 4 + pad4(length);
  }
  const streamFlags = view[at + R_STREAM_FLAGS];
  const destination =
    destinationLength < 0 ? null : Buffer.from(view.subarray(offset, offset + destinationLength));
  const stream: Pick<BlockedRecord, 'streamIds' | 'mapReply' | 'group'> = {};
  if ((streamFlags & 5) !== 0 && destinationLength > 0) offset += pad4(destinationLength);
  if ((streamFlags & 1) !== 0) {
    const streamIds: bigint[] = [];
    for (let i = 0; i < keyCount; i++, offset += ID_BYTES) {
      streamIds.push((data.getBigUint64(offset) << 64n) | data.getBigUint64(offset + 8));
    }
    Object.assign(stream, { streamIds });
  }
  if ((streamFlags & 3) !== 0) Object.assign(stream, { mapReply: (streamFlags & 2) !== 0 });
  if ((streamFlags & 4) !== 0) {
    const names: Buffer[] = [];
    for (let k = 0; k < 2; k++) {
      const length = data.getUint32(offset, true);
      names.push(Buffer.from(view.subarray(offset + 4, offset + 4 + length)));
      offset += 4 + pad4(length);
    }
    Object.assign(stream, { group: { name: names[0], consumer: names[1], noack: (streamFlags & 8) !== 0 } });
  }
  return {
    ...stream,
    clientId: data.getFloat64(at + R_CLIENT, true),
    endpoint: data.getInt32(at + R_ENDPOINT, true),
    kind: KINDS[view[at + R_KIND]],
    fromHead: view[at + R_FROM_HEAD] === 1,
    toHead: view[at + R_TO_HEAD] === 1,
    protocol: PROTOCOLS[view[at + R_PROTOCOL]],
    db: data.getUint32(at + R_DB, true),
    count: data.getUint32(at + R_COUNT, true),
    timed: view[at + R_TIMED] === 1,
    keys,
    destination,
  };
}

/** The record's client id, read without decoding the rest. */
export function recordClientId(view: Uint8Array, at: number): number {
  return dataView(view).getFloat64(at + R_CLIENT, true);
}

/** The database the record's client waits in, read without decoding the rest. */
export function recordDatabase(view: Uint8Array, at: number): number {
  return dataView(view).getUint32(at + R_DB, true);
}

/** Whether the record at `at` waits on `key` in `db`, compared in place (no copy per record). */
export function recordWaitsOn(view: Uint8Array, at: number, db: number, key: Uint8Array): boolean {
  const data = dataView(view);
  if (data.getUint32(at + R_DB, true) !== db) return false;
  const keyCount = data.getUint32(at + R_KEYS, true);
  let offset = at + HEADER;
  for (let i = 0; i < keyCount; i++) {
    const length = data.getUint32(offset, true);
    if (length === key.length && sameBytes(view, offset + 4, key)) return true;
    offset += 4 + pad4(length);
  }
  return false;
}

function sameBytes(view: Uint8Array, at: number, key: Uint8Array): boolean {
  for (let i = 0; i < key.length; i++) if (view[at + i] !== key[i]) return false;
  return true;
}
