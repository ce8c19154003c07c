// Runs in the Node test runner: what electron-builder.yml packs is what the app looks for at run
// time. The paths come from src-main/app/paths.ts (resolveAppPaths, packaged, on a simulated
// Resources folder) and src-worker/assets/cache.ts (assetPaths); what gets packed, unpacked and copied
// comes from electron-builder's own file matchers applied to the real config and real files.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DebugLogger } from 'builder-util';
import * as fileMatcher from 'app-builder-lib/out/fileMatcher.js';
import type { Configuration, PlatformSpecificBuildOptions } from 'app-builder-lib';
import { APP_FILES, ASAR_FILE, ASAR_UNPACKED_DIR, BUNDLED_MODELS_DIR, ORT_NAPI_DIR, resolveAppPaths } from '../../src-main/app/paths.ts';
import { assetPaths } from '../../src-worker/assets/cache.ts';
import { loadManifest } from '../../src-worker/assets/manifest.ts';
import { PROJECT_ROOT, readBuilderConfig } from './builder-config.ts';

const RESOURCES = '/Applications/Kokoro Bar.app/Contents/Resources';
const ASAR_ROOT = path.join(RESOURCES, ASAR_FILE);
const ORT_DARWIN = path.join(PROJECT_ROOT, ...ORT_NAPI_DIR.split('/'), 'darwin');

type Filter = (file: string, stat: { isDirectory(): boolean }) => boolean;
type Matcher = { from: string; to: string; createFilter(): Filter };
/** electron-builder's internal matcher builders (in fileMatcher.js, not in its .d.ts). */
type Internals = {
  getMainFileMatchers(appDir: string, destination: string, macroExpander: (s: string) => string,
    options: PlatformSpecificBuildOptions, packager: unknown, outDir: string, isElectronCompile: boolean): Matcher[];
  getNodeModuleFileMatcher(appDir: string, destination: string, macroExpander: (s: string) => string,
    options: PlatformSpecificBuildOptions, packager: unknown): Matcher;
  getFileMatchers(config: Configuration, name: string, destination: string, options: {
    macroExpander: (s: string) => string; customBuildOptions: PlatformSpecificBuildOptions; globalOutDir: string; defaultSrc: string;
  }): Matcher[] | null;
};
const builder = fileMatcher as unknown as Internals;

const config = readBuilderConfig();
const mac = config.mac ?? {};
const outDir = path.resolve(PROJECT_ROOT, config.directories?.output ?? 'dist');
// ${arch} and friends as electron-builder expands them for the one target we build.
const expand = (s: string): string => s.replace(/\$\{arch\}/g, 'arm64').replace(/\$\{os\}/g, 'mac');
const packagerInfo = {
  projectDir: PROJECT_ROOT,
  buildResourcesDir: path.resolve(PROJECT_ROOT, config.directories?.buildResources ?? 'build'),
  isPrepackedAppAsar: false,
  config,
  debugLogger: new DebugLogger(false),
};
const matcherOptions = { macroExpander: expand, customBuildOptions: mac, globalOutDir: outDir, defaultSrc: PROJECT_ROOT };

const FILE = { isDirectory: () => false };
const DIR = { isDirectory: () => true };

/**
 * Whether electron-builder's walk reaches and keeps `relative`: every parent folder below the
 * first `walkStart` path segments, and then the file, pass. The app walk starts at the root; a
 * node module's walk starts at its own folder (node_modules/NAME); asarUnpack is asked per file.
 */
function keeps(filter: Filter, root: string, relative: string, walkStart = 1): boolean {
  const parts = relative.split('/');
  for (let i = walkStart; i < parts.length; i++) {
    if (!filter(path.join(root, ...parts.slice(0, i)), DIR)) return false;
  }
  return filter(path.join(root, ...parts), FILE);
}

const MODULE_WALK_START = 2; // node_modules/onnxruntime-node
const PER_FILE = Number.POSITIVE_INFINITY;

const mainFilter = builder.getMainFileMatchers(PROJECT_ROOT, ASAR_ROOT, expand, mac, { info: packagerInfo }, outDir, false)[0]!.createFilter();
const nodeModuleFilter = builder.getNodeModuleFileMatcher(PROJECT_ROOT, ASAR_ROOT, expand, mac, packagerInfo).createFilter();
const unpackMatchers = builder.getFileMatchers(config, 'asarUnpack', ASAR_ROOT, matcherOptions);
assert.ok(unpackMatchers?.[0], 'electron-builder.yml has no asarUnpack');
const unpackFilter = unpackMatchers[0].createFilter();

const packedApp = resolveAppPaths({
  isPackaged: true,
  appPath: ASAR_ROOT,
  resourcesPath: RESOURCES,
  userDataPath: '/Users/ada/Library/Application Support/Kokoro Bar',
  assetCacheDir: '/Users/ada/Library/Caches/Kokoro Bar/models',
  platform: 'darwin',
  arch: 'arm64',
});

