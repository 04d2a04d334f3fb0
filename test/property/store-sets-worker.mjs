// Worker thread for store-sets-threads.property.test.ts: attaches to the test's store and runs one script of set
// operations on sets every thread shares, checking what it reads as it goes. Plain JS (worker files are not
// transpiled by vitest): it imports the compiled store from dist/ (`npm run build` first).
import { parentPort, workerData } from 'node:worker_threads';

const { storeUrl, handles, id, script, repeat } = workerData;
const { SharedStore } = await import(storeUrl);
const store = SharedStore.attach(handles, Date.now);

const LEFT = Buffer.from('left');
const RIGHT = Buffer.from('right');
const POOL = Buffer.from('pool');
const TOKENS = 64;
const token = (i) => Buffer.from(String(i)); // integers: the two sets move between intset and hashtable

const violations = [];
const added = [];
const popped = [];
let next = 0;

function check(condition, message) {
  if (!condition && violations.length < 20) violations.push(message);
}

for (let round = 0; round < repeat; round++) {
  for (const op of script) {
    switch (op.kind) {
      case 'move': {
        const [from, to] = op.leftToRight ? [LEFT, RIGHT] : [RIGHT, LEFT];
        store.smove(from, to, token(op.token % TOKENS));
        break;
      }
      case 'census': {
        // One instant: every token in exactly one of the two sets.
        const { members } = store.setAlgebra('union', [LEFT, RIGHT]);
        const both = store.sinterCard([LEFT, RIGHT], 0).count;
        check(members.length === TOKENS, `union of left and right has ${members.length} tokens`);
        check(both === 0, `${both} tokens in both sets`);
        break;
      }
      case 'add': {
        const members = [];
        for (let i = 0; i < op.count; i++) members.push(Buffer.from(`${id}:${next++}`));
        const { added: n } = store.sadd(POOL, members);
        check(n === members.length, `SADD of ${members.length} new members added ${n}`);
        for (const m of members) added.push(m.toString());
        break;
      }
      case 'pop': {
        const { members } = store.spop(POOL, op.count);
        for (const m of members ?? []) popped.push(m.toString());
        break;
      }
    }
  }
}

parentPort.postMessage({ violations, added, popped });
