// Tests (Node): honest readiness and the first-run fetch over the protocol, with the real model:
// an empty cache is `needs-fetch` worded as a first download; `fetch-model` installs it with
// download/verify progress and ends `ready` (the real engine warms up from the fetched files);
// two windows asking at once share one fetch; a warm-up failure is `failed` with its reason;
// variants are offered only when they can be had.

import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { assetPaths } from '../../../src-worker/assets/cache.ts';
import { fetchAssets } from '../../../src-worker/assets/fetch.ts';
import { loadManifest } from '../../../src-worker/assets/manifest.ts';
import { createEngine } from '../../../src-worker/engine/engine.ts';
import { fromNodePort } from '../../../src-worker/protocol/port-adapters.ts';
import { serve } from '../../../src-worker/serve/host.ts';
import { type FetchProgress } from '../../../src-worker/assets/fetch.ts';
import {
  isTerminal,
  type FetchProgressEvent,
  type ReadinessEvent,
  type WorkerEvent,
  type WorkerRequest,
} from '../../../src-worker/protocol/messages.ts';
import { createReadiness, progressTracker, type FetchProgressInfo } from '../../../src-worker/assets/readiness.ts';

const INT8_BYTES = 92_361_271;
const FP16_BYTES = 177_464_787;
const CONFIG_BYTES = 2_351;
const VOICES_BYTES = 54 * 522_240;

let scratch: string;
let from: string; // links to the verified cache's files, laid out like the cache

before(async () => {
  const real = (await fetchAssets({})).paths;
  scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'kokoro-readiness-'));
  from = path.join(scratch, 'from');
  await fsp.mkdir(path.join(from, 'voices'), { recursive: true });
  const manifest = loadManifest();
  for (const asset of [manifest.models.int8, manifest.config, ...manifest.voices]) {
    await fsp.symlink(path.join(real.cacheDir, asset.path), path.join(from, asset.path));
  }
});
after(() => fsp.rm(scratch, { recursive: true, force: true }));

/** Sends requests on one end of a channel served by `serve`, collecting events by request id. */
function connect(serveOn: (port: ReturnType<typeof fromNodePort>) => () => void) {
  const channel = new MessageChannel();
  const events: WorkerEvent[] = [];
  const waiters: Array<() => void> = [];
  channel.port2.on('message', (event: WorkerEvent) => {
    events.push(event);
    for (const wake of waiters.splice(0)) wake();
  });
  const stop = serveOn(fromNodePort(channel.port1));
  const of = (id: string) => events.filter((e) => e.id === id);
  const answered = async (id: string): Promise<WorkerEvent[]> => {
    while (!of(id).some(isTerminal)) await new Promise<void>((resolve) => waiters.push(resolve));
    return of(id);
  };
  return {
    send: (request: WorkerRequest) => channel.port2.postMessage(request),
    answered,
    close: () => {
      stop();
      channel.port1.close();
      channel.port2.close();
    },
  };
}

test(
  'an empty cache is a first run: needs-fetch, "download", never "again"; fetch-model installs it with progress and ends ready',
  { timeout: 5 * 60_000 },
  async () => {
    const paths = assetPaths({ cacheDir: path.join(scratch, 'first-run') });
    const engine = await createEngine({ assets: paths, verifyAssets: true });
    const readiness = createReadiness({
      warmUp: () => engine.warmUp(),
      paths,
      fetchOptions: { from, network: false, localMirrors: [] },
      probe: async () => false,
    });
    const page = connect((port) => serve(port, engine, readiness));
    try {
      page.send({ type: 'readiness', id: 'r1' });
      const first = await page.answered('r1');
      const states = first.filter((e): e is ReadinessEvent => e.type === 'readiness').map((e) => e.state);
      assert.equal(states.length, 2, 'the state at once, then with the variants');
      assert.deepEqual(
        first.map((e) => e.type),
        ['readiness', 'readiness', 'done'],
      );
      const [now] = states;
      assert.ok(now);
      assert.equal(now.status, 'needs-fetch');
      assert.equal(now.firstRun, true);
      assert.match(now.reason ?? '', /not downloaded yet: 56 files, 121 MB/);
      assert.match(now.action ?? '', /Fetch model.*download and verify them/);
      assert.doesNotMatch(`${now.reason} ${now.action}`, /again/);

      // Two windows ask at once: one fetch, both hear its progress and its end.
      page.send({ type: 'fetch-model', id: 'f1' });
      page.send({ type: 'fetch-model', id: 'f2' });
      const [a, b] = await Promise.all([page.answered('f1'), page.answered('f2')]);
      for (const events of [a, b]) {
        assert.equal(events.at(-1)?.type, 'done');
        const end = events.findLast((e): e is ReadinessEvent => e.type === 'readiness');
        assert.equal(end?.state.status, 'ready', JSON.stringify(end?.state));
      }
      const progress = a.filter((e): e is FetchProgressEvent => e.type === 'fetch-progress');
      const verifyingModel = progress.filter((p) => p.phase === 'verifying' && p.label === 'kokoro-v1.0.int8.onnx');
      assert.ok(verifyingModel.length >= 2, 'the model is shown being verified');
      assert.equal(verifyingModel.at(-1)?.bytes, 92_361_271);
      const installed = progress.filter((p) => p.phase === 'installed');
      assert.equal(installed.length, 56);
      assert.deepEqual(
        [installed.at(-1)?.filesDone, installed.at(-1)?.files, installed.at(-1)?.totalBytes],
        [56, 56, INT8_BYTES + CONFIG_BYTES + VOICES_BYTES],
      );
      assert.ok(
        b.some((e) => e.type === 'fetch-progress'),
        'the second window hears the same fetch',
      );

      page.send({ type: 'readiness', id: 'r2' });
      const later = (await page.answered('r2')).filter((e): e is ReadinessEvent => e.type === 'readiness');
      assert.equal(later[0]?.state.status, 'ready');
      // Only int8 can be had here: fp16 and fp32 have no local copy, no registry copy and their
      // official home did not answer.
      const variants = later[1]?.state.variants ?? [];
      assert.deepEqual(
        variants.map((v) => [v.variant, v.installed, v.available]),
        [
          ['int8', true, true],
          ['fp16', false, false],
          ['fp32', false, false],
        ],
      );
      assert.match(variants[1]?.reason ?? '', /kokoro-v1\.0\.fp16\.onnx cannot be downloaded here/);
    } finally {
      page.close();
      await engine.dispose();
    }
  },
);

