// The request text that makes test/support/throwing-pool-worker.ts throw (apart, so a test can import it
// without running that worker entry).

export const THROW_IN_WORKER = 'THROW-IN-WORKER';
