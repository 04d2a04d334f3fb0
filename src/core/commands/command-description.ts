// COMMAND INFO's and COMMAND DOCS's reply for one command, in Redis 7.0.15's shapes (server.c addReplyCommandInfo,
// addReplyCommandDocs): sets and maps where Redis sends them (RESP2 flattens maps to [name, value, ...] arrays).
// What the command does here (name, arity, flags, first/last/step, its subcommands) comes from its CommandSpec;
// what only describes it (ACL categories, tips, key specs, summary, complexity, history, arguments) from Redis's
// own reference (redis-command-reference.ts). A command Redis lacks is described from its spec alone.

import { ACL_CATEGORIES } from '../acl/command-universe.js';
import type { CommandFlag, CommandSpec } from '../command.js';
import type { KeyPosition } from '../key-specs.js';
import { array, bulkString, fieldMap, integer, set, status, type Reply } from '../reply.js';
import {
  commandReference,
  type ReferenceArgument,
  type ReferenceKeySpec,
} from './redis-command-reference.js';

/** server.c addReplyFlagsForCommand: the order COMMAND INFO lists flags in. CMD_PROTECTED is hidden on purpose. */
const FLAG_ORDER: readonly CommandFlag[] = [
  'write',
  'readonly',
  'denyoom',
  'admin',
  'pubsub',
  'noscript',
  'blocking',
  'loading',
  'stale',
  'skip_monitor',
  'skip_slowlog',
  'fast',
  'no_auth',
  'no_mandatory_keys',
  'no_async_loading',
  'no_multi',
  'movablekeys',
  'allow_busy',
];

/** The flags COMMAND INFO shows, in Redis's order. */
export function visibleFlags(spec: CommandSpec): CommandFlag[] {
  return FLAG_ORDER.filter((flag) => spec.flags.includes(flag));
}

/** For a command Redis lacks: the category of its group, as Redis's JSON files give them. */
const GROUP_CATEGORY: Record<CommandSpec['group'], string | undefined> = {
  connection: '@connection',
  string: '@string',
  bitmap: '@bitmap',
  generic: '@keyspace',
  server: undefined,
  transactions: '@transaction',
  pubsub: undefined,
  list: '@list',
  set: '@set',
  'sorted-set': '@sortedset',
  geo: '@geo',
  hash: '@hash',
  stream: '@stream',
  cluster: undefined,
  scripting: '@scripting',
  hyperloglog: '@hyperloglog',
};

/** acl.c ACLCommandCategories's order, as '@name' (a command's categories are listed in it). */
const CATEGORY_ORDER: readonly string[] = ACL_CATEGORIES.map((c) => `@${c}`);

/** A command's ACL categories: Redis's, or for a command Redis lacks its group's and setImplicitACLCategories'. */
export function aclCategories(spec: CommandSpec): readonly string[] {
  const reference = commandReference(spec.name);
  if (reference !== undefined) return reference.aclCategories;
  const out: string[] = [];
  const has = (f: CommandFlag) => spec.flags.includes(f);
  if (has('write')) out.push('@write');
  else if (has('readonly')) out.push('@read');
  if (GROUP_CATEGORY[spec.group] !== undefined) out.push(GROUP_CATEGORY[spec.group] as string);
  if (has('pubsub')) out.push('@pubsub');
  out.push(has('fast') ? '@fast' : '@slow');
  if (has('blocking')) out.push('@blocking');
  if (has('admin')) out.push('@admin', '@dangerous');
  return out.sort((a, b) => CATEGORY_ORDER.indexOf(a) - CATEGORY_ORDER.indexOf(b));
}

/** A command's key specs: Redis's, or for a command Redis lacks its own (or one range from its triple). */
export function referenceKeySpecs(spec: CommandSpec): readonly ReferenceKeySpec[] {
  const reference = commandReference(spec.name);
  if (reference !== undefined) return reference.keySpecs ?? [];
  if (spec.keySpecs !== undefined)
    return spec.keySpecs.map((k) => ({
      flags: k.flags,
      beginSearch: { type: 'index', index: k.index },
      findKeys: k.find,
    }));
  const [first, last, step] = spec.keys;
  if (first === 0) return [];
  const flags = spec.notKeys === true ? ['not_key'] : spec.flags.includes('write') ? ['RW'] : ['RO'];
  return [
    {
      flags,
      beginSearch: { type: 'index', index: first },
      findKeys: { type: 'range', lastkey: last < 0 ? last : last - first, keystep: step, limit: 0 },
    },
  ];
}

