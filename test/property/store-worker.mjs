// Worker thread for store-threads.property.test.ts: attaches to the test's store and runs one script of
// operations, checking what it reads as it goes. Plain JS because worker files are not transpiled by vitest:
// it imports the compiled store from dist/ (CI runs `npm run build` before vitest).
import { parentPort, workerData } from 'node:worker_threads';

const { storeUrl, handles, id, script, repeat } = workerData;
const { SharedStore } = await import(storeUrl);
const store = SharedStore.attach(handles, Date.now);

const GROUP = 8;
const groupKeys = Array.from({ length: GROUP }, (_, i) => Buffer.from(`group:${i}`));
const counterKey = (i) => Buffer.from(`counter:${i}`);
const ownKey = (i) => Buffer.from(`own:${id}:${i}`);

/** A self-checking value: a 4-byte length, then bytes derived from a seed, so a torn read is detectable. */
function pattern(seed, length) {
  const value = Buffer.alloc(4 + length);
  value.writeUInt32LE(length, 0);
  for (let i = 0; i < length; i++) value[4 + i] = (seed * 31 + i * 7) & 0xff;
  return value;
}

const violations = [];
const model = new Map(); // own key index -> expected Buffer
let mgets = 0;

function check(condition, message) {
  if (!condition && violations.length < 20) violations.push(message);
}

for (let round = 0; round < repeat; round++) {
  for (const op of script) {
    switch (op.kind) {
      case 'incr':
        store.incrBy(counterKey(op.key), BigInt(op.delta));
        break;
      case 'set': {
        const value = pattern(op.seed + round, op.length);
        store.set(ownKey(op.key), value);
        model.set(op.key, value);
        break;
      }
      case 'append': {
        const before = model.get(op.key);
        const extra = Buffer.from(`+${round}`);
        const length = store.append(ownKey(op.key), extra);
        const after = before === undefined ? extra : Buffer.concat([before, extra]);
        check(length === after.length, `append length ${length} != ${after.length}`);
        model.set(op.key, after);
        break;
      }
      case 'del':
        store.del([ownKey(op.key)]);
        model.delete(op.key);
        break;
      case 'get': {
        const value = store.get(ownKey(op.key));
        const expected = model.get(op.key) ?? null;
        check(
          (value === null && expected === null) ||
            (value !== null && expected !== null && value.equals(expected)),
          `own key ${op.key}: read ${value?.toString('hex')} expected ${expected?.toString('hex')}`,
        );
        break;
      }
      case 'grow':
        // Many fresh keys at once: index doublings and arena growth while the other threads run.
        for (let i = 0; i < op.count; i++) {
          const key = 1000 + round * op.count + i;
          const value = pattern(key, key % 50);
          store.set(ownKey(key), value);
          model.set(key, value);
        }
        break;
      case 'mset': {
        const value = Buffer.from(`w${id}:r${round}:g${op.generation}:${'x'.repeat(op.generation % 40)}`);
        store.mset(
          groupKeys.flatMap((k) => [k, value]),
          false,
        );
        break;
      }
      case 'mget': {
        const values = store.mget(groupKeys);
        mgets++;
        const first = values[0];
        check(
          values.every(
            (v) => (v === null && first === null) || (v !== null && first !== null && v.equals(first)),
          ),
          `MGET saw mixed generations: ${values.map((v) => v?.toString()).join(' | ')}`,
        );
        break;
      }
    }
  }
}

parentPort.postMessage({
  violations,
  mgets,
  model: [...model].map(([key, value]) => [key, value.toString('hex')]),
});
