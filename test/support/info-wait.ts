// Waiting on a server's INFO: a background job (an AOF rewrite, a BGSAVE) has no event a client can await, so
// tests ask INFO after each reply until a field says it is done, within a bounded number of rounds.

/** Anything that answers INFO <section> as text (an ioredis client). */
export interface InfoSource {
  info(section: string): Promise<string>;
}

/** The fields of one INFO section's text, in order. */
export function infoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/**
 * Resolves with the section's fields once `done` holds for them; each round is one INFO round trip (yielding
 * to the event loop between them), at most `rounds` of them.
 */
export async function untilInfo(
  client: InfoSource,
  section: string,
  done: (fields: Map<string, string>) => boolean,
  what: string,
  rounds = 200_000,
): Promise<Map<string, string>> {
  for (let round = 0; round < rounds; round++) {
    const fields = infoFields(await client.info(section));
    if (done(fields)) return fields;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`INFO ${section} never showed ${what}`);
}

/** Until no AOF rewrite is running nor scheduled; resolves with INFO persistence's fields then. */
export function untilRewriteIdle(client: InfoSource): Promise<Map<string, string>> {
  return untilInfo(
    client,
    'persistence',
    (f) => f.get('aof_rewrite_in_progress') === '0' && f.get('aof_rewrite_scheduled') === '0',
    'no AOF rewrite in progress or scheduled',
  );
}
