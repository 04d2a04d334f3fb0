// Generates src/core/commands/redis-command-reference.generated.ts: what redis-server 7.0.15 reports of each of
// its commands in COMMAND INFO and COMMAND DOCS, computed from its command JSON files as redis-server computes it
// at start-up (server.c populateCommandStructure: implicit ACL categories, the legacy first/last/step range and
// the movablekeys flag; utils/generate-command-code.py: lower-case argument names and tips, upper-case tokens).
// The source: Redis's src/commands/*.json at tag 7.0.15 (github.com/redis/redis), BSD-3-Clause, Copyright (c)
// 2006-2020, Salvatore Sanfilippo and the Redis contributors; plus the JSON of the few commands redis-lite has
// that 7.0 lacks, from tag 7.2.6. Nothing at build or run time reads the JSON: the output is committed.
// Usage: node scripts/generate-command-reference.mjs <7.0.15 src/commands dir> [<extra command .json> ...]
//   e.g. git -C redis archive 7.0.15 src/commands | tar -x -C /tmp/r70
//        git -C redis show 7.2.6:src/commands/client-setinfo.json > /tmp/client-setinfo.json
//        node scripts/generate-command-reference.mjs /tmp/r70/src/commands /tmp/client-setinfo.json ...

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [sourceDir, ...extraFiles] = process.argv.slice(2);
if (sourceDir === undefined) {
  console.error(
    'usage: node scripts/generate-command-reference.mjs <redis 7.0.15 src/commands> [extra.json ...]',
  );
  process.exit(2);
}

/** server.c addReplyFlagsForCommand: the order COMMAND INFO lists flags in; others are hidden on purpose. */
const FLAG_ORDER = [
  'write',
  'readonly',
  'denyoom',
  'module',
  'admin',
  'pubsub',
  'noscript',
  'blocking',
  'loading',
  'stale',
  'skip_monitor',
  'skip_slowlog',
  'asking',
  'fast',
  'no_auth',
  'no_mandatory_keys',
  'no_async_loading',
  'no_multi',
  'movablekeys',
  'allow_busy',
];
/** acl.c ACLCommandCategories: the order of the category bits. */
const CATEGORY_ORDER = [
  'keyspace',
  'read',
  'write',
  'set',
  'sortedset',
  'list',
  'hash',
  'string',
  'bitmap',
  'hyperloglog',
  'geo',
  'stream',
  'pubsub',
  'admin',
  'fast',
  'slow',
  'blocking',
  'dangerous',
  'connection',
  'transaction',
  'scripting',
];
/** server.c addReplyFlagsForKeyArgs. */
const KEY_FLAG_ORDER = [
  'RO',
  'RW',
  'OW',
  'RM',
  'access',
  'update',
  'insert',
  'delete',
  'not_key',
  'incomplete',
  'variable_flags',
];
const DOC_FLAG_ORDER = ['deprecated', 'syscmd'];
/** server.c COMMAND_GROUP_STR: the JSON's sorted_set is reported as sorted-set. */
const groupName = (group) => (group === 'sorted_set' ? 'sorted-set' : group);

const inOrder = (order, names) => order.filter((name) => names.includes(name));

function keyFlag(flag) {
  return ['RO', 'RW', 'OW', 'RM'].includes(flag) ? flag : flag.toLowerCase();
}

function keySpec(spec) {
  const bs = spec.begin_search;
  const fk = spec.find_keys;
  const out = {};
  if (spec.notes) out.notes = spec.notes;
  out.flags = inOrder(KEY_FLAG_ORDER, (spec.flags ?? []).map(keyFlag));
  out.beginSearch = bs.index
    ? { type: 'index', index: bs.index.pos }
    : bs.keyword
      ? { type: 'keyword', keyword: bs.keyword.keyword, startfrom: bs.keyword.startfrom }
      : { type: 'unknown' };
  out.findKeys = fk.range
    ? { type: 'range', lastkey: fk.range.lastkey, keystep: fk.range.step, limit: fk.range.limit }
    : fk.keynum
      ? {
          type: 'keynum',
          keynumidx: fk.keynum.keynumidx,
          firstkey: fk.keynum.firstkey,
          keystep: fk.keynum.step,
        }
      : { type: 'unknown' };
  return out;
}

/** server.c populateCommandLegacyRangeSpec: [first, last, step] and whether the keys are movable. */
function legacyRange(specs) {
  let movable = false;
  if (specs.length === 0) return { keys: [0, 0, 0], movable };
  const isPlainRange = (s) => s.beginSearch.type === 'index' && s.findKeys.type === 'range';
  if (specs.length === 1 && isPlainRange(specs[0])) {
    const s = specs[0];
    const last = s.findKeys.lastkey >= 0 ? s.beginSearch.index + s.findKeys.lastkey : s.findKeys.lastkey;
    return { keys: [s.beginSearch.index, last, s.findKeys.keystep], movable: s.flags.includes('incomplete') };
  }
  let first = Infinity;
  let last = 0;
  let prevLast = 0;
  for (const s of specs) {
    if (!isPlainRange(s)) {
      movable = true;
      continue;
    }
    if (s.findKeys.keystep !== 1 || (prevLast !== 0 && prevLast !== s.beginSearch.index - 1)) {
      movable = true;
      continue;
    }
    if (s.flags.includes('incomplete')) movable = true;
    first = Math.min(first, s.beginSearch.index);
    const absolute = s.findKeys.lastkey >= 0 ? s.findKeys.lastkey + s.beginSearch.index : s.findKeys.lastkey;
    // Redis compares as unsigned: a negative (counted from the end) lastkey wins.
    last = last >>> 0 >= absolute >>> 0 ? last : absolute;
    prevLast = last;
  }
  if (first === Infinity) return { keys: [0, 0, 0], movable: true };
  return { keys: [first, last, 1], movable };
}

