// Worker thread for write-holding-threads.test.ts: attaches to the test's store and, `repeat` times, reads a shared
// counter and writes it back one higher inside store.writeHolding of that one key, as a logged write runs on the
// pool and hybrid. A get and a set lock separately: only the hold keeps another thread out between them. Plain JS,
// importing the compiled store from dist/ (worker files are not transpiled by vitest).
import { parentPort, workerData } from 'node:worker_threads';

const { storeUrl, handles, repeat } = workerData;
const { SharedStore } = await import(storeUrl);
const store = SharedStore.attach(handles, Date.now);
const key = Buffer.from('counter');

for (let i = 0; i < repeat; i++) {
  store.writeHolding([key], (locked) => {
    const seen = Number(locked.get(key)?.toString() ?? '0');
    locked.set(key, Buffer.from(String(seen + 1)));
  });
}
parentPort.postMessage({ done: repeat });
