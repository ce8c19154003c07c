// Runs in the Electron main process (and the packaging tests): every path the app needs at run
// time, for the dev layout (`electron .` in a checkout) and the packaged layout (Kokoro Bar.app),
// from facts main reads off Electron and injects. Plain Node: no Electron import here.
//
// [Note: Packaged layout]
// electron-builder.yml packs the app like this (test/dist/packaging.test.ts holds the two
// files to each other):
//
//   Kokoro Bar.app/Contents/Resources/
//     app.asar                      dist/** (main, preload, renderer, worker), assets/**, and
//                                   node_modules/** of the production dependencies
//     app.asar.unpacked/            what must be a real file on disk:
//       node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64/
//                                   the .node binding and libonnxruntime*.dylib (dlopen cannot
//                                   read inside an archive, and the binding finds the dylib
//                                   beside itself through @loader_path)
//       dist/worker/**              the worker bundle (see [Note: Worker outside the archive])
//     models/                       the default int8 model, config.json and voices/*.bin, in the
//                                   same layout as the asset cache, so the first launch speaks
//                                   with no download
//     app.icns
//
// The app resolves files inside app.asar by their app.asar path: Electron's archive layer reads
// unpacked entries from app.asar.unpacked by itself, and module resolution keeps walking
// app.asar/node_modules. Nothing under Resources is writable (it is sealed by the code signature),
// so everything the app writes (settings, onnxruntime's optimised-graph cache, downloaded model
// variants) goes to the user's folders.
//
// [Note: Worker outside the archive]
// The worker bundle (dist/worker/: the utility-process entry and the inference thread loaded
// beside it by URL) is unpacked so that the utility process, a separate helper executable, and
// its worker_threads thread start from real files, whatever a Node loader's support for archives.
// Main still passes the app.asar path (`workerEntry`), and the thread must be started from the
// bundle's own import.meta.url (which is then that path) too: Electron redirects the reads to the
// unpacked copy, and `import 'onnxruntime-node'` resolves inside app.asar/node_modules. From the
// app.asar.unpacked path it would not: that folder holds only the unpacked files, not
// onnxruntime-common and the other dependencies (test/dist/packed-app.test.ts).

import path from 'node:path';

/** Folder, inside Resources, that holds the default model, config and voices of a packaged app. */
export const BUNDLED_MODELS_DIR = 'models';

/** The archive electron-builder makes of the app, and the folder of its unpacked entries. */
export const ASAR_FILE = 'app.asar';
export const ASAR_UNPACKED_DIR = 'app.asar.unpacked';

/** The bundled entry points, relative to the app root (the checkout, or app.asar). */
export const APP_FILES = {
  main: 'dist/main/main.js',
  preload: 'dist/main/preload.cjs',
  rendererIndex: 'dist/renderer/index.html',
  workerEntry: 'dist/worker/entry-electron.js',
  assetsDir: 'assets',
} as const;

/** Settings file name inside the user-data folder (src-main/settings/settings.ts owns its contents). */
export const SETTINGS_FILE_NAME = 'settings.json';

/** Folder, inside the user-data folder, for onnxruntime's optimised-graph cache. */
export const ORT_CACHE_DIR_NAME = 'ort-cache';

/** onnxruntime-node's N-API folder; its binding.js loads `bin/napi-v6/<platform>/<arch>/`. */
export const ORT_NAPI_DIR = 'node_modules/onnxruntime-node/bin/napi-v6';

/** What main knows about where it runs, read off Electron's `app` and `process`. */
export interface AppPathFacts {
  /** `app.isPackaged`. */
  isPackaged: boolean;
  /** `app.getAppPath()`: the checkout in dev, `<resources>/app.asar` when packaged. */
  appPath: string;
  /** `process.resourcesPath`: `Kokoro Bar.app/Contents/Resources` when packaged. */
  resourcesPath: string;
  /** `app.getPath('userData')`: `~/Library/Application Support/Kokoro Bar` on macOS. */
  userDataPath: string;
  /** The per-user asset cache (the rule of src-worker/protocol/cache-dir.ts). */
  assetCacheDir: string;
  /** `process.platform` and `process.arch`, for the native binding's folder. */
  platform: NodeJS.Platform;
  arch: string;
}

/** Every run-time path of the app. */
export interface AppPaths {
  /** Root the bundled files are resolved against: the checkout, or app.asar. */
  appRoot: string;
  /** The renderer's page, for `BrowserWindow.loadFile`. */
  rendererIndex: string;
  /** The preload script, for `webPreferences.preload`. */
  preload: string;
  /** The worker's Electron entry, for `utilityProcess.fork` (see [Note: Worker outside the archive]). */
  workerEntry: string;
  /** Where the worker bundle really is on disk (the unpacked copy when packaged). */
  workerEntryOnDisk: string;
  /** Tray icons and other images the app loads. */
  assetsDir: string;
  /** The real folder of onnxruntime-node's binding and dylibs on this platform. */
  onnxBinaryDir: string;
  /** Default model, config and voices shipped inside the app; null in dev, where nothing is bundled. */
  bundledAssetsDir: string | null;
  /** The writable asset cache: fetched model variants and voices. */
  userAssetsDir: string;
  /** Asset folders in the order to look in: the bundled copy first, then the user's cache. */
  assetDirs: string[];
  /** The versioned settings JSON. */
  settingsFile: string;
  /** onnxruntime's optimised-graph cache (must be writable, so never inside the app). */
  ortCacheDir: string;
}

/** Resolves every run-time path for the dev or the packaged layout (see [Note: Packaged layout]). */
export function resolveAppPaths(facts: AppPathFacts): AppPaths {
  for (const key of ['appPath', 'resourcesPath', 'userDataPath', 'assetCacheDir'] as const) {
    if (!path.isAbsolute(facts[key])) {
      throw new Error(`resolveAppPaths: ${key} must be an absolute path, got "${facts[key]}".`);
    }
  }
  const appRoot = facts.appPath;
  const inApp = (relative: string): string => path.join(appRoot, ...relative.split('/'));
  // Entries unpacked from the archive sit at the same relative path under app.asar.unpacked.
  const onDisk = (relative: string): string =>
    facts.isPackaged ? path.join(facts.resourcesPath, ASAR_UNPACKED_DIR, ...relative.split('/')) : inApp(relative);

  const bundledAssetsDir = facts.isPackaged ? path.join(facts.resourcesPath, BUNDLED_MODELS_DIR) : null;
  const userAssetsDir = facts.assetCacheDir;
  return {
    appRoot,
    rendererIndex: inApp(APP_FILES.rendererIndex),
    preload: inApp(APP_FILES.preload),
    workerEntry: inApp(APP_FILES.workerEntry),
    workerEntryOnDisk: onDisk(APP_FILES.workerEntry),
    assetsDir: inApp(APP_FILES.assetsDir),
    onnxBinaryDir: onDisk(`${ORT_NAPI_DIR}/${facts.platform}/${facts.arch}`),
    bundledAssetsDir,
    userAssetsDir,
    assetDirs: bundledAssetsDir === null ? [userAssetsDir] : [bundledAssetsDir, userAssetsDir],
    settingsFile: path.join(facts.userDataPath, SETTINGS_FILE_NAME),
    ortCacheDir: path.join(facts.userDataPath, ORT_CACHE_DIR_NAME),
  };
}
