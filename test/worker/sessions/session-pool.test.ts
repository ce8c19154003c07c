// Runs in the tests: the SessionPool with the real model. CoreML cannot run on Linux, so the
// switching logic is exercised between real CPU sessions with different settings standing in for
// two providers; the real CoreML path is checked as far as it goes here (unavailable, with its
// reason) and, with KOKORO_BAR_TEST_COREML=1 on a Mac, for real.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { benchStorePath, decideAuto, saveBenchResult, thisMachine } from '../../../src-worker/sessions/auto-provider.ts';
import { COREML_UNITS } from '../../../src-worker/protocol/messages.ts';
import type { ProviderChoice } from '../../../src-worker/protocol/messages.ts';
import { assessProviders, detectProviders } from '../../../src-worker/sessions/providers.ts';
import { APPLE_M2_FACTS } from './host-facts.ts';
import { createKokoroSession, type RunOutput } from '../../../src-worker/sessions/session.ts';
import {
  CRASH_MARKER_FILE,
  SessionPool,
  type PoolSession,
  type SessionFactory,
  type SessionSpec,
} from '../../../src-worker/sessions/session-pool.ts';
import { modelFiles } from '../model-fixture.ts';

const REQUIRE_COREML = process.env['KOKORO_BAR_TEST_COREML'] === '1';
/** Pools under test keep no crash marker in the user's cache dir (one test checks the marker). */
const NO_MARKER = { crashMarkerPath: null };

/** Facts of an Apple Silicon Mac, so CoreML counts as runnable. */
const MAC_FACTS = APPLE_M2_FACTS;
const MAC_REPORT = assessProviders(MAC_FACTS);

const COREML_ALL: ProviderChoice = { provider: 'coreml', coreml: { units: 'all', mlProgram: true } };
const COREML_CPU_ONLY: ProviderChoice = { provider: 'coreml', coreml: { units: 'cpu-only', mlProgram: false } };

/** "hello" in vocab ids (h ə l ˈ o ʊ) between pads: a short chunk keeps each run about a second. */
const IDS = BigInt64Array.from([0, 50, 83, 54, 156, 57, 135, 0], BigInt);
const STYLE = new Float32Array(256).fill(0.05);
/** The shortest warm-up (one phoneme between pads), for pools whose warm-up is not under test. */
const QUICK_WARM_UP = { ids: BigInt64Array.from([0, 50, 0], BigInt), style: STYLE, speed: 1 };

let modelPath = '';
before(async () => {
  modelPath = (await modelFiles()).model;
});

/** Everything a test factory saw: each session it made, the runs on it and its releases. */
interface Made {
  key: string;
  id: number;
  runs: number;
  releases: number;
}

/**
 * A factory of real CPU sessions configured per key ("cpu" loads the cached optimised graph, the
 * stand-ins for other providers optimise the original model afresh), recording what happens to
 * each; `wrap` may change a session's behaviour (failures, hangs).
 */
function recordingFactory(
  made: Made[],
  events: string[],
  wrap: (spec: SessionSpec, session: PoolSession) => PoolSession = (_, s) => s,
  gate: (spec: SessionSpec) => Promise<void> = async () => {},
): SessionFactory {
  return async (spec) => {
    await gate(spec);
    const real = await createKokoroSession(modelPath, {
      executionProviders: ['cpu'],
      ...(spec.key === 'cpu' ? {} : { optimizedCacheDir: null }),
      warmUp: false,
    });
    const record: Made = { key: spec.key, id: made.length, runs: 0, releases: 0 };
    made.push(record);
    const session = wrap(spec, real);
    return {
      async run(ids, style, speed) {
        record.runs += 1;
        const audio = await session.run(ids, style, speed);
        events.push(`run ${record.key}#${record.id}`);
        return audio;
      },
      async release() {
        record.releases += 1;
        events.push(`release ${record.key}#${record.id}`);
        await session.release();
      },
    };
  };
}

/** Runs one utterance of `chunks` chunks on a lease, noting which session each chunk used. */
async function utterance(lease: Awaited<ReturnType<SessionPool['acquire']>>, chunks: number): Promise<number> {
  let samples = 0;
  for (let i = 0; i < chunks; i++) samples += (await lease.run(IDS, STYLE, 1)).pcm.length;
  lease.release();
  return samples;
}