test('a variant whose official home answers is offered, with its download size', async () => {
  const paths = assetPaths({ cacheDir: path.join(scratch, 'probe') });
  const asked: string[] = [];
  const readiness = createReadiness({
    warmUp: async () => undefined,
    paths,
    fetchOptions: { from, network: true, localMirrors: [] },
    probe: async (url) => {
      asked.push(url);
      return url.endsWith('fp16.onnx');
    },
  });
  const state = await new Promise<Parameters<NonNullable<Parameters<typeof readiness.state>[0]>>[0]>(
    (resolve) => void readiness.state(resolve),
  );
  const byVariant = Object.fromEntries(state.variants.map((v) => [v.variant, v]));
  assert.deepEqual([byVariant['int8']?.available, byVariant['fp16']?.available, byVariant['fp32']?.available], [true, true, false]);
  assert.equal(byVariant['fp16']?.downloadBytes, FP16_BYTES + CONFIG_BYTES + VOICES_BYTES, 'nothing of it is there yet');
  assert.equal(asked.length, 3, 'each official URL probed once');
});

test('a warm-up that fails for another reason is failed, with the reason and what to do', async () => {
  const paths = assetPaths({ cacheDir: path.join(scratch, 'warm') });
  await fetchAssets({ cacheDir: paths.cacheDir, from, network: false, localMirrors: [] });
  const readiness = createReadiness({
    warmUp: async () => {
      throw new Error('onnxruntime could not create a session: out of memory');
    },
    paths,
    probe: async () => false,
  });
  const state = await readiness.state();
  assert.equal(state.status, 'failed');
  assert.match(state.reason ?? '', /could not start: onnxruntime could not create a session: out of memory/);
  assert.match(state.action ?? '', /Fetch model/);

  // And a damaged file is needs-fetch worded as a repair: "again".
  await fsp.truncate(paths.model, 10);
  const damaged = await createReadiness({ warmUp: async () => undefined, paths, probe: async () => false }).state();
  assert.equal(damaged.status, 'needs-fetch');
  assert.equal(damaged.firstRun, false);
  assert.match(damaged.action ?? '', /download the damaged file\(s\) again/);
  assert.doesNotMatch(damaged.reason ?? '', /more file/);
});

test("progress is throttled per file but keeps each file's first and last event and every install", () => {
  let t = 0;
  const out: FetchProgressInfo[] = [];
  const track = progressTracker(
    (p) => out.push(p),
    () => t,
  );
  const feed: Array<[number, FetchProgress]> = [
    [0, { type: 'plan', files: 2, cached: 0, variant: 'int8', cacheDir: '/c', bytes: 300 }],
    [0, { type: 'transfer', label: 'm', bytes: 0, total: 200 }],
    [10, { type: 'transfer', label: 'm', bytes: 50, total: 200 }], // dropped: 10 ms after the last
    [150, { type: 'transfer', label: 'm', bytes: 100, total: 200 }],
    [160, { type: 'transfer', label: 'm', bytes: 200, total: 200 }], // last: kept
    [161, { type: 'verify', label: 'm', bytes: 100, total: 200 }], // new phase: kept
    [170, { type: 'verify', label: 'm', bytes: 150, total: 200 }], // dropped
    [175, { type: 'installed', asset: 'm', source: 's', done: 1, of: 2, bytes: 200 }],
  ];
  for (const [at, event] of feed) {
    t = at;
    track(event);
  }
  assert.deepEqual(
    out.map((p) => [p.phase, p.bytes, p.filesDone, p.files, p.totalBytes]),
    [
      ['downloading', 0, 0, 2, 300],
      ['downloading', 100, 0, 2, 300],
      ['downloading', 200, 0, 2, 300],
      ['verifying', 100, 0, 2, 300],
      ['installed', 200, 1, 2, 300],
    ],
  );
});
