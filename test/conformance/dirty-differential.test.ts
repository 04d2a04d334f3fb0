// Redis's change count (server.dirty) against redis-server 7.0, for every transport: random write requests of every
// family (dirty-commands.ts), in forms that change something and forms that change nothing, alone or in MULTI/EXEC.
// After each one, INFO's rdb_changes_since_last_save must have moved by as much on both servers (SADD of 3 new
// members is 3, of members already there 0; DEL of 2 keys 2; HSET of the value already there 1; ...), and with the
// append-only file on, the file must have grown after the same requests on both: a write that changed nothing is
// not logged (server.c call() propagates only when dirty moved; FLUSHALL and FLUSHDB are forced). Replies are not
// compared (other suites do). A fixed seed in the suite (FC_SEED=random soaks: live-harness.ts fcParameters).
// Skipped without redis-server.

import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { AOF_DIR } from '../support/aof-dir.js';
import { fcParameters, numRuns, showArgv, timeoutFor, type LiveClient } from '../support/live-harness.js';
import { transports } from '../support/server.js';
import { dirtyUnit, OPENING, type Unit } from './dirty-commands.js';

const showUnit = (unit: Unit): string => unit.map(showArgv).join(' ; ');

/** rdb_changes_since_last_save from an INFO persistence reply. */
function changesIn(info: Buffer): number {
  const found = /rdb_changes_since_last_save:(\d+)\r\n/.exec(info.toString('latin1'));
  if (found === null) throw new Error('INFO persistence without rdb_changes_since_last_save');
  return Number(found[1]);
}

/** Each unit of the sequence with how far the change count moved over it. */
async function changes(client: LiveClient, sequence: readonly Unit[]): Promise<string[]> {
  const info = ['INFO', 'persistence'];
  const requests = [...OPENING, info, ...sequence.flatMap((unit) => [...unit, info])];
  const replies = await client.pipeline(requests);
  const counts: number[] = [];
  let at = OPENING.length;
  counts.push(changesIn(replies[at]));
  for (const unit of sequence) {
    at += unit.length + 1;
    counts.push(changesIn(replies[at]));
  }
  return sequence.map((unit, i) => `${showUnit(unit)} -> ${counts[i + 1] - counts[i]}`);
}

/** The bytes of the incremental files in `dir`'s append-only directory (where writes are logged). */
function incrementalBytes(dir: string): number {
  const aofDir = path.join(dir, AOF_DIR);
  return readdirSync(aofDir)
    .filter((name) => name.endsWith('.incr.aof'))
    .reduce((sum, name) => sum + statSync(path.join(aofDir, name)).size, 0);
}

/** Each unit of the sequence, sent on its own, with whether the append-only file grew while it ran. */
async function logged(client: LiveClient, dir: string, sequence: readonly Unit[]): Promise<string[]> {
  await client.pipeline(OPENING);
  const lines: string[] = [];
  for (const unit of sequence) {
    const before = incrementalBytes(dir);
    // The file is written before the replies go out (Redis's beforeSleep; redis-lite's endOfBatch).
    await client.pipeline(unit);
    lines.push(`${showUnit(unit)} -> ${incrementalBytes(dir) > before ? 'logged' : 'not logged'}`);
  }
  return lines;
}

const FIXED_SEED = 5113;
const RUNS = numRuns(30);

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: the change count and what is logged, as redis-server counts them',
  (transport) => {
    describe('rdb_changes_since_last_save', () => {
      const both = useBothServers(transport);

      it(
        'moves by as much as Redis after every write, whether it changed something or nothing',
        async () => {
          await fc.assert(
            fc.asyncProperty(fc.array(dirtyUnit, { minLength: 1, maxLength: 20 }), async (sequence) => {
              const [theirs, ours] = await Promise.all([
                changes(both.real, sequence),
                changes(both.lite, sequence),
              ]);
              expect(ours).toEqual(theirs);
            }),
            fcParameters(RUNS, FIXED_SEED),
          );
        },
        timeoutFor(RUNS, 500),
      );
    });

    describe('the append-only file', () => {
      const both = useBothServers(transport, {
        settings: { appendonly: 'yes', appendfsync: 'no' },
        ownDirs: true,
      });

      it(
        'logs a write only when it changed something, as Redis does',
        async () => {
          await fc.assert(
            fc.asyncProperty(fc.array(dirtyUnit, { minLength: 1, maxLength: 12 }), async (sequence) => {
              const [theirs, ours] = await Promise.all([
                logged(both.real, both.dirs.theirs, sequence),
                logged(both.lite, both.dirs.mine, sequence),
              ]);
              expect(ours).toEqual(theirs);
            }),
            fcParameters(RUNS, FIXED_SEED + 1),
          );
        },
        timeoutFor(RUNS, 1000),
      );
    });
  },
);