test('Linux: CoreML is unavailable, the pool stays on CPU and says why (real detection)', { skip: REQUIRE_COREML }, async () => {
  const pool = new SessionPool({ ...NO_MARKER, modelPath, report: detectProviders(), threads: 2 });
  try {
    const state = await pool.setProvider(COREML_ALL);
    assert.equal(state.active, 'cpu');
    assert.deepEqual(state.requested, COREML_ALL);
    assert.equal(state.fallbackReason, 'CoreML is only available on macOS; using CPU.');
    assert.equal(state.options.find((o) => o.provider === 'coreml')?.available, false);
    assert.equal(state.model, path.basename(modelPath));

    const lease = await pool.acquire();
    assert.equal(lease.provider, 'cpu');
    assert.equal(lease.fallbackReason, 'CoreML is only available on macOS; using CPU.');
    const { pcm: audio, durations } = await lease.run(IDS, STYLE, 1);
    lease.release();
    assert.ok(audio.length > 0 && audio.some((v) => v !== 0), 'real audio from the CPU session');
    // The pool's sessions run the derived graph by default, and say so.
    assert.equal(pool.state().graph?.kind, 'derived', JSON.stringify(pool.state().graph));
    assert.equal(durations?.length, IDS.length, 'one duration per padded id');

    // A per-request CoreML override ends on CPU the same way.
    const once = await pool.acquire({ provider: 'coreml', coreml: { units: 'cpu-gpu', mlProgram: true } });
    assert.equal(once.provider, 'cpu');
    assert.equal(once.fallbackReason, 'CoreML is only available on macOS; using CPU.');
    once.release();

    const cold = pool.coldStart({ provider: 'cpu' });
    assert.ok(cold && cold.createMs > 0 && cold.firstRunMs > 0, JSON.stringify(cold));
  } finally {
    await pool.dispose();
  }
});

test(
  'CoreML session creation fails in onnxruntime: the pool ends on CPU with the reason',
  { skip: REQUIRE_COREML || process.platform === 'darwin' },
  async () => {
    // The report claims a Mac, so the real createKokoroSession really asks onnxruntime for CoreML.
    const pool = new SessionPool({ ...NO_MARKER, modelPath, report: MAC_REPORT, threads: 2, warmUp: QUICK_WARM_UP });
    try {
      const state = await pool.setProvider(COREML_ALL);
      assert.equal(state.active, 'cpu');
      assert.equal(state.fallbackReason, 'CoreML could not start: this copy of onnxruntime-node has no CoreML backend; using CPU.');
      const lease = await pool.acquire();
      assert.equal(lease.provider, 'cpu');
      assert.equal(lease.fallbackReason, state.fallbackReason);
      lease.release();
    } finally {
      await pool.dispose();
    }
  },
);

test(
  'KOKORO_BAR_TEST_COREML=1: a real CoreML session synthesises; every other unit choice runs or says why',
  { skip: !REQUIRE_COREML },
  async () => {
    const pool = new SessionPool({ ...NO_MARKER, modelPath });
    try {
      // The default choice must really run on CoreML.
      const state = await pool.setProvider(COREML_ALL);
      assert.equal(state.active, 'coreml', state.fallbackReason ?? '');
      assert.equal(state.fallbackReason, undefined);
      const lease = await pool.acquire();
      const { pcm: audio } = await lease.run(IDS, STYLE, 1);
      lease.release();
      // A run failure would have moved the lease to CPU; CoreML must have done it itself.
      assert.equal(lease.provider, 'coreml', lease.fallbackReason ?? '');
      assert.ok(audio.length > 0 && audio.some((v) => v !== 0));

      // The others: either CoreML runs them, or the pool is on CPU with a reason (printed for the log).
      for (const units of COREML_UNITS) {
        for (const mlProgram of [true, false]) {
          const choice: ProviderChoice = { provider: 'coreml', coreml: { units, mlProgram } };
          const s = await pool.setProvider(choice);
          const l = await pool.acquire();
          const { pcm } = await l.run(IDS, STYLE, 1);
          l.release();
          assert.ok(pcm.length > 0);
          if (s.active === 'cpu' || l.provider === 'cpu') assert.ok((s.fallbackReason ?? l.fallbackReason ?? '').length > 0);
          console.log(
            JSON.stringify({
              coreml: { units, mlProgram },
              active: s.active,
              run: l.provider,
              reason: s.fallbackReason ?? l.fallbackReason,
              coldStart: pool.coldStart(choice),
            }),
          );
        }
      }
    } finally {
      await pool.dispose();
    }
  },
);

