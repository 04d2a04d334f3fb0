// Worker thread for hash-threads.property.test.ts: attaches to the test's store and runs one script of hash
// operations on hashes every thread shares, checking what it reads as it goes. Plain JS because worker files are
// not transpiled by vitest: it imports the compiled store from dist/ (`npm run build` first).
import { parentPort, workerData } from 'node:worker_threads';

const { storeUrl, handles, id, script, repeat } = workerData;
const { SharedStore } = await import(storeUrl);
const store = SharedStore.attach(handles, Date.now);

const shared = Buffer.from('shared'); // every thread's own fields, side by side: it converts as they pile up
const counters = Buffer.from('counters');
const ownField = (n) => Buffer.from(`t${id}:${n}`);
/** A value that names its field and repeats a one-digit seed, so a torn or misplaced value is detectable. */
const valueFor = (field, seed, length) => Buffer.from(`${field}=${String(seed).repeat(length + 1)}`);

const violations = [];
const model = new Map(); // own field -> expected value
let counted = 0; // this thread's HINCRBY total

function check(condition, message) {
  if (!condition && violations.length < 20) violations.push(message);
}

/** Every value of the shared hash must name its own field and be whole. */
function checkWhole(pairs) {
  for (let i = 0; i < pairs.length; i += 2) {
    const [field, value] = [pairs[i].toString(), pairs[i + 1].toString()];
    const match = /^(.*)=(\d)\2*$/.exec(value); // one seed digit, repeated: nothing torn or spliced
    check(match !== null && match[1] === field, `torn or misplaced: ${field} -> ${value}`);
  }
}

for (let round = 0; round < repeat; round++) {
  for (const op of script) {
    switch (op.kind) {
      case 'hset': {
        const field = ownField(op.field);
        const value = valueFor(field, (op.seed + round) % 10, op.length);
        const created = store.hset(shared, [field, value]);
        check(created === (model.has(field.toString()) ? 0 : 1), `hset ${field} created ${created}`);
        model.set(field.toString(), value.toString());
        break;
      }
      case 'hdel': {
        const field = ownField(op.field);
        const { removed } = store.hdel(shared, [field]);
        check(removed === (model.has(field.toString()) ? 1 : 0), `hdel ${field} removed ${removed}`);
        model.delete(field.toString());
        break;
      }
      case 'hget': {
        const field = ownField(op.field);
        const value = store.hmget(shared, [field])?.[0] ?? null;
        const expected = model.get(field.toString()) ?? null;
        check((value?.toString() ?? null) === expected, `hget ${field}: ${value} expected ${expected}`);
        break;
      }
      case 'hincrby':
        store.hincrBy(counters, Buffer.from(`c${op.counter}`), BigInt(op.delta));
        counted += op.delta;
        break;
      case 'scan': {
        checkWhole(store.hgetall(shared, 'both'));
        // A full HSCAN returns each of this thread's fields that stayed put (nobody else touches them).
        const seen = new Set();
        let cursor = '0';
        do {
          const step = store.hscan(shared, cursor, 7, null);
          if (step === null) break;
          checkWhole(step.items);
          for (let i = 0; i < step.items.length; i += 2) seen.add(step.items[i].toString());
          cursor = step.cursor;
        } while (cursor !== '0');
        for (const field of model.keys()) check(seen.has(field), `HSCAN missed ${field}`);
        break;
      }
      case 'random': {
        const picked = store.hrandfield(shared, op.count, op.count > 0, true);
        if (picked !== null) checkWhole(picked.fields.flatMap((f, i) => [f, picked.values[i]]));
        break;
      }
    }
  }
}

parentPort.postMessage({ violations, counted, model: [...model] });
