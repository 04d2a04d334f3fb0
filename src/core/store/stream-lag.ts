// A consumer group's progress figures (t_stream.c streamRangeHasTombstones, streamEstimateDistanceFromFirstEverEntry,
// streamReplyWithCGLag): its entries-read counter as XREADGROUP advances it, and its lag, known only while no
// deleted entry lies ahead of it. Pure over the stream's figures.

import { INVALID_ENTRIES_READ } from './stream-groups.js';
import { MAX_ID, type StreamId } from './stream-id.js';

/** A group's progress: the live and the plain group both have it. */
interface GroupProgress {
  lastId: StreamId;
  entriesRead: number;
}

/** The stream figures these need. */
export interface StreamFigures {
  readonly length: number;
  readonly entriesAdded: number;
  readonly lastId: StreamId;
  readonly firstId: StreamId;
  readonly maxDeletedId: StreamId;
}

/** Whether a deleted entry may lie in [start, end] (null: the ends). */
export function rangeHasTombstones(s: StreamFigures, start: StreamId | null, end: StreamId | null): boolean {
  if (s.length === 0 || s.maxDeletedId === 0n) return false;
  if (s.firstId > s.maxDeletedId) return false;
  return (start ?? 0n) <= s.maxDeletedId && s.maxDeletedId <= (end ?? MAX_ID);
}

/** The entries-read counter of `id` when it can be known, else INVALID_ENTRIES_READ. */
export function estimateDistance(s: StreamFigures, id: StreamId): number {
  if (s.entriesAdded === 0) return 0;
  if (s.length === 0 && id <= s.lastId) return s.entriesAdded;
  if (id === s.lastId) return s.entriesAdded;
  if (id > s.lastId) return INVALID_ENTRIES_READ;
  if (s.maxDeletedId === 0n || s.maxDeletedId < s.firstId) {
    if (id < s.firstId) return s.entriesAdded - s.length;
    if (id === s.firstId) return s.entriesAdded - s.length + 1;
  }
  return INVALID_ENTRIES_READ;
}

/** The group's lag, or null when it cannot be known. */
export function groupLag(s: StreamFigures, group: GroupProgress): number | null {
  if (s.entriesAdded === 0) return 0;
  if (group.entriesRead !== INVALID_ENTRIES_READ && !rangeHasTombstones(s, group.lastId, null)) {
    return s.entriesAdded - group.entriesRead;
  }
  const read = estimateDistance(s, group.lastId);
  return read === INVALID_ENTRIES_READ ? null : s.entriesAdded - read;
}

/** XREADGROUP delivering `id` past the group's last ID: its counter and last ID move on. */
export function advanceGroup(s: StreamFigures, group: GroupProgress, id: StreamId): void {
  if (group.entriesRead !== INVALID_ENTRIES_READ && !rangeHasTombstones(s, id, null)) group.entriesRead++;
  else if (s.entriesAdded !== 0) group.entriesRead = estimateDistance(s, id);
  group.lastId = id;
}