test('switching under load: in-flight utterances finish on the old session, new ones use the new, nothing is lost', async () => {
  const made: Made[] = [];
  const events: string[] = [];
  let openGate: () => void = () => {};
  const gateOpen = new Promise<void>((resolve) => (openGate = resolve));
  // The second "provider" is held before it loads, so requests provably arrive during the switch.
  const gate = (spec: SessionSpec) => (spec.key === 'coreml/cpu-only/neuralnetwork' ? gateOpen : Promise.resolve());
  const pool = new SessionPool({
    ...NO_MARKER,
    modelPath,
    report: MAC_REPORT,
    factory: recordingFactory(made, events, undefined, gate),
    warmUp: QUICK_WARM_UP,
    prewarmFallback: false,
  });
  try {
    assert.equal((await pool.setProvider(COREML_ALL)).active, 'coreml');
    const old = made.find((m) => m.key === 'coreml/all/mlprogram');
    assert.ok(old);

    // Two utterances in flight on the old session.
    const a = await pool.acquire();
    const b = await pool.acquire();
    await a.run(IDS, STYLE, 1); // A's first chunk before the switch starts

    const switching = pool.setProvider(COREML_CPU_ONLY);
    assert.deepEqual(pool.state().requested, COREML_CPU_ONLY);
    assert.equal(pool.state().active, 'coreml');

    // C arrives during the warm-up: no gap, it gets the old session.
    const c = await pool.acquire();
    await Promise.all([utterance(b, 1), utterance(c, 1)]);
    openGate();
    const state = await switching;
    assert.equal(state.active, 'coreml');
    assert.deepEqual(state.requested, COREML_CPU_ONLY);
    assert.equal(state.fallbackReason, undefined);

    // A finishes after the swap, still on the old session; D uses the new one.
    const d = await pool.acquire();
    assert.equal(old.releases, 0, 'A still holds the old session');
    const [aSamples, dSamples] = await Promise.all([utterance(a, 1), utterance(d, 1)]);
    assert.ok(aSamples > 0 && dSamples > 0);

    const fresh = made.find((m) => m.key === 'coreml/cpu-only/neuralnetwork');
    assert.ok(fresh);
    // Old: its warm-up, A×2 (one chunk before the switch, one after), B, C. New: its warm-up, D.
    assert.equal(old.runs, 5, events.join('\n'));
    assert.equal(fresh.runs, 2, events.join('\n'));
    // Released exactly once, and only after the last run of the last lease on it.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(old.releases, 1);
    assert.equal(fresh.releases, 0);
    const lastOldRun = events.lastIndexOf(`run ${old.key}#${old.id}`);
    assert.ok(events.indexOf(`release ${old.key}#${old.id}`) > lastOldRun, events.join('\n'));
    // The CPU fallback was never needed, and its idle warm-up is off here, so it never loaded.
    assert.equal(made.filter((m) => m.key === 'cpu').length, 0);
  } finally {
    await pool.dispose();
  }
  assert.ok(
    made.every((m) => m.releases === 1),
    JSON.stringify(made),
  );
});

test('once CoreML is current, the CPU fallback warms up when idle', async () => {
  const made: Made[] = [];
  const pool = new SessionPool({ ...NO_MARKER, modelPath, report: MAC_REPORT, factory: recordingFactory(made, []), warmUp: QUICK_WARM_UP });
  try {
    assert.equal((await pool.setProvider(COREML_ALL)).active, 'coreml');
    assert.equal(made.filter((m) => m.key === 'cpu').length, 0, 'not during the switch');
    while (pool.coldStart({ provider: 'cpu' }) === undefined) await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(made.filter((m) => m.key === 'cpu').length, 1);
    assert.equal(pool.state().active, 'coreml');
  } finally {
    await pool.dispose();
  }
});

test('a CPU load that fails is tried again by the next request (e.g. after kokoro-bar fetch)', async () => {
  let calls = 0;
  const pool = new SessionPool({
    ...NO_MARKER,
    modelPath,
    report: MAC_REPORT,
    warmUp: QUICK_WARM_UP,
    factory: async (spec) => {
      calls += 1;
      if (calls === 1) throw new Error('The model file is missing.');
      return createKokoroSession(modelPath, { executionProviders: spec.executionProviders, warmUp: false });
    },
  });
  try {
    await assert.rejects(pool.acquire(), /The model file is missing/);
    const lease = await pool.acquire();
    assert.equal(lease.provider, 'cpu');
    lease.release();
    assert.equal(calls, 2);
  } finally {
    await pool.dispose();
  }
});

test('concurrent first callers share one load', async () => {
  const made: Made[] = [];
  const pool = new SessionPool({ ...NO_MARKER, modelPath, report: MAC_REPORT, factory: recordingFactory(made, []), warmUp: QUICK_WARM_UP });
  try {
    const leases = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    assert.equal(made.length, 1);
    assert.ok(leases.every((l) => l.provider === 'cpu' && l.fallbackReason === undefined));
    for (const lease of leases) {
      lease.release();
      lease.release(); // idempotent
    }
    await pool.prewarm();
    assert.equal(made.length, 1);
  } finally {
    await pool.dispose();
  }
});

