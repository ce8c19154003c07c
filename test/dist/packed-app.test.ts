// Runs in the Node test runner: checks a Kokoro Bar.app that electron-builder really packed
// against the configuration and against what the app resolves at run time (resolveAppPaths,
// assetPaths). With KOKORO_BAR_PACKED_APP set (the macOS workflows, after `electron-builder
// --mac`) it checks that app, signed or not; without it, it first packs one here with the real
// electron-builder on a stand-in Electron (see [Note: A stand-in Electron.app]).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { extractFile, listPackage, statFile } from '@electron/asar';
import { getCurrentFuseWire, FuseV1Options } from '@electron/fuses';
import { APP_FILES, ASAR_FILE, ORT_NAPI_DIR, resolveAppPaths } from '../../src-main/app/paths.ts';
import { assetPaths, checkAssets, defaultCacheDir } from '../../src-worker/assets/cache.ts';
import { loadManifest } from '../../src-worker/assets/manifest.ts';
import { readBuilderConfig } from './builder-config.ts';
import { packWithStandInElectron } from './fake-electron-pack.ts';

/** Environment variable naming a packed .app to check instead of packing one here. */
const PACKED_APP_ENV = 'KOKORO_BAR_PACKED_APP';

/** Production dependencies the config leaves out of the app on purpose (files: in electron-builder.yml). */
const LEFT_OUT_OF_APP = ['tsx'];

const config = readBuilderConfig();
let workDir: string | undefined;
let contents = '';
let resources = '';
let asar = '';

before(async () => {
  let appDir = process.env[PACKED_APP_ENV];
  if (!appDir) {
    const cacheDir = defaultCacheDir();
    const check = await checkAssets(assetPaths({ cacheDir }));
    if (!check.ok) throw new Error(`The model assets the app bundles are not in ${cacheDir}: run \`npm run fetch-assets\` first.`);
    workDir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-bar-pack-'));
    appDir = await packWithStandInElectron(workDir, cacheDir);
  }
  contents = path.resolve(appDir, 'Contents');
  resources = path.join(contents, 'Resources');
  asar = path.join(resources, ASAR_FILE);
});

