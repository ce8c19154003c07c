// Tests (Node): the cache location, fetching the real assets from a local directory into a
// temporary cache, the cheap start-up check, the errors that name the file and the fix, and that
// the installed model is the official file and loads in onnxruntime-node.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import ort from 'onnxruntime-node';
import { KokoroError } from '../../../src-worker/engine/errors.ts';
import { type AssetPaths, assetPaths, checkAssets, defaultCacheDir, ensureAssets } from '../../../src-worker/assets/cache.ts';
import { fetchAssets } from '../../../src-worker/assets/fetch.ts';
import { loadManifest } from '../../../src-worker/assets/manifest.ts';
import { sha256File } from '../../../src-worker/assets/fetch-http.ts';

const OFFICIAL_INT8_SHA256 = '6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb';
const VOICE = 'voices/af_heart.bin';

let real: AssetPaths; // the verified default cache (pretest fills it)
let from: string; // a directory of links to the real files, laid out like the cache
let scratch: string;

before(async () => {
  real = (await fetchAssets({})).paths; // instant when cached
  scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'kokoro-assets-'));
  from = path.join(scratch, 'from');
  await fsp.mkdir(path.join(from, 'voices'), { recursive: true });
  for (const asset of [loadManifest().models.int8, loadManifest().config, ...loadManifest().voices]) {
    await fsp.symlink(path.join(real.cacheDir, asset.path), path.join(from, asset.path));
  }
});

after(async () => {
  await fsp.rm(scratch, { recursive: true, force: true });
});

/** A fresh cache filled from `from`, without the network or ../shared. */
async function freshCache(name: string): Promise<AssetPaths> {
  const cacheDir = path.join(scratch, name);
  const result = await fetchAssets({ cacheDir, from, network: false, localMirrors: [] });
  assert.equal(result.installed.length, 56);
  assert.ok(result.installed.every((i) => i.source === `--from ${from}`));
  return result.paths;
}

test('defaultCacheDir follows KOKORO_BAR_CACHE, then the platform convention', () => {
  const home = os.homedir();
  assert.equal(defaultCacheDir({ KOKORO_BAR_CACHE: '/x/y' }, 'linux'), '/x/y');
  assert.equal(defaultCacheDir({}, 'darwin'), path.join(home, 'Library', 'Caches', 'Kokoro Bar', 'models'));
  assert.equal(defaultCacheDir({}, 'linux'), path.join(home, '.cache', 'kokoro-bar'));
  assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/xdg' }, 'linux'), path.join('/xdg', 'kokoro-bar'));
  assert.equal(defaultCacheDir({ XDG_CACHE_HOME: 'relative' }, 'linux'), path.join(home, '.cache', 'kokoro-bar'));
});

test('assetPaths names the variant file, config and voices inside the cache', () => {
  const p = assetPaths({ cacheDir: '/c', variant: 'fp16' });
  assert.deepEqual(p, {
    model: path.join('/c', 'kokoro-v1.0.fp16.onnx'),
    config: path.join('/c', 'config.json'),
    voicesDir: path.join('/c', 'voices'),
    variant: 'fp16',
    cacheDir: '/c',
  });
  assert.equal(assetPaths({ cacheDir: '/c' }).variant, 'int8');
});

test('the installed model is the official int8 file and onnxruntime-node reads its inputs and outputs', async () => {
  assert.equal(await sha256File(real.model), OFFICIAL_INT8_SHA256);
  const session = await ort.InferenceSession.create(real.model);
  try {
    assert.deepEqual([...session.inputNames].sort(), ['speed', 'style', 'tokens']);
    assert.deepEqual([...session.outputNames], ['audio']);
  } finally {
    await session.release();
  }
  const config = JSON.parse(await fsp.readFile(real.config, 'utf8')) as { vocab: Record<string, number> };
  assert.equal(Object.keys(config.vocab).length, 114);
  assert.equal((await fsp.readdir(real.voicesDir)).filter((f) => f.endsWith('.bin')).length, 54);
});

test('fetch from a local directory installs and stamps everything; a second fetch does nothing', async () => {
  const paths = await freshCache('local');
  assert.equal(await sha256File(paths.model), OFFICIAL_INT8_SHA256);
  const check = await checkAssets(paths);
  assert.deepEqual(check.problems, []);
  assert.equal(check.checked, 56);
  await ensureAssets(paths);
  const again = await fetchAssets({ cacheDir: paths.cacheDir, network: false, localMirrors: [] });
  assert.equal(again.installed.length, 0);
  assert.equal(again.cached, 56);
  const leftovers = (await fsp.readdir(paths.cacheDir, { recursive: true })).filter((f) => /\.part$|\.lock$|\.downloads/.test(String(f)));
  assert.deepEqual(leftovers, []);
});

