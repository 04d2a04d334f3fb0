// The keyspace events a write sequence publishes, as `event key` lines in order: what the integration suites compare
// with the events redis-server publishes for the same commands.

import type { Redis } from 'ioredis';

/** The key whose SET ends a sequence: its event is the sign that every earlier one has arrived. */
const MARKER = 'marker';

/**
 * The events of database 0 that `subscriber` receives while `write` runs (notify-keyspace-events set by the caller),
 * up to the SET of a marker key that `writer` sends after it, which is not listed.
 */
export async function keyEventsOf(
  subscriber: Redis,
  writer: Redis,
  write: () => Promise<unknown>,
): Promise<string[]> {
  const events: string[] = [];
  const done = new Promise<void>((resolve) => {
    subscriber.on('pmessage', (_pattern: string, channel: string, key: string) => {
      if (key === MARKER) resolve();
      else events.push(`${channel.slice('__keyevent@0__:'.length)} ${key}`);
    });
  });
  await subscriber.psubscribe('__keyevent@0__:*');
  await write();
  await writer.set(MARKER, '1');
  await done;
  return events;
}
