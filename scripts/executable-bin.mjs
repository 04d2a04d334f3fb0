// Build step after `tsc`: makes the command's entry (package.json "bin": dist/src/cli.js) executable. tsc writes
// it 0644, and `npx redis-lite` in the project folder runs the bin itself where npm does not link it first (it
// skipped that in a clone whose node_modules had changed after `npm ci`, e.g. once `npm test` had run vitest):
// "sh: 1: redis-lite: Permission denied". Installed packages get their bins chmodded by npm; the project's own
// build has to do it.
// Usage: node scripts/executable-bin.mjs [package root, default: this script's parent]   (after tsc)

import { chmodSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const { bin } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const path of Object.values(typeof bin === 'string' ? { bin } : (bin ?? {}))) {
  const file = join(root, path);
  chmodSync(file, statSync(file).mode | 0o111);
}