test('the cheap check catches a missing, a truncated and a replaced file, and a re-fetch repairs them', async () => {
  const paths = await freshCache('tamper');
  const voice = path.join(paths.cacheDir, VOICE);
  const config = paths.config;

  await fsp.truncate(paths.model, 1000);
  const bytes = await fsp.readFile(voice);
  bytes[100] = (bytes[100] ?? 0) ^ 0xff;
  await fsp.writeFile(voice, bytes); // same size, new bytes, new mtime
  await fsp.rm(config);

  const check = await checkAssets(paths);
  const kinds = Object.fromEntries(check.problems.map((p) => [p.asset, p.kind]));
  assert.deepEqual(kinds, { 'kokoro-v1.0.int8.onnx': 'wrong-size', 'config.json': 'missing', [VOICE]: 'damaged' });
  assert.ok(check.problems.every((p) => p.message.includes(p.file)));

  // Size-only trust (a sealed app bundle) still catches the truncation but not the edit.
  const sizeOnly = await checkAssets(paths, loadManifest(), { trust: 'size' });
  assert.deepEqual(sizeOnly.problems.map((p) => p.kind).sort(), ['missing', 'wrong-size']);

  const repaired = await fetchAssets({ cacheDir: paths.cacheDir, from, network: false, localMirrors: [] });
  assert.deepEqual(repaired.installed.map((i) => i.asset).sort(), ['config.json', 'kokoro-v1.0.int8.onnx', VOICE].sort());
  assert.equal(repaired.cached, 53);
  assert.ok((await checkAssets(paths)).ok);
});

