// Worker thread for store-databases-threads.property.test.ts: attaches to the test's store and runs one script of
// database operations, checking what it reads as it goes. Plain JS because worker files are not transpiled by
// vitest: it imports the compiled store from dist/ (CI runs `npm run build` before vitest).
// Databases: 1 + id (this thread's keys, under names every thread uses), 5 + id (where MOVE takes them and
// back), 12 (COPY targets), 13 (a counter all threads INCR), 14 and 15 (swapped by every thread; each holds a
// group of keys with one value, 'A' or 'B').
import { parentPort, workerData } from 'node:worker_threads';

const { storeUrl, handles, id, script, repeat } = workerData;
const { SharedStore } = await import(storeUrl);
const root = SharedStore.attach(handles, Date.now);
const own = root.select(1 + id);
const moved = 5 + id;
const copies = root.select(12);
const counters = root.select(13);
const swapped = root.select(14);

const GROUP = 8;
const groupKeys = Array.from({ length: GROUP }, (_, i) => Buffer.from(`group:${i}`));
const ownKey = (i) => Buffer.from(`own:${i}`);

/** A self-checking value naming its writer, so a read of another thread's key is caught. */
function pattern(seed, length) {
  return Buffer.from(`t${id}:s${seed}:${'x'.repeat(length)}`);
}

const violations = [];
const model = new Map(); // own key index -> expected Buffer
let swaps = 0;
let mgets = 0;

function check(condition, message) {
  if (!condition && violations.length < 20) violations.push(message);
}

for (let round = 0; round < repeat; round++) {
  for (const op of script) {
    switch (op.kind) {
      case 'set': {
        const value = pattern(op.seed + round, op.length);
        own.set(ownKey(op.key), value);
        model.set(op.key, value);
        break;
      }
      case 'get': {
        const value = own.get(ownKey(op.key));
        const expected = model.get(op.key) ?? null;
        check(
          (value === null && expected === null) ||
            (value !== null && expected !== null && value.equals(expected)),
          `own key ${op.key} in db ${1 + id}: read ${value?.toString()} expected ${expected?.toString()}`,
        );
        break;
      }
      case 'del':
        own.del([ownKey(op.key)]);
        model.delete(op.key);
        break;
      case 'move': {
        // There and back: both succeed exactly when the key exists, and nothing else ever holds it there.
        const present = model.has(op.key);
        const there = own.move(ownKey(op.key), moved);
        const back = root.select(moved).move(ownKey(op.key), 1 + id);
        check(there === present && back === present, `MOVE own:${op.key}: ${there}/${back}, held ${present}`);
        break;
      }
      case 'copy': {
        const name = Buffer.from(`copy:${id}:${op.key}`);
        const copied = own.copy(ownKey(op.key), name, true, 12);
        const expected = model.get(op.key) ?? null;
        check(copied === (expected !== null), `COPY own:${op.key} answered ${copied}`);
        if (expected !== null) {
          const value = copies.get(name);
          check(value !== null && value.equals(expected), `COPY own:${op.key} read ${value?.toString()}`);
        }
        break;
      }
      case 'incr':
        counters.incrBy(Buffer.from('counter'), BigInt(op.delta));
        break;
      case 'swap':
        root.swapDb(14, 15);
        swaps++;
        break;
      case 'mget': {
        const values = swapped.mget(groupKeys).map((v) => v?.toString() ?? null);
        mgets++;
        check(
          values.every((v) => v === values[0]) && (values[0] === 'A' || values[0] === 'B'),
          `MGET in db 14 saw ${values.join(' | ')}`,
        );
        break;
      }
    }
  }
}

parentPort.postMessage({
  violations,
  swaps,
  mgets,
  model: [...model].map(([key, value]) => [key, value.toString('hex')]),
});
