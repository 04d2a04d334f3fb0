// What redis-server 7.0.15 reports of each of its commands (COMMAND INFO's categories, tips and key specs;
// COMMAND DOCS's summary, complexity, history and argument tree), read from the generated reference
// (redis-command-reference.generated.ts, made by scripts/generate-command-reference.mjs from Redis's command JSON
// files). Parsed on first use and kept: only COMMAND's subcommands ask, and start-up should not pay for them.
// Knows nothing of redis-lite's own command table; commands/introspection.ts joins the two.

import { REDIS_COMMAND_REFERENCE_JSON } from './redis-command-reference.generated.js';

/** One argument of COMMAND DOCS (server.c addReplyCommandArgList), with Redis's field names in camel case. */
export interface ReferenceArgument {
  readonly name: string;
  readonly type: string;
  readonly keySpecIndex?: number;
  readonly token?: string;
  readonly summary?: string;
  readonly since?: string;
  readonly deprecatedSince?: string;
  /** optional, multiple, multiple_token, in that order. */
  readonly flags?: readonly string[];
  /** For oneof and block. */
  readonly arguments?: readonly ReferenceArgument[];
}

/** One key spec as COMMAND INFO shows it (server.c addReplyCommandKeySpecs). */
export interface ReferenceKeySpec {
  readonly notes?: string;
  /** In Redis's order: RO, RW, OW, RM, access, update, insert, delete, not_key, incomplete, variable_flags. */
  readonly flags: readonly string[];
  readonly beginSearch:
    | { readonly type: 'index'; readonly index: number }
    | { readonly type: 'keyword'; readonly keyword: string; readonly startfrom: number }
    | { readonly type: 'unknown' };
  readonly findKeys:
    | { readonly type: 'range'; readonly lastkey: number; readonly keystep: number; readonly limit: number }
    | {
        readonly type: 'keynum';
        readonly keynumidx: number;
        readonly firstkey: number;
        readonly keystep: number;
      }
    | { readonly type: 'unknown' };
}

/** One command (or subcommand, named "container|sub") of redis-server 7.0.15. */
export interface CommandReference {
  readonly summary: string;
  readonly since: string;
  readonly group: string;
  readonly complexity?: string;
  readonly docFlags?: readonly string[];
  readonly deprecatedSince?: string;
  readonly replacedBy?: string;
  readonly history?: readonly (readonly [since: string, changes: string])[];
  readonly arguments?: readonly ReferenceArgument[];
  readonly arity: number;
  /** COMMAND INFO's flags, in its order, movablekeys included. */
  readonly flags: readonly string[];
  /** The legacy first, last, step. */
  readonly keys: readonly [number, number, number];
  /** In Redis's order, implicit ones (from the flags) included, each with its "@". */
  readonly aclCategories: readonly string[];
  readonly tips?: readonly string[];
  readonly keySpecs?: readonly ReferenceKeySpec[];
}

let parsed: ReadonlyMap<string, CommandReference> | null = null;

/** Redis 7.0.15's description of a command by its lower-case full name, or undefined for one it lacks. */
export function commandReference(name: string): CommandReference | undefined {
  parsed ??= new Map(
    Object.entries(JSON.parse(REDIS_COMMAND_REFERENCE_JSON) as Record<string, CommandReference>),
  );
  return parsed.get(name);
}
