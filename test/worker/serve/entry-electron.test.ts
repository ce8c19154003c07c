// Runs under node:test with the real model: the utility-process entry (src-worker/serve/entry-electron.ts)
// outside Electron. A worker thread stands in for the utility process: a shim gives it the
// `process.parentPort` Electron would, whose messages carry MessagePortMain-shaped ports
// (`on('message', e => e.data)`). Main's connect message and asset-folder environment are sent
// exactly as src-main does, and the served port speaks; a port sent with any other message is not served.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageChannel, Worker } from 'node:worker_threads';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { assetPaths } from '../../../src-worker/assets/cache.ts';
import type { WorkerEvent } from '../../../src-worker/protocol/messages.ts';
import { CONNECT_MESSAGE, WORKER_ENV } from '../../../src-worker/protocol/worker-env.ts';

const ENTRY = new URL('../../../src-worker/serve/entry-electron.ts', import.meta.url);
const TSX_BOOTSTRAP = new URL('../../../src-main/worker/tsx-thread.mjs', import.meta.url);
const TEST_TIMEOUT_MS = 300_000;

// Electron's utility process API, imitated over the thread's parentPort: a message is
// `{ data, ports }` and each port emits `{ data }` events.
// A TypeScript entry loads through the dev host's tsx bootstrap, which imports workerData.entry.
function shim(entry: URL): string {
  const load = `import(${JSON.stringify((entry.pathname.endsWith('.ts') ? TSX_BOOTSTRAP : entry).href)})`;
  return `
const { parentPort } = require('node:worker_threads');
const wrap = (port) => {
  const handlers = new Map();
  return {
    postMessage: (message) => port.postMessage(message),
    on(event, fn) {
      if (event === 'message') { const h = (data) => fn({ data }); handlers.set(fn, h); port.on('message', h); }
      else port.on(event, fn);
    },
    off(event, fn) {
      if (event === 'message') port.off('message', handlers.get(fn)); else port.off(event, fn);
    },
    start: () => port.start(),
    close: () => port.close(),
  };
};
process.parentPort = {
  on(event, fn) {
    if (event === 'message') parentPort.on('message', (m) => fn({ data: m.data, ports: m.ports.map(wrap) }));
  },
};
${load}
  .catch((error) => { parentPort.postMessage({ entryFailed: String(error && error.stack || error) }); });
`;
}

async function speaksThrough(entry: URL): Promise<void> {
  // A missing bundled copy first (as in dev), then the user's cache, which has the model.
  const cacheDir = assetPaths().cacheDir;
  const worker = new Worker(shim(entry), {
    eval: true,
    workerData: { entry: entry.href },
    env: { ...process.env, [WORKER_ENV.assetDirs]: [path.join(cacheDir, 'no-such-bundle'), cacheDir].join(path.delimiter) },
  });
  try {
    const failed = new Promise<never>((_, reject) => {
      worker.on('message', (m: { entryFailed?: string }) => {
        if (m.entryFailed !== undefined) reject(new Error(m.entryFailed));
      });
      worker.on('error', reject);
    });
    // A message that is not a connect: its port is not served.
    const stray = new MessageChannel();
    const strayEvents: unknown[] = [];
    stray.port2.on('message', (event: unknown) => strayEvents.push(event));
    worker.postMessage({ data: { type: 'hello-from-main' }, ports: [stray.port1] }, [stray.port1]);
    const { port1, port2 } = new MessageChannel();
    worker.postMessage({ data: CONNECT_MESSAGE, ports: [port1] }, [port1]);
    const events: WorkerEvent[] = [];
    const finished = new Promise<void>((resolve) => {
      port2.on('message', (event: WorkerEvent) => {
        events.push(event);
        if (event.id === 'e1' && (event.type === 'done' || event.type === 'error')) resolve();
      });
    });
    port2.postMessage({ type: 'speak', id: 'e1', text: 'Hi there.', voice: 'af_heart', speed: 1 });
    await Promise.race([finished, failed]);
    const mine = events.filter((e) => e.id === 'e1');
    assert.equal(mine.at(-1)?.type, 'done', JSON.stringify(mine.at(-1)));
    const chunk = mine.find((e) => e.type === 'chunk');
    assert.ok(chunk?.type === 'chunk' && chunk.pcm instanceof Float32Array && chunk.pcm.length > 0);
    assert.ok(
      events.some((e) => e.type === 'hello'),
      'the host greets each connected port',
    );
    assert.deepEqual(strayEvents, [], 'the port of a message that is not a connect is not served');
    port2.close();
    stray.port2.close();
  } finally {
    await worker.terminate();
  }
}

test('entry-electron serves a port handed over as Electron would, without importing electron', { timeout: TEST_TIMEOUT_MS }, async () => {
  await speaksThrough(ENTRY);
});

test(
  'the esbuild bundle of it (dist/worker) runs too: manifest inlined, inference thread beside it',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const { buildMain } = await import('../../../src-main/tools/build-main.ts');
    const written = await buildMain();
    const bundle = written.find((file) => file.endsWith(path.join('dist', 'worker', 'entry-electron.js')));
    assert.ok(bundle !== undefined);
    await speaksThrough(pathToFileURL(bundle));
  },
);
