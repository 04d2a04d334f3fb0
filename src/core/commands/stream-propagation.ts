// What the consumer-group commands that deliver or claim entries are logged as (Redis 7.0's t_stream.c: they
// prevent their own propagation and alsoPropagate these instead): an XCLAIM ... FORCE JUSTID per entry a group's
// PEL gained, changed or dropped (streamPropagateXCLAIM), XGROUP SETID ... ENTRIESREAD when the group's last ID
// moved with no XCLAIM to carry it (streamPropagateGroupID), XGROUP CREATECONSUMER for a consumer a NOACK read
// made (streamPropagateConsumerCreation). Replaying them gives the same PEL, owners, delivery times and counts
// and last ID whatever the stream's entries then. Pure: values in, argv out; the commands decide when.

import { idBuffer, type StreamId } from '../store/stream-id.js';

type Argv = Buffer[];

const word = (s: string): Buffer => Buffer.from(s, 'latin1');
const XCLAIM = word('XCLAIM');
const XGROUP = word('XGROUP');
const ZERO = word('0');
const TIME = word('TIME');
const RETRYCOUNT = word('RETRYCOUNT');
const FORCE = word('FORCE');
const JUSTID = word('JUSTID');
const LASTID = word('LASTID');
const SETID = word('SETID');
const ENTRIESREAD = word('ENTRIESREAD');
const CREATECONSUMER = word('CREATECONSUMER');

/** A pending entry as it stands after the change being logged. */
export interface PendingState {
  readonly deliveryTime: number;
  readonly deliveryCount: number;
}

/**
 * XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE JUSTID LASTID last-id. `id`: the argument as the
 * client sent it where XCLAIM names it (Redis passes c->argv[j] through), else the ID formatted.
 */
export function xclaimLine(
  key: Buffer,
  group: Buffer,
  consumer: Buffer,
  id: Buffer | StreamId,
  pending: PendingState,
  groupLastId: StreamId,
): Argv {
  return [
    XCLAIM,
    key,
    group,
    consumer,
    ZERO,
    typeof id === 'bigint' ? idBuffer(id) : id,
    TIME,
    word(String(pending.deliveryTime)),
    RETRYCOUNT,
    word(String(pending.deliveryCount)),
    FORCE,
    JUSTID,
    LASTID,
    idBuffer(groupLastId),
  ];
}

/** XGROUP SETID key group last-id ENTRIESREAD n. */
export function setIdLine(key: Buffer, group: Buffer, lastId: StreamId, entriesRead: number): Argv {
  return [XGROUP, SETID, key, group, idBuffer(lastId), ENTRIESREAD, word(String(entriesRead))];
}

/** XGROUP CREATECONSUMER key group consumer. */
export function createConsumerLine(key: Buffer, group: Buffer, consumer: Buffer): Argv {
  return [XGROUP, CREATECONSUMER, key, group, consumer];
}
