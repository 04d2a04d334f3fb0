// Replays the append-only files into the store at start-up (Redis 7.0's loadAppendOnlyFiles), in steps, so the
// server answers clients (-LOADING) between them: the base (its RDB straight into the store, every key as it was,
// expired or not: its commands replay with no expiry) and then each incremental file, each file's commands through
// a session of its own whose replies nobody reads, on a core that writes no file. What to load and how a file is
// read are aof-loader.ts's; the manifest is already loaded (and a single old file adopted) by then.

import path from 'node:path';
import type { Config } from '../config.js';
import { decodeRdb } from '../rdb/file.js';
import { RdbFormatError } from '../rdb/format.js';
import { writeStoreValue } from '../rdb/store-io.js';
import { Session } from '../session.js';
import type { KeyValueStore } from '../store/types.js';
import type { ThreadCore } from '../thread-core.js';
import { readAof, type AofLoadPlan } from './aof-loader.js';

export interface ReplayDeps {
  readonly store: KeyValueStore;
  readonly config: Config;
  /** A core that logs nothing (appendOnly false), made once for the whole load. */
  replayCore(): ThreadCore;
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

/** Commands are handed to the session in pieces of this many bytes, a step each (the server answers between). */
const CHUNK = 1 << 20;

/** Yields the bytes loaded so far (loading_loaded_bytes); throws AofFormatError for a file it cannot load. */
export function* replayAppendOnlyFiles(deps: ReplayDeps, plan: AofLoadPlan): Generator<number, void> {
  const { store, config } = deps;
  const loadTruncated = config.string('aof-load-truncated') === 'yes';
  const checksum = config.string('rdbchecksum') === 'yes';
  const core = deps.replayCore();
  let done = 0;
  for (let i = 0; i < plan.files.length; i++) {
    const file = plan.files[i];
    const began = process.hrtime.bigint();
    const contents = readAof(file.path, {
      loadTruncated,
      last: i === plan.files.length - 1,
      loadPreamble: (bytes) => {
        const libraries: Buffer[] = [];
        const end = decodeRdb(
          bytes,
          (db, entry) => writeStoreValue(store.select(db), entry.key, entry.value, entry.expireAt),
          { checksum, functions: (code) => libraries.push(code) },
        ).end;
        // The base's function libraries, as rdbLoad creates them (a failure fails the load).
        const failed =
          libraries.length === 0 ? null : (core.server.functions?.restore(libraries, 'append') ?? null);
        if (failed !== null) throw new RdbFormatError(`Failed loading library, ${failed.error}`);
        return end;
      },
    });
    if (contents === null) continue; // listed files were all there when the plan was made
    if (contents.truncatedBytes > 0) {
      deps.warn(
        { file: file.name, droppedBytes: contents.truncatedBytes },
        `!!! Warning: short read while loading the AOF file ${file.name}!!! Truncated it before its last ` +
          `command, cut short; loaded anyway because aof-load-truncated is enabled`,
      );
    }
    // What precedes the commands (a base's RDB) is loaded already: progress counts from there.
    const preamble = Math.max(0, file.size - contents.commands.length - contents.truncatedBytes);
    done += preamble;
    yield done;
    const session = new Session(core.sessionCore(), { id: 0, addr: 'aof', laddr: 'aof' });
    for (let at = 0; at < contents.commands.length; at += CHUNK) {
      const end = Math.min(at + CHUNK, contents.commands.length);
      session.receive(contents.commands.subarray(at, end));
      yield done + end;
    }
    session.end();
    done += contents.commands.length + contents.truncatedBytes;
    const seconds = Number(process.hrtime.bigint() - began) / 1e9;
    const kind = i === 0 && plan.manifest.base !== null ? 'base' : 'incr';
    deps.info(
      { file: path.basename(file.path) },
      `DB loaded from ${kind} file ${file.name}: ${seconds.toFixed(3)} seconds`,
    );
  }
}
