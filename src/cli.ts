#!/usr/bin/env node
// The redis-lite command. Sets V8 up before anything else is loaded, then runs the command (src/cli-main.ts):
// the young generation is held at the size V8 starts it at (young-generation.ts says why), and loading the
// command's modules is enough to grow it, so they are imported only after.

import { holdYoungGeneration } from './young-generation.js';

const youngGenerationHeld = holdYoungGeneration();
const { main } = await import('./cli-main.js');
await main(youngGenerationHeld);
