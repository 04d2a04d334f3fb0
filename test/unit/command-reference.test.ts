// The command table against Redis 7.0.15's own description of the same commands (the generated reference,
// src/core/commands/redis-command-reference.ts): COMMAND INFO takes name, arity, flags and first/last/step from
// our specs (they drive the executor) and the rest from the reference, so the two must agree, or INFO would
// describe one command and the server run another. Also what the reference holds, read back as Redis reports it.

import { describe, expect, it } from 'vitest';
import type { CommandSpec } from '../../src/core/command.js';
import { visibleFlags } from '../../src/core/commands/command-description.js';
import { commandReference } from '../../src/core/commands/redis-command-reference.js';
import { ALL_COMMANDS } from '../../src/core/commands/table.js';

const everyCommand: readonly CommandSpec[] = ALL_COMMANDS.flatMap((s) => [s, ...(s.subcommands ?? [])]);

describe('the command table and Redis 7.0.15 reference', () => {
  it.each(everyCommand.map((spec) => [spec.name, spec] as const))(
    '%s: arity, flags and first/last/step are Redis 7.0.15s',
    (name, spec) => {
      const reference = commandReference(name);
      expect(
        reference,
        `${name} has no reference: regenerate it (scripts/generate-command-reference.mjs)`,
      ).toBeDefined();
      if (reference === undefined) return;
      expect({ arity: spec.arity, flags: visibleFlags(spec), keys: spec.keys }).toEqual({
        arity: reference.arity,
        flags: reference.flags,
        keys: reference.keys,
      });
    },
  );

  it.each(
    everyCommand.filter((spec) => spec.keySpecs !== undefined).map((spec) => [spec.name, spec] as const),
  )('%s: the key specs it declares are Redis 7.0.15s', (name, spec) => {
    const declared = (spec.keySpecs ?? []).map((k) => ({
      flags: k.flags,
      beginSearch: { type: 'index', index: k.index },
      findKeys: k.find,
    }));
    expect(declared).toEqual(commandReference(name)?.keySpecs?.map(({ notes: _notes, ...rest }) => rest));
  });

  it("holds what COMMAND DOCS needs as Redis's JSON gives it, adjusted as redis-server reports it", () => {
    const set = commandReference('set');
    expect(set?.complexity).toBe('O(1)');
    expect(set?.history?.[0]).toEqual(['2.6.12', 'Added the `EX`, `PX`, `NX` and `XX` options.']);
    expect(set?.keySpecs?.[0].notes).toBe('RW and ACCESS due to the optional `GET` argument');
    // Lower-case argument names, upper-case tokens, the group sorted-set (the JSON's sorted_set).
    expect(commandReference('zadd')?.group).toBe('sorted-set');
    expect(commandReference('client|kill')?.arguments?.[0].arguments?.[1].arguments?.[0].token).toBe('ID');
    // Computed at start-up by redis-server: implicit categories, movablekeys, the legacy range.
    expect(commandReference('zunionstore')?.flags).toEqual(['write', 'denyoom', 'movablekeys']);
    expect(commandReference('keys')?.aclCategories).toEqual(['@keyspace', '@read', '@slow', '@dangerous']);
    expect(commandReference('smove')?.keys).toEqual([1, 2, 1]);
    // MIGRATE's empty-string token: the JSON's '""' became an empty C string.
    expect(commandReference('migrate')?.arguments?.[2].arguments?.[1].token).toBe('');
    // Sentinel-only commands are not in redis-server's table.
    expect(commandReference('sentinel|masters')).toBeUndefined();
    expect(commandReference('nosuch')).toBeUndefined();
  });
});
