// Build step after `tsc`: bundles the pool's worker thread entry (dist/src/transport/threadpool/worker.js and
// the ~45 modules it imports) into one CommonJS file, worker.bundle.cjs, plus worker.bundle.json listing the
// inputs so the pool can tell a stale bundle from a fresh one (src/transport/threadpool/worker-entry.ts).
// Why: every worker is a fresh isolate that resolves, reads and links each ES module again; one CommonJS file
// skips the ESM loader altogether (bench/results/pool-startup.md). Knows nothing of what the worker does.
// Usage: node scripts/bundle-worker.mjs [package root, default: this script's parent]   (after tsc; needs the
// esbuild dev dependency)

import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const dir = join(root, 'dist', 'src', 'transport', 'threadpool');
const entry = join(dir, 'worker.js');
const outfile = join(dir, 'worker.bundle.cjs');
const manifest = join(dir, 'worker.bundle.json');

if (!existsSync(entry)) {
  console.error(`bundle-worker: ${entry} is missing: run tsc first`);
  process.exit(1);
}

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // Production installs have no dev dependencies; the pool then starts worker.js (correct, slower to start).
  console.warn('bundle-worker: esbuild is not installed; the pool will start its workers from worker.js');
  process.exit(0);
}

const result = await esbuild.build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // The sources are ES modules, strict by definition; a CommonJS file is strict only when it says so.
  banner: { js: "'use strict';" },
  // Chained through tsc's maps to the TypeScript sources; read only under --enable-source-maps.
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
});

// Every input, relative to the bundle's directory: worker-entry.ts compares their mtimes with the bundle's.
const inputs = Object.keys(result.metafile.inputs)
  .map((input) => relative(dir, resolve(process.cwd(), input)))
  .sort();
writeFileSync(manifest, JSON.stringify({ bundle: 'worker.bundle.cjs', inputs }, null, 2) + '\n');
console.log(`bundle-worker: ${relative(root, outfile)} from ${inputs.length} modules`);