test('ensureAssets errors name the file and the command that fixes it', async () => {
  const empty = assetPaths({ cacheDir: path.join(scratch, 'empty') });
  await assert.rejects(ensureAssets(empty), (error: unknown) => {
    assert.ok(error instanceof KokoroError);
    assert.equal(error.code, 'model-missing');
    assert.match(error.message, /not downloaded yet: 56 files, 121 MB, none in .*empty/);
    assert.match(error.action, /npx kokoro-bar fetch --cache ".*empty"` to download and verify them/);
    assert.doesNotMatch(`${error.message} ${error.action}`, /again/);
    return true;
  });

  const paths = await freshCache('corrupt');
  await fsp.truncate(path.join(paths.cacheDir, VOICE), 10);
  await assert.rejects(ensureAssets(paths), (error: unknown) => {
    assert.ok(error instanceof KokoroError);
    assert.equal(error.code, 'model-corrupt');
    assert.ok(error.message.includes(path.join(paths.cacheDir, VOICE)));
    assert.match(error.message, /10 bytes but should be 522240/);
    assert.doesNotMatch(error.message, /more file/);
    assert.match(error.action, /npx kokoro-bar fetch.*` to download the damaged file\(s\) again/);
    return true;
  });

  const fp16 = assetPaths({ cacheDir: paths.cacheDir, variant: 'fp16' });
  await assert.rejects(ensureAssets(fp16), (error: unknown) => {
    assert.ok(error instanceof KokoroError);
    // The truncated voice above is still there: counted once, beside the missing model.
    assert.match(error.message, /kokoro-v1\.0\.fp16\.onnx is missing\. \(1 more file\(s\) also need fixing\)$/);
    assert.match(
      error.action,
      /npx kokoro-bar fetch --variant fp16 --cache .*` to download the missing file\(s\) and the damaged one\(s\) again/,
    );
    return true;
  });
});

test('a tampered file in --from is an error and leaves nothing under the final name', async () => {
  const bad = path.join(scratch, 'bad-from');
  await fsp.mkdir(path.join(bad, 'voices'), { recursive: true });
  const bytes = await fsp.readFile(path.join(real.cacheDir, VOICE));
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  await fsp.writeFile(path.join(bad, VOICE), bytes);
  const cacheDir = path.join(scratch, 'bad-cache');
  await assert.rejects(fetchAssets({ cacheDir, from: bad, network: false, localMirrors: [from] }), (error: unknown) => {
    assert.ok(error instanceof KokoroError);
    assert.equal(error.code, 'model-corrupt');
    assert.ok(error.message.includes(path.join(bad, VOICE)));
    assert.match(error.message, /does not match its sha256/);
    return true;
  });
  const target = path.join(cacheDir, VOICE);
  await assert.rejects(fsp.stat(target), { code: 'ENOENT' });
  await assert.rejects(fsp.stat(`${target}.part`), { code: 'ENOENT' });
  await assert.rejects(fsp.stat(path.join(cacheDir, '.fetch.lock')), { code: 'ENOENT' });
});

test('a variant no source has fails with the reasons; one without a sha256 is refused', async () => {
  const cacheDir = path.join(scratch, 'fp16');
  await assert.rejects(fetchAssets({ cacheDir, variant: 'fp16', from, network: false, localMirrors: [] }), (error: unknown) => {
    assert.ok(error instanceof KokoroError);
    assert.equal(error.code, 'model-missing');
    assert.match(error.message, /Could not fetch 1 of 56 model file\(s\)\. kokoro-v1\.0\.fp16\.onnx: --from .*: not there/);
    assert.match(error.action, /--variant fp16/);
    return true;
  });

  const manifest = structuredClone(loadManifest());
  manifest.models.fp32.sha256 = null;
  await assert.rejects(
    fetchAssets({ cacheDir, variant: 'fp32', manifest, network: false, localMirrors: [] }),
    /No sha256 is known for kokoro-v1\.0\.onnx, so it cannot be verified and will not be installed/,
  );
});

test('two fetches into one cache at once take turns and both succeed', async () => {
  const cacheDir = path.join(scratch, 'concurrent');
  const run = () => fetchAssets({ cacheDir, from, network: false, localMirrors: [] });
  const [a, b] = await Promise.all([run(), run()]);
  assert.deepEqual([a.installed.length + b.installed.length, a.cached + b.cached], [56, 56]);
  assert.ok((await checkAssets(a.paths)).ok);

  // A lock left by a fetch that died is taken over, not waited on.
  const deadPid = spawnSync('true').pid;
  await fsp.writeFile(path.join(cacheDir, '.fetch.lock'), String(deadPid));
  const later = await fetchAssets({ cacheDir, network: false, localMirrors: [] });
  assert.equal(later.cached, 56);
  await assert.rejects(fsp.stat(path.join(cacheDir, '.fetch.lock')), { code: 'ENOENT' });
});

/** Copies a cache file by file, as `cp -r` without -p does: the same bytes, new mtimes. */
async function copyWithNewMtimes(source: string, dest: string): Promise<void> {
  for (const entry of await fsp.readdir(source, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const relative = path.relative(source, path.join(entry.parentPath, entry.name));
    await fsp.mkdir(path.dirname(path.join(dest, relative)), { recursive: true });
    await fsp.writeFile(path.join(dest, relative), await fsp.readFile(path.join(source, relative)));
  }
}

test('a byte-identical copy of a cache (new mtimes) is re-verified by hash, stamped, and accepted', async () => {
  const original = await freshCache('original');
  const copy = assetPaths({ cacheDir: path.join(scratch, 'copy') });
  await copyWithNewMtimes(original.cacheDir, copy.cacheDir);
  const before = await fsp.stat(copy.model);
  assert.notEqual(before.mtimeMs, (await fsp.stat(original.model)).mtimeMs, 'the copy has new mtimes');

  const verifying = new Set<string>();
  const check = await checkAssets(copy, loadManifest(), { onVerify: (asset) => verifying.add(asset) });
  assert.deepEqual(check.problems, []);
  assert.equal(verifying.size, 56, 'every file whose stamp no longer matched was hashed');
  await ensureAssets(copy);

  // Stamped again: the next check hashes nothing.
  verifying.clear();
  assert.ok((await checkAssets(copy, loadManifest(), { onVerify: (asset) => verifying.add(asset) })).ok);
  assert.equal(verifying.size, 0);
});

test('a truncated model in a copied cache is the one problem reported, and the fix is to fetch it again', async () => {
  const original = await freshCache('original-2');
  const copy = assetPaths({ cacheDir: path.join(scratch, 'copy-2') });
  await copyWithNewMtimes(original.cacheDir, copy.cacheDir);
  await fsp.truncate(copy.model, 1_000_000);
  const check = await checkAssets(copy);
  assert.deepEqual(
    check.problems.map((p) => [p.asset, p.kind]),
    [['kokoro-v1.0.int8.onnx', 'wrong-size']],
  );
  await assert.rejects(ensureAssets(copy), (error: unknown) => {
    assert.ok(error instanceof KokoroError);
    assert.equal(error.code, 'model-corrupt');
    assert.match(error.message, /1000000 bytes but should be 92361271/);
    assert.doesNotMatch(error.message, /more file/);
    assert.match(error.action, /again/);
    return true;
  });
});