test('a CoreML run failure finishes the request on CPU; a second one switches the pool to CPU', async () => {
  const made: Made[] = [];
  const events: string[] = [];
  // The "coreml" session passes its warm-up but throws on longer inputs, like the shape errors
  // this model shows under some CoreML flags.
  const failing = (spec: SessionSpec, session: PoolSession): PoolSession =>
    spec.provider !== 'coreml'
      ? session
      : {
          run: async (ids, style, speed) => {
            if (ids.length > IDS.length) throw new Error('Non-zero status code returned while running CoreML node.\nShape mismatch');
            return session.run(ids, style, speed);
          },
          release: () => session.release(),
        };
  const pool = new SessionPool({
    ...NO_MARKER,
    modelPath,
    report: MAC_REPORT,
    factory: recordingFactory(made, events, failing),
    warmUp: QUICK_WARM_UP,
  });
  const longer = BigInt64Array.from([0, 50, 83, 54, 156, 57, 135, 16, 50, 83, 0], BigInt);
  try {
    assert.equal((await pool.setProvider(COREML_ALL)).active, 'coreml');

    const first = await pool.acquire();
    assert.equal(first.provider, 'coreml');
    assert.ok((await first.run(IDS, STYLE, 1)).pcm.length > 0);
    assert.equal(first.provider, 'coreml');
    const { pcm: audio } = await first.run(longer, STYLE, 1);
    assert.ok(audio.length > 0 && audio.some((v) => v !== 0), 'the failed chunk was synthesised on CPU');
    assert.equal(first.provider, 'cpu');
    assert.equal(first.fallbackReason, 'CoreML failed on this text: Non-zero status code returned while running CoreML node; using CPU.');
    // The rest of the utterance stays on CPU.
    await first.run(IDS, STYLE, 1);
    first.release();
    assert.equal(pool.state().active, 'coreml', 'one failure does not give up on CoreML');

    const second = await pool.acquire();
    assert.ok((await second.run(longer, STYLE, 1)).pcm.length > 0);
    assert.equal(second.provider, 'cpu');
    second.release();
    const state = pool.state();
    assert.equal(state.active, 'cpu');
    assert.match(state.fallbackReason ?? '', /^CoreML failed 2 times in a row \(last: CoreML failed on this text: .*\); using CPU\.$/);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(made.find((m) => m.key === 'coreml/all/mlprogram')?.releases, 1);
    assert.equal(made.find((m) => m.key === 'cpu')?.releases, 0);
  } finally {
    await pool.dispose();
  }
});

test('a CoreML warm-up that never finishes counts as failed and leaves the pool on CPU', async () => {
  const made: Made[] = [];
  const hanging = (spec: SessionSpec, session: PoolSession): PoolSession =>
    spec.provider !== 'coreml' ? session : { run: () => new Promise<RunOutput>(() => {}), release: () => session.release() };
  const pool = new SessionPool({
    ...NO_MARKER,
    modelPath,
    report: MAC_REPORT,
    factory: recordingFactory(made, [], hanging),
    warmUp: QUICK_WARM_UP,
    warmUpTimeoutMs: 300,
  });
  try {
    const state = await pool.setProvider(COREML_ALL);
    assert.equal(state.active, 'cpu');
    assert.equal(state.fallbackReason, 'CoreML could not start: its first run did not finish within 0.3 s; using CPU.');
    const lease = await pool.acquire();
    assert.equal(lease.provider, 'cpu');
    assert.ok((await lease.run(IDS, STYLE, 1)).pcm.length > 0);
    lease.release();
  } finally {
    await pool.dispose();
  }
});

test('a CoreML run that stops answering finishes on CPU and the pool leaves CoreML at once', async () => {
  const made: Made[] = [];
  // Passes its warm-up, then never answers: a run stuck in CoreML.
  const stuck = (spec: SessionSpec, session: PoolSession): PoolSession => {
    if (spec.provider !== 'coreml') return session;
    let runs = 0;
    return {
      run: (ids, style, speed) => (++runs === 1 ? session.run(ids, style, speed) : new Promise<RunOutput>(() => {})),
      release: () => session.release(),
    };
  };
  const pool = new SessionPool({
    ...NO_MARKER,
    modelPath,
    report: MAC_REPORT,
    factory: recordingFactory(made, [], stuck),
    warmUp: QUICK_WARM_UP,
    runTimeoutMs: 300,
  });
  try {
    assert.equal((await pool.setProvider(COREML_ALL)).active, 'coreml');
    const lease = await pool.acquire();
    const { pcm: audio } = await lease.run(IDS, STYLE, 1);
    assert.ok(audio.length > 0);
    assert.equal(lease.provider, 'cpu');
    const reason = 'CoreML stopped responding (a run did not finish within 0.3 s); using CPU.';
    assert.equal(lease.fallbackReason, reason);
    lease.release();
    assert.equal(pool.state().active, 'cpu');
    assert.equal(pool.state().fallbackReason, reason);
  } finally {
    await pool.dispose();
  }
});

