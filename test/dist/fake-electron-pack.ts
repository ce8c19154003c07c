// Runs in the Node test runner (test/dist/fake-pack.test.ts): packs Kokoro Bar.app for macOS
// with the real electron-builder and the real electron-builder.yml on a machine that has no
// Electron for macOS, by handing electron-builder a stand-in Electron.app.
//
// [Note: A stand-in Electron.app]
// electron-builder copies an Electron.app, renames it and its helpers, rewrites their Info.plist
// files, flips the fuses in "Electron Framework", then writes app.asar, app.asar.unpacked and the
// extra resources into it. Only the executables' bytes come from Electron, and they do not
// matter to any of that: the stand-in has the same folders and plists, placeholder executables,
// and a framework file holding just the fuse wire (sentinel, version 1, eight fuses at Electron's
// defaults). Everything electron-builder does to our files, and every decision the config makes,
// is then real; signing and notarisation are skipped (they need macOS and a certificate) and
// are checked by the release workflow instead.

import { copyFileSync, cpSync, linkSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { APP_FILES } from '../../src-main/app/paths.ts';
import { PROJECT_ROOT, readBuilderConfig } from './builder-config.ts';

/** @electron/fuses' marker before the fuse wire, and Electron's default wire (see its docs). */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const FUSE_WIRE_VERSION = 1;
const DEFAULT_FUSE_WIRE = '10110001'; // RunAsNode … GrantFileProtocolExtraPrivileges
const HELPERS = ['', ' (GPU)', ' (Plugin)', ' (Renderer)'];

function infoPlist(entries: Record<string, string>): string {
  const body = Object.entries(entries).map(([k, v]) => `  <key>${k}</key>\n  <string>${v}</string>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n<dict>\n${body}\n</dict>\n</plist>\n`;
}

/** Writes the stand-in Electron.app (see [Note: A stand-in Electron.app]) into `dir`. */
export function writeStandInElectron(dir: string): void {
  const contents = path.join(dir, 'Electron.app', 'Contents');
  mkdirSync(path.join(contents, 'MacOS'), { recursive: true });
  mkdirSync(path.join(contents, 'Resources'), { recursive: true });
  writeFileSync(path.join(contents, 'MacOS', 'Electron'), '#!/bin/sh\n# stand-in\n', { mode: 0o755 });
  writeFileSync(path.join(contents, 'Resources', 'electron.icns'), 'icns\0\0\0\x08', 'latin1');
  writeFileSync(path.join(contents, 'Info.plist'), infoPlist({
    CFBundleExecutable: 'Electron', CFBundleIdentifier: 'com.github.Electron', CFBundleName: 'Electron',
    CFBundleDisplayName: 'Electron', CFBundleIconFile: 'electron.icns', CFBundlePackageType: 'APPL',
  }));
  const framework = path.join(contents, 'Frameworks', 'Electron Framework.framework');
  // Chromium's locales, which electronLanguages prunes.
  for (const locale of ['en', 'en_GB', 'fr', 'ja']) {
    const lproj = path.join(framework, 'Versions', 'A', 'Resources', `${locale}.lproj`);
    mkdirSync(lproj, { recursive: true });
    writeFileSync(path.join(lproj, 'locale.pak'), 'pak');
  }
  writeFileSync(path.join(framework, 'Electron Framework'), Buffer.concat([
    Buffer.from('stand-in framework\0', 'latin1'),
    Buffer.from(FUSE_SENTINEL, 'latin1'),
    Buffer.from([FUSE_WIRE_VERSION, DEFAULT_FUSE_WIRE.length]),
    Buffer.from(DEFAULT_FUSE_WIRE, 'latin1'),
  ]));
  for (const suffix of HELPERS) {
    const helper = path.join(contents, 'Frameworks', `Electron Helper${suffix}.app`, 'Contents');
    mkdirSync(path.join(helper, 'MacOS'), { recursive: true });
    writeFileSync(path.join(helper, 'MacOS', `Electron Helper${suffix}`), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(path.join(helper, 'Info.plist'), infoPlist({
      CFBundleExecutable: `Electron Helper${suffix}`, CFBundleIdentifier: 'com.github.Electron.helper',
      CFBundleName: `Electron Helper${suffix}`, CFBundlePackageType: 'APPL',
    }));
  }
}

/**
 * Lays out a project in `dir` that electron-builder can pack: our package.json, lock, config,
 * assets and production node_modules (hard links), the model assets from `assetCacheDir` (linked where the release
 * workflow fetches them), and placeholder bundles where `npm run build` writes the real ones.
 */
export function writePackableProject(dir: string, assetCacheDir: string): void {
  for (const file of ['package.json', 'package-lock.json', 'electron-builder.yml']) cpSync(path.join(PROJECT_ROOT, file), path.join(dir, file));
  cpSync(path.join(PROJECT_ROOT, 'assets'), path.join(dir, 'assets'), { recursive: true });
  for (const pkg of productionPackages()) linkTree(path.join(PROJECT_ROOT, pkg), path.join(dir, pkg));
  const from = readBuilderConfig().extraResources;
  const modelsFrom = Array.isArray(from) && typeof from[0] === 'object' && from[0] !== null ? from[0].from : undefined;
  if (!modelsFrom) throw new Error('electron-builder.yml: expected extraResources[0].from');
  mkdirSync(path.dirname(path.join(dir, modelsFrom)), { recursive: true });
  symlinkSync(assetCacheDir, path.join(dir, modelsFrom), 'dir');
  for (const file of Object.values(APP_FILES)) {
    if (file === APP_FILES.assetsDir) continue;
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), `// placeholder for ${file}\n`);
    writeFileSync(path.join(dir, `${file}.map`), '{}\n');
  }
}

/**
 * The production dependency folders of the checkout (relative, e.g. node_modules/onnxruntime-node),
 * as npm resolves them: the set electron-builder packs. (A symlinked node_modules would not do:
 * npm then reports nested dependencies as missing, and electron-builder leaves them out.)
 */
function productionPackages(): string[] {
  const json = execFileSync('npm', ['list', '--all', '--omit', 'dev', '--json', '--long', '--silent'], {
    cwd: PROJECT_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  type Node = { path?: string; dependencies?: Record<string, Node> };
  const found = new Set<string>();
  const walk = (node: Node): void => {
    for (const child of Object.values(node.dependencies ?? {})) {
      if (child.path && !found.has(child.path)) {
        found.add(child.path);
        walk(child);
      }
    }
  };
  walk(JSON.parse(json) as Node);
  return [...found].map((p) => path.relative(PROJECT_ROOT, p)).filter((p) => p.startsWith('node_modules')).sort();
}

/** Recreates the tree at `from` in `to` with hard links (copies across file systems). */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      // A nested node_modules holds its own packages, which npm lists (and we link) separately.
      if (entry.name !== 'node_modules') linkTree(source, target);
    } else if (entry.isSymbolicLink()) {
      symlinkSync(readlinkSync(source), target);
    } else {
      try {
        linkSync(source, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        copyFileSync(source, target);
      }
    }
  }
}

/** The Electron version the project installs (electron-builder reads it from node_modules). */
export function installedElectronVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * Packs the app for macOS arm64 (target `dir`: the .app, no dmg) with the real electron-builder
 * and config on a stand-in Electron, in `workDir`; returns the path of Kokoro Bar.app.
 */
export async function packWithStandInElectron(workDir: string, assetCacheDir: string): Promise<string> {
  const electronDist = path.join(workDir, 'electron-dist');
  const project = path.join(workDir, 'project');
  writeStandInElectron(electronDist);
  mkdirSync(project, { recursive: true });
  writePackableProject(project, assetCacheDir);
  const { build, Platform, Arch } = await import('electron-builder');
  await build({
    projectDir: project,
    targets: Platform.MAC.createTarget('dir', Arch.arm64),
    publish: 'never',
    // Only what a Linux machine cannot do is changed: Electron comes from the stand-in, and there
    // is no identity to sign with (electron-builder skips signing off macOS anyway).
    config: { electronDist, electronVersion: installedElectronVersion(), mac: { identity: null } },
  });
  const config = readBuilderConfig();
  return path.join(project, config.directories?.output ?? 'dist', 'mac-arm64', `${config.productName}.app`);
}