/** Every file under `dir`, relative to PROJECT_ROOT with forward slashes. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(PROJECT_ROOT, path.join(d.parentPath, d.name)).split(path.sep).join('/'));
}

test('onnxruntime-node ships darwin/arm64 and no darwin/x64 (why the dmg is arm64 only)', () => {
  assert.deepEqual(readdirSync(ORT_DARWIN).sort(), ['arm64']);
  const arm64 = readdirSync(path.join(ORT_DARWIN, 'arm64'));
  assert.ok(arm64.includes('onnxruntime_binding.node'));
  assert.ok(arm64.some((f) => /^libonnxruntime\..*dylib$/.test(f)), `no dylib beside the binding: ${arm64.join(', ')}`);
  assert.deepEqual(mac.target, [{ target: 'dmg', arch: ['arm64'] }]);
});

test('the app archive gets the bundles, package.json and tray images, and no sources or build files', () => {
  const bundles = Object.entries(APP_FILES).filter(([key]) => key !== 'assetsDir').map(([, file]) => file);
  for (const file of ['package.json', ...bundles, 'dist/renderer/assets/index-abc123.js']) {
    assert.ok(keeps(mainFilter, PROJECT_ROOT, file), `${file} would not be packed`);
  }
  const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { main?: string };
  assert.equal(pkg.main, APP_FILES.main, 'package.json "main" must name the bundled main process');

  const tracked = execFileSync('git', ['ls-files'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  const trayImages = tracked.filter((f) => f.startsWith(`${APP_FILES.assetsDir}/`) && f.endsWith('.png') && !f.startsWith('assets/mac/'));
  for (const file of trayImages) assert.ok(keeps(mainFilter, PROJECT_ROOT, file), `${file} (tray image) would not be packed`);
  const leaked = tracked.filter((f) => f !== 'package.json' && !trayImages.includes(f) && keeps(mainFilter, PROJECT_ROOT, f));
  assert.deepEqual(leaked, [], 'tracked files that would be packed into app.asar');
  assert.ok(!keeps(mainFilter, PROJECT_ROOT, 'dist/main/main.js.map'), 'source maps would be packed');
});

test('of onnxruntime-node, only the JS and the darwin/arm64 binaries are packed', () => {
  const files = filesUnder(path.join(PROJECT_ROOT, 'node_modules', 'onnxruntime-node'));
  const packed = files.filter((f) => keeps(nodeModuleFilter, PROJECT_ROOT, f, MODULE_WALK_START));
  assert.ok(packed.includes('node_modules/onnxruntime-node/package.json'));
  assert.ok(packed.includes('node_modules/onnxruntime-node/dist/index.js'));
  assert.ok(packed.includes('node_modules/onnxruntime-node/dist/binding.js'));
  const binaries = packed.filter((f) => f.includes('/bin/'));
  assert.ok(binaries.length > 0);
  for (const f of binaries) assert.match(f, /\/bin\/napi-v6\/darwin\/arm64\//, `${f} would be packed`);
});

test('the native binaries and the worker are unpacked where resolveAppPaths looks for them', () => {
  const unpackedDir = path.join(RESOURCES, ASAR_UNPACKED_DIR);
  // The binding and its dylibs: every file of the folder, since the binding loads the dylib from beside itself.
  const natives = filesUnder(path.join(ORT_DARWIN, 'arm64'));
  for (const file of natives) {
    assert.ok(keeps(unpackFilter, PROJECT_ROOT, file, PER_FILE), `${file} would stay inside app.asar (dlopen cannot load it there)`);
    assert.equal(path.dirname(path.join(unpackedDir, file)), packedApp.onnxBinaryDir);
  }
  assert.ok(keeps(unpackFilter, PROJECT_ROOT, APP_FILES.workerEntry, PER_FILE), `${APP_FILES.workerEntry} is not unpacked`);
  assert.equal(packedApp.workerEntryOnDisk, path.join(unpackedDir, APP_FILES.workerEntry));
  // Main still forks the app.asar path; Electron reads the unpacked copy (see [Note: Worker outside the archive]).
  assert.equal(packedApp.workerEntry, path.join(ASAR_ROOT, APP_FILES.workerEntry));
  for (const file of [APP_FILES.main, APP_FILES.preload, APP_FILES.rendererIndex]) {
    assert.ok(!keeps(unpackFilter, PROJECT_ROOT, file, PER_FILE), `${file} is unpacked for no reason`);
  }
});

test('the bundled model, config and voices land where the worker will read them', () => {
  const extra = builder.getFileMatchers(config, 'extraResources', RESOURCES, matcherOptions);
  assert.ok(extra && extra.length === 1, 'expected exactly one extraResources entry');
  const [models] = extra;
  assert.equal(path.relative(RESOURCES, models!.to), BUNDLED_MODELS_DIR);
  const filter = models!.createFilter();

  // The source folder is the asset cache that the release workflow fills (KOKORO_BAR_CACHE).
  const manifest = loadManifest();
  const cacheFiles = [
    ...Object.values(manifest.models).map((m) => m.path),
    manifest.config.path,
    ...manifest.voices.map((v) => v.path),
    'verified.json',
    'kokoro-v1.0.int8.onnx.part',
    'ort/kokoro-v1.0.int8.optimized.onnx',
  ];
  const copied = new Set(cacheFiles.filter((f) => keeps(filter, models!.from, f)).map((f) => path.join(models!.to, f)));

  assert.ok(packedApp.bundledAssetsDir);
  const bundled = assetPaths({ cacheDir: packedApp.bundledAssetsDir }, manifest);
  const expected = [bundled.model, bundled.config, ...manifest.voices.map((v) => path.join(bundled.voicesDir, path.posix.basename(v.path)))];
  assert.deepEqual([...copied].sort(), expected.sort(), 'Resources/models must hold exactly the int8 model, config.json and every voice');
  assert.equal(path.basename(bundled.model), 'kokoro-v1.0.int8.onnx');
});

test('the workflows fill the folder that extraResources copies from, and git ignores it', () => {
  const [models] = builder.getFileMatchers(config, 'extraResources', RESOURCES, matcherOptions) ?? [];
  const from = path.relative(PROJECT_ROOT, models!.from);
  for (const workflow of ['release.yml', 'test.yml']) {
    const text = readFileSync(path.join(PROJECT_ROOT, '.github', 'workflows', workflow), 'utf8');
    assert.ok(text.includes(`KOKORO_BAR_CACHE: \${{ github.workspace }}/${from}`), `${workflow} does not fetch the assets into ${from}`);
  }
  execFileSync('git', ['check-ignore', '-q', `${from}/kokoro-v1.0.int8.onnx`], { cwd: PROJECT_ROOT });
});

test('the icon and entitlements the config names exist and stay out of the app', () => {
  for (const file of [mac.icon, mac.entitlements, mac.entitlementsInherit]) {
    assert.ok(file && existsSync(path.join(PROJECT_ROOT, file)) && statSync(path.join(PROJECT_ROOT, file)).size > 0, `${file} is missing`);
    assert.ok(!keeps(mainFilter, PROJECT_ROOT, file), `${file} would be packed into app.asar`);
  }
});

/** Where the bundles start (src-main/tools/build-main.ts) and the files loaded beside them by URL. */
const RUNTIME_ENTRY_POINTS = ['src-main/main.ts', 'src-worker/serve/entry-electron.ts', 'src-worker/sessions/inference-thread.js'];