test('a CoreML choice that took the last worker down starts on CPU once, with the reason', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kokoro-pool-marker-'));
  const marker = path.join(dir, CRASH_MARKER_FILE);
  // Stand-in sessions: this test is about the marker file, not about synthesis.
  const keysSeenAtCreate: boolean[] = [];
  const factory: SessionFactory = async () => {
    keysSeenAtCreate.push(existsSync(marker));
    return { run: async () => ({ pcm: new Float32Array(24), durations: undefined, inferMs: 0 }), release: async () => {} };
  };
  try {
    // A normal CoreML start leaves no marker behind, and had one while it ran.
    const first = new SessionPool({ modelPath, report: MAC_REPORT, factory, crashMarkerPath: marker, prewarmFallback: false });
    assert.equal((await first.setProvider(COREML_ALL)).active, 'coreml');
    assert.deepEqual(keysSeenAtCreate, [true]);
    assert.equal(existsSync(marker), false);
    await first.dispose();

    // The previous worker died while starting CoreML (All, ML Program): its marker is still there.
    await writeFile(marker, JSON.stringify({ key: 'coreml/all/mlprogram', pid: 1 }));
    const next = new SessionPool({ modelPath, report: MAC_REPORT, factory, crashMarkerPath: marker, prewarmFallback: false });
    assert.equal(existsSync(marker), false, 'read once, then removed');
    const state = await next.setProvider(COREML_ALL);
    assert.equal(state.active, 'cpu');
    assert.equal(
      state.fallbackReason,
      "CoreML (All compute units, ML Program) stopped Kokoro Bar's speech engine the last time it started; using CPU. Choose it again to retry.",
    );
    // Other CoreML choices are not affected, and choosing it again retries.
    assert.equal((await next.setProvider(COREML_CPU_ONLY)).active, 'coreml');
    assert.equal((await next.setProvider(COREML_ALL)).active, 'coreml');
    await next.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('Auto uses the stored results of this machine, and CPU with a reason without them', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kokoro-pool-auto-'));
  const made: Made[] = [];
  const store = benchStorePath(dir);
  const me = thisMachine();
  const pool = new SessionPool({
    ...NO_MARKER,
    modelPath,
    report: MAC_REPORT,
    factory: recordingFactory(made, []),
    warmUp: QUICK_WARM_UP,
    prewarmFallback: false,
    chooseAuto: () => decideAuto(store, MAC_REPORT, me),
  });
  try {
    let state = await pool.setProvider({ provider: 'auto' });
    assert.equal(state.active, 'cpu');
    assert.match(state.fallbackReason ?? '', /until the benchmark has been run on this machine/);

    const stat = (v: number) => ({ p50: v, p95: v });
    const row = (provider: 'cpu' | 'coreml', ttfa: number, rtf: number) => ({
      preset: 'short' as const,
      provider,
      runs: 3,
      ttfaEngineMs: stat(ttfa),
      rtf: stat(rtf),
      floorMs: stat(ttfa),
      floorRtf: stat(rtf),
      audioSeconds: 2,
      peakRssBytes: 1,
      ...(provider === 'coreml' ? { choice: COREML_CPU_ONLY } : {}),
    });
    await saveBenchResult(store, {
      startedAt: new Date().toISOString(),
      machine: { ...me, cores: 2, memoryBytes: 1, node: process.version, onnxruntime: '1.30.0', model: 'm' },
      rows: [row('cpu', 900, 0.9), row('coreml', 200, 0.2)],
    });
    state = await pool.setProvider({ provider: 'auto' });
    assert.equal(state.active, 'coreml');
    assert.deepEqual(state.requested, { provider: 'auto' });
    assert.match(state.fallbackReason ?? '', /^Auto chose CoreML \(CPU only, NeuralNetwork\)/);
    assert.ok(made.some((m) => m.key === 'coreml/cpu-only/neuralnetwork'));
  } finally {
    await pool.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});
