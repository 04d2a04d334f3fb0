// The README's command table is documentation users rely on: every command and subcommand the server knows
// must be listed with its syntax line, so adding a command without documenting it fails here.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_COMMANDS } from '../../src/core/commands/table.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README command table', () => {
  const specs = ALL_COMMANDS.flatMap((c) => c.subcommands ?? [c]);
  it.each(specs.map((s) => [s.name, s.syntax]))('lists %s', (_name, syntax) => {
    expect(readme).toContain(`\`${syntax.replace(/\|/g, '\\|')}\``);
  });
});
