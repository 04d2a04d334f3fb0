// Scripted differential tests: one "step" (a request, or several sent together such as MULTI ... EXEC) sent to
// a server, followed by ECHO of a mark, so that the step's whole reply is every byte before the mark's reply,
// whatever its shape and however many replies it holds. Used to compare redis-lite with redis-server byte for
// byte. Knows RESP requests and raw sockets; nothing of either server.

import { type RawClient, resp } from './raw-client.js';

const MARK = 'end-of-step';
const MARK_REPLY = Buffer.from(`$${MARK.length}\r\n${MARK}\r\n`);

/** A request's arguments: text (sent as UTF-8) or bytes (a DUMP payload). */
export type StepArgs = readonly (string | Uint8Array)[];

/** Sends the requests of one step then ECHO MARK; returns the step's whole reply as latin1 text. */
export async function step(client: RawClient, requests: readonly StepArgs[]): Promise<string> {
  await client.send(Buffer.concat([...requests.map((argv) => resp(...argv)), resp('ECHO', MARK)]));
  const bytes = await client.readFramed((received) => {
    const at = received.indexOf(MARK_REPLY);
    return at < 0 ? -1 : at + MARK_REPLY.length;
  });
  return bytes.subarray(0, bytes.length - MARK_REPLY.length).toString('latin1');
}

/**
 * Runs one step on Redis (`theirs`) and on redis-lite (`mine`) and returns both replies labelled with the
 * requests, ready for `expect(mine).toBe(theirs)`: a failure names the step.
 */
export async function stepBoth(
  theirs: RawClient,
  mine: RawClient,
  requests: readonly StepArgs[],
): Promise<{ theirs: string; mine: string }> {
  const word = (arg: string | Uint8Array): string =>
    typeof arg === 'string' ? arg : `<${arg.length} bytes>`;
  const name = requests.map((argv) => argv.map(word).join(' ')).join(' | ');
  const expected = await step(theirs, requests);
  return { theirs: `${name} -> ${expected}`, mine: `${name} -> ${await step(mine, requests)}` };
}