/** Production dependencies the config leaves out of the app on purpose (see its files: list). */
const LEFT_OUT_OF_APP = ['tsx'];

test('every package the main and worker bundles load at run time is a shipped production dependency', async () => {
  // esbuild, as build:main runs it (packages external), but in memory: the externals it reports
  // are exactly what the bundles import from node_modules when the app runs.
  const { build } = await import('esbuild');
  const entryPoints = RUNTIME_ENTRY_POINTS.filter((f) => existsSync(path.join(PROJECT_ROOT, f)));
  assert.ok(entryPoints.includes('src-main/main.ts'), 'src-main/main.ts is missing');
  const result = await build({
    absWorkingDir: PROJECT_ROOT, entryPoints, bundle: true, write: false, metafile: true,
    platform: 'node', format: 'esm', packages: 'external', outdir: 'out', logLevel: 'silent',
  });
  const externals = new Set<string>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imported of output.imports) {
      if (!imported.external || imported.path.startsWith('node:') || imported.path.startsWith('.')) continue;
      const parts = imported.path.split('/');
      externals.add(imported.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  externals.delete('electron'); // provided by Electron itself
  const builtins = new Set((await import('node:module')).builtinModules);
  const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const shipped = new Set(Object.keys(pkg.dependencies ?? {}).filter((d) => !LEFT_OUT_OF_APP.includes(d)));
  const notShipped = [...externals].filter((name) => !builtins.has(name) && !shipped.has(name));
  assert.deepEqual(notShipped, [], 'imported at run time but not shipped (a devDependency, or left out of the app)');
  assert.ok(externals.has('onnxruntime-node'), `expected onnxruntime-node among ${[...externals].join(', ')}`);
  // The exclusion in electron-builder.yml is what LEFT_OUT_OF_APP describes.
  for (const name of LEFT_OUT_OF_APP) {
    assert.ok(!keeps(nodeModuleFilter, PROJECT_ROOT, `node_modules/${name}/package.json`, MODULE_WALK_START), `${name} would be packed`);
  }
});