after(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

// `plist` comes with electron-builder (it writes Info.plist with it) and ships no types.
const plist = createRequire(import.meta.url)('plist') as { parse(xml: string): unknown };

function infoPlist(): Record<string, unknown> {
  return plist.parse(readFileSync(path.join(contents, 'Info.plist'), 'utf8')) as Record<string, unknown>;
}

/** Paths inside app.asar, with forward slashes and no leading slash. */
function asarEntries(): Set<string> {
  return new Set(listPackage(asar, { isPack: false }).map((p) => p.replace(/\\/g, '/').replace(/^\//, '')));
}

function isUnpacked(entry: string): boolean {
  const stat = statFile(asar, entry);
  return 'unpacked' in stat && stat.unpacked === true;
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function packedPaths() {
  return resolveAppPaths({
    isPackaged: true,
    appPath: asar,
    resourcesPath: resources,
    userDataPath: '/Users/ada/Library/Application Support/Kokoro Bar',
    assetCacheDir: '/Users/ada/Library/Caches/Kokoro Bar/models',
    platform: 'darwin',
    arch: 'arm64',
  });
}

test('Info.plist: our id, menu-bar only, the Apple Events reason, the icon, asar integrity', () => {
  const info = infoPlist();
  assert.equal(info['CFBundleIdentifier'], config.appId);
  assert.equal(info['CFBundleDisplayName'] ?? info['CFBundleName'], config.productName);
  assert.equal(info['LSUIElement'], true);
  assert.equal(info['NSAppleEventsUsageDescription'], config.mac?.extendInfo?.['NSAppleEventsUsageDescription']);
  assert.equal(info['LSMinimumSystemVersion'], config.mac?.minimumSystemVersion);
  const icon = String(info['CFBundleIconFile']);
  assert.ok(existsSync(path.join(resources, icon.endsWith('.icns') ? icon : `${icon}.icns`)), `icon ${icon} missing`);
  // enableEmbeddedAsarIntegrityValidation refuses to start without the archive's hash here.
  assert.ok(info['ElectronAsarIntegrity'], 'no ElectronAsarIntegrity in Info.plist');
});

test('app.asar holds the bundles resolveAppPaths names, and no sources or tests', () => {
  const entries = asarEntries();
  const paths = packedPaths();
  for (const file of [paths.rendererIndex, paths.preload, paths.workerEntry, path.join(asar, APP_FILES.main)]) {
    assert.ok(entries.has(path.relative(asar, file).split(path.sep).join('/')), `${file} is not in app.asar`);
  }
  const pkg = JSON.parse(extractFile(asar, 'package.json').toString('utf8')) as { main?: string; productName?: string };
  assert.equal(pkg.main, APP_FILES.main);
  // Electron names the app, and so the userData folder, after package.json's productName.
  assert.equal(pkg.productName, config.productName);
  const leaked = [...entries].filter((e) => /^(src-main|src-worker|src-renderer|test|models|assets\/mac|\.github)(\/|$)/.test(e) || e.endsWith('.map'));
  assert.deepEqual(leaked, []);
});

test('onnxruntime\'s binding, its dylibs and the worker are unpacked where the app loads them', () => {
  const paths = packedPaths();
  const natives = readdirSync(paths.onnxBinaryDir);
  assert.ok(natives.includes('onnxruntime_binding.node'), `no binding in ${paths.onnxBinaryDir}`);
  assert.ok(natives.some((f) => /^libonnxruntime\..*dylib$/.test(f)), `no dylib beside the binding: ${natives.join(', ')}`);
  for (const file of natives) assert.ok(isUnpacked(`${ORT_NAPI_DIR}/darwin/arm64/${file}`), `${file} is not marked unpacked in app.asar`);
  assert.ok(existsSync(paths.workerEntryOnDisk), `${paths.workerEntryOnDisk} is missing`);
  assert.ok(isUnpacked(APP_FILES.workerEntry), 'the worker is not marked unpacked in app.asar');
  // Only darwin/arm64 of onnxruntime's binaries is shipped.
  const otherPlatforms = [...asarEntries()].filter((e) => e.startsWith(`${ORT_NAPI_DIR}/`) && !e.startsWith(`${ORT_NAPI_DIR}/darwin`));
  assert.deepEqual(otherPlatforms.filter((e) => /\.(node|so[.\d]*|dll|dylib)$/.test(e)), []);
});

test('Resources/models holds the verified default model, config and every voice', async () => {
  const bundledDir = packedPaths().bundledAssetsDir;
  assert.ok(bundledDir);
  const manifest = loadManifest();
  const bundled = assetPaths({ cacheDir: bundledDir }, manifest);
  const check = await checkAssets(bundled, manifest, { trust: 'size' });
  assert.ok(check.ok, check.problems.map((p) => p.message).join('\n'));
  // The cheap check above is what the app runs; here hash every byte once.
  const entries = [manifest.models.int8, manifest.config, ...manifest.voices];
  for (const entry of entries) {
    const file = path.join(bundledDir, ...entry.path.split('/'));
    assert.equal(await sha256(file), entry.sha256, `${file} does not match the manifest`);
  }
  assert.deepEqual(readdirSync(bundledDir).sort(), [path.basename(bundled.model), path.basename(bundled.config), path.basename(bundled.voicesDir)].sort());
});

test('every package in app.asar finds its dependencies there (Node resolution, walking up)', () => {
  const entries = asarEntries();
  const has = (dir: string, name: string): boolean => entries.has(`${dir ? `${dir}/` : ''}node_modules/${name}/package.json`);
  const resolves = (fromDir: string, name: string): boolean => {
    const parts = fromDir ? fromDir.split('/') : [];
    for (let i = parts.length; i >= 0; i--) {
      const dir = parts.slice(0, i).join('/');
      if (!dir.endsWith('/node_modules') && dir !== 'node_modules' && has(dir, name)) return true;
    }
    return false;
  };
  type Pkg = { name?: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
  const read = (file: string): Pkg => JSON.parse(extractFile(asar, file).toString('utf8')) as Pkg;
  const root = read('package.json');
  const missing: string[] = [];
  for (const name of Object.keys(root.dependencies ?? {})) {
    if (!LEFT_OUT_OF_APP.includes(name) && !resolves('', name)) missing.push(`app → ${name}`);
  }
  for (const file of [...entries].filter((e) => /(^|\/)node_modules\/(@[^/]+\/)?[^/@]+\/package\.json$/.test(e))) {
    const dir = path.posix.dirname(file);
    const pkg = read(file);
    if (typeof pkg.name !== 'string') continue; // a nested package.json that only sets "type"
    for (const name of Object.keys(pkg.dependencies ?? {})) {
      if (!resolves(dir, name)) missing.push(`${pkg.name} → ${name}`);
    }
  }
  assert.deepEqual(missing, [], 'dependencies that would not resolve in the packaged app');
  assert.ok(has('', 'onnxruntime-node') && has('', 'onnxruntime-common'));
  for (const name of LEFT_OUT_OF_APP) assert.ok(!has('', name), `${name} was meant to stay out of the app`);
});

test('the Electron fuses are flipped as configured', async () => {
  const wire = await getCurrentFuseWire(path.dirname(contents));
  const expected: Array<[keyof NonNullable<typeof config.electronFuses>, FuseV1Options]> = [
    ['runAsNode', FuseV1Options.RunAsNode],
    ['enableCookieEncryption', FuseV1Options.EnableCookieEncryption],
    ['enableNodeOptionsEnvironmentVariable', FuseV1Options.EnableNodeOptionsEnvironmentVariable],
    ['enableNodeCliInspectArguments', FuseV1Options.EnableNodeCliInspectArguments],
    ['enableEmbeddedAsarIntegrityValidation', FuseV1Options.EnableEmbeddedAsarIntegrityValidation],
    ['onlyLoadAppFromAsar', FuseV1Options.OnlyLoadAppFromAsar],
  ];
  for (const [key, fuse] of expected) {
    const want = config.electronFuses?.[key];
    assert.equal(typeof want, 'boolean', `electronFuses.${key} is not set`);
    assert.equal(String.fromCharCode(wire[fuse] as number), want ? '1' : '0', `fuse ${key}`);
  }
});