function keySpecReply(spec: ReferenceKeySpec): Reply {
  const fields: [string, Reply][] = [];
  if (spec.notes !== undefined) fields.push(['notes', bulkString(spec.notes)]);
  fields.push(['flags', set(spec.flags.map(status))]);
  const bs = spec.beginSearch;
  const beginSpec: [string, Reply][] =
    bs.type === 'index'
      ? [['index', integer(bs.index)]]
      : bs.type === 'keyword'
        ? [
            ['keyword', bulkString(bs.keyword)],
            ['startfrom', integer(bs.startfrom)],
          ]
        : [];
  fields.push([
    'begin_search',
    fieldMap([
      ['type', bulkString(bs.type)],
      ['spec', fieldMap(beginSpec)],
    ]),
  ]);
  const fk = spec.findKeys;
  const findSpec: [string, Reply][] =
    fk.type === 'range'
      ? [
          ['lastkey', integer(fk.lastkey)],
          ['keystep', integer(fk.keystep)],
          ['limit', integer(fk.limit)],
        ]
      : fk.type === 'keynum'
        ? [
            ['keynumidx', integer(fk.keynumidx)],
            ['firstkey', integer(fk.firstkey)],
            ['keystep', integer(fk.keystep)],
          ]
        : [];
  fields.push([
    'find_keys',
    fieldMap([
      ['type', bulkString(fk.type)],
      ['spec', fieldMap(findSpec)],
    ]),
  ]);
  return fieldMap(fields);
}

/**
 * COMMAND INFO's 10-element array for one command. Flags, categories, tips and key specs are sets; the
 * subcommands an array, or an empty set for a command without any (addReplyCommandSubCommands).
 */
export function commandInfo(spec: CommandSpec): Reply {
  const reference = commandReference(spec.name);
  return array([
    bulkString(spec.name),
    integer(spec.arity),
    set(visibleFlags(spec).map(status)),
    integer(spec.keys[0]),
    integer(spec.keys[1]),
    integer(spec.keys[2]),
    set(aclCategories(spec).map(status)),
    set((reference?.tips ?? []).map(bulkString)),
    set(referenceKeySpecs(spec).map(keySpecReply)),
    spec.subcommands === undefined ? set([]) : array(spec.subcommands.map(commandInfo)),
  ]);
}

function argumentReply(arg: ReferenceArgument): Reply {
  const fields: [string, Reply][] = [
    ['name', bulkString(arg.name)],
    ['type', bulkString(arg.type)],
  ];
  if (arg.keySpecIndex !== undefined) fields.push(['key_spec_index', integer(arg.keySpecIndex)]);
  if (arg.token !== undefined) fields.push(['token', bulkString(arg.token)]);
  if (arg.summary !== undefined) fields.push(['summary', bulkString(arg.summary)]);
  if (arg.since !== undefined) fields.push(['since', bulkString(arg.since)]);
  if (arg.deprecatedSince !== undefined) fields.push(['deprecated_since', bulkString(arg.deprecatedSince)]);
  if (arg.flags !== undefined) fields.push(['flags', set(arg.flags.map(status))]);
  if (arg.arguments !== undefined) fields.push(['arguments', array(arg.arguments.map(argumentReply))]);
  return fieldMap(fields);
}

/** COMMAND DOCS's map for one command; its subcommands are those this server has. */
export function commandDocs(spec: CommandSpec): Reply {
  const reference = commandReference(spec.name);
  const fields: [string, Reply][] = [
    ['summary', bulkString(reference?.summary ?? spec.summary)],
    ['since', bulkString(reference?.since ?? spec.since)],
    ['group', bulkString(reference?.group ?? spec.group)],
  ];
  if (reference !== undefined) {
    if (reference.complexity !== undefined) fields.push(['complexity', bulkString(reference.complexity)]);
    if (reference.docFlags !== undefined) fields.push(['doc_flags', set(reference.docFlags.map(status))]);
    if (reference.deprecatedSince !== undefined)
      fields.push(['deprecated_since', bulkString(reference.deprecatedSince)]);
    if (reference.replacedBy !== undefined) fields.push(['replaced_by', bulkString(reference.replacedBy)]);
    if (reference.history !== undefined) {
      const entries = reference.history.map(([since, changes]) =>
        array([bulkString(since), bulkString(changes)]),
      );
      fields.push(['history', set(entries)]);
    }
    if (reference.arguments !== undefined)
      fields.push(['arguments', array(reference.arguments.map(argumentReply))]);
  }
  if (spec.subcommands !== undefined) {
    fields.push(['subcommands', fieldMap(spec.subcommands.map((s) => [s.name, commandDocs(s)] as const))]);
  }
  return fieldMap(fields);
}

/**
 * A key's flags: from the command's getkeys procedure where they vary with the line (SET, BITFIELD), else from
 * the key spec that found it, or for a key found by first/last/step, from the key spec whose range holds it.
 */
export function keyFlagsOf(spec: CommandSpec, line: readonly Buffer[], key: KeyPosition): readonly string[] {
  if (spec.keyFlagsOf !== undefined) return spec.keyFlagsOf(line);
  const specs = referenceKeySpecs(spec);
  if (key.spec >= 0) return specs[key.spec]?.flags ?? [];
  const holder = specs.find((s) => {
    if (s.beginSearch.type !== 'index' || s.findKeys.type !== 'range') return false;
    const first = s.beginSearch.index;
    const { lastkey, keystep } = s.findKeys;
    const last = lastkey >= 0 ? first + lastkey : line.length + lastkey;
    return key.position >= first && key.position <= last && (key.position - first) % keystep === 0;
  });
  return (holder ?? specs[0])?.flags ?? [];
}