function argument(desc) {
  const out = { name: desc.name.toLowerCase(), type: desc.type };
  if (desc.key_spec_index !== undefined) out.keySpecIndex = desc.key_spec_index;
  // generate-command-code.py pastes the token into a C string literal: MIGRATE's '""' becomes the two
  // adjacent literals "" "", the empty string redis-server reports.
  if (desc.token) out.token = desc.token.toUpperCase().replace(/"/g, '');
  if (desc.summary) out.summary = desc.summary;
  if (desc.since) out.since = desc.since;
  if (desc.deprecated_since) out.deprecatedSince = desc.deprecated_since;
  const flags = [];
  if (desc.optional) flags.push('optional');
  if (desc.multiple) flags.push('multiple');
  if (desc.multiple_token) flags.push('multiple_token');
  if (flags.length > 0) out.flags = flags;
  if (desc.type === 'oneof' || desc.type === 'block') out.arguments = desc.arguments.map(argument);
  return out;
}

function command(desc) {
  const specs = (desc.key_specs ?? []).map(keySpec);
  const rawFlags = (desc.command_flags ?? []).map((f) => f.toLowerCase());
  const { keys, movable } = legacyRange(specs);
  if (movable) rawFlags.push('movablekeys');
  const categories = (desc.acl_categories ?? []).map((c) => c.toLowerCase());
  // server.c setImplicitACLCategories.
  if (rawFlags.includes('write')) categories.push('write');
  if (rawFlags.includes('readonly') && !categories.includes('scripting')) categories.push('read');
  if (rawFlags.includes('admin')) categories.push('admin', 'dangerous');
  if (rawFlags.includes('pubsub')) categories.push('pubsub');
  if (rawFlags.includes('fast')) categories.push('fast');
  if (rawFlags.includes('blocking')) categories.push('blocking');
  if (!categories.includes('fast')) categories.push('slow');
  const out = {
    summary: desc.summary,
    since: desc.since,
    group: groupName(desc.group),
  };
  if (desc.complexity) out.complexity = desc.complexity;
  const docFlags = inOrder(
    DOC_FLAG_ORDER,
    (desc.doc_flags ?? []).map((f) => f.toLowerCase()),
  );
  if (docFlags.length > 0) out.docFlags = docFlags;
  if (desc.deprecated_since) out.deprecatedSince = desc.deprecated_since;
  if (desc.replaced_by) out.replacedBy = desc.replaced_by;
  if (desc.history?.length) out.history = desc.history;
  if (desc.arguments?.length) out.arguments = desc.arguments.map(argument);
  out.arity = desc.arity;
  out.flags = inOrder(FLAG_ORDER, rawFlags);
  out.keys = keys;
  out.aclCategories = inOrder(CATEGORY_ORDER, categories).map((c) => `@${c}`);
  if (desc.command_tips?.length) out.tips = desc.command_tips.map((t) => t.toLowerCase());
  if (specs.length > 0) out.keySpecs = specs;
  return out;
}

const reference = {};
const files = [
  ...readdirSync(sourceDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(sourceDir, f)),
  ...extraFiles,
];
for (const file of files) {
  for (const [name, desc] of Object.entries(JSON.parse(readFileSync(file, 'utf8')))) {
    // redis-server (not in sentinel mode) leaves sentinel-only commands out of its table.
    if ((desc.command_flags ?? []).includes('ONLY_SENTINEL')) continue;
    const fullName = (desc.container ? `${desc.container}|${name}` : name).toLowerCase();
    if (fullName in reference) continue; // the first source wins: 7.0.15's files come first
    reference[fullName] = command(desc);
  }
}
const sorted = Object.fromEntries(
  Object.keys(reference)
    .sort()
    .map((name) => [name, reference[name]]),
);

const out = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'src',
  'core',
  'commands',
  'redis-command-reference.generated.ts',
);
const header = `// GENERATED by scripts/generate-command-reference.mjs: do not edit; regenerate (see that script's header).
// What redis-server 7.0.15 reports of each of its commands in COMMAND INFO and COMMAND DOCS, derived from
// Redis's src/commands/*.json at tag 7.0.15 (and client-setinfo/client-no-touch at 7.2.6), which are
// BSD-3-Clause: Copyright (c) 2006-2020, Salvatore Sanfilippo and the Redis contributors. Redistribution and use
// in source and binary forms, with or without modification, are permitted provided that the conditions of that
// licence are met (https://github.com/redis/redis/blob/7.0.15/COPYING).
// One JSON text, parsed on first use (redis-command-reference.ts): COMMAND DOCS is rare, start-up pays only for
// reading a string.

export const REDIS_COMMAND_REFERENCE_JSON =
  '${JSON.stringify(sorted).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}';
`;
writeFileSync(out, header);
console.log(`wrote ${out}: ${Object.keys(sorted).length} commands, ${header.length} bytes`);
