// Worker thread for zsets-threads.property.test.ts: attaches to the test's store and runs one script of sorted
// set operations on keys every thread shares, keeping a model of its own members and checking what it reads as
// it goes. Plain JS because worker files are not transpiled by vitest: it imports the compiled store from dist/.
import { parentPort, workerData } from 'node:worker_threads';

const { storeUrl, handles, id, script, repeat } = workerData;
const { SharedStore } = await import(storeUrl);
const store = SharedStore.attach(handles, Date.now);

const SHARED = Buffer.from('z:shared');
const QUEUE = Buffer.from('z:queue');
const PLAIN = { nx: false, xx: false, gt: false, lt: false, incr: false };
const INCR = { ...PLAIN, incr: true };
const ALL = { by: 'rank', start: 0, end: -1, reverse: false };
const own = (n) => Buffer.from(`t${id}:${n}`);

const violations = [];
const model = new Map(); // own member -> score in SHARED
const popped = [];
let queued = 0;

function check(condition, message) {
  if (!condition && violations.length < 20) violations.push(message);
}

/** The set's order: by score, then member bytes. */
function sorted(elements) {
  for (let i = 1; i < elements.length; i++) {
    const a = elements[i - 1];
    const b = elements[i];
    if (a.score > b.score || (a.score === b.score && Buffer.compare(a.member, b.member) >= 0)) return false;
  }
  return true;
}

for (let round = 0; round < repeat; round++) {
  for (const op of script) {
    switch (op.kind) {
      case 'add':
        store.zadd(SHARED, [{ score: op.score, member: own(op.member) }], PLAIN);
        model.set(own(op.member).toString(), op.score);
        break;
      case 'incr': {
        const name = own(op.member);
        const result = store.zadd(SHARED, [{ score: op.delta, member: name }], INCR);
        const expected = (model.get(name.toString()) ?? 0) + op.delta;
        check(result.score === expected, `incr ${name}: ${result.score} != ${expected}`);
        model.set(name.toString(), expected);
        break;
      }
      case 'rem': {
        const name = own(op.member);
        const { removed } = store.zrem(SHARED, [name]);
        check(removed === (model.has(name.toString()) ? 1 : 0), `zrem ${name} removed ${removed}`);
        model.delete(name.toString());
        break;
      }
      case 'read': {
        const elements = store.zrange(SHARED, ALL) ?? [];
        check(sorted(elements), 'ZRANGE out of order');
        const mine = elements.filter((e) => e.member.toString().startsWith(`t${id}:`));
        check(mine.length === model.size, `own members ${mine.length} != ${model.size}`);
        for (const { member, score } of mine) {
          check(model.get(member.toString()) === score, `${member} scored ${score}`);
        }
        // A rank is the member's position in the order, whatever other threads add meanwhile under the lock.
        if (mine.length > 0) {
          const rank = store.zrank(SHARED, mine[0].member, false);
          check(typeof rank === 'number' && rank >= 0, `rank of ${mine[0].member}: ${rank}`);
        }
        break;
      }
      case 'push':
        store.zadd(QUEUE, [{ score: op.score, member: Buffer.from(`q${id}:${round}:${queued}`) }], PLAIN);
        queued++;
        break;
      case 'pop': {
        const result = store.zpop([QUEUE], true, op.count);
        if (result !== null) {
          check(sorted(result.popped), 'ZPOPMIN out of order');
          for (const { member } of result.popped) popped.push(member.toString());
        }
        break;
      }
    }
  }
}

parentPort.postMessage({ violations, model: [...model], popped, queued });
