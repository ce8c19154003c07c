// Tests (Node): registry packages are named by coordinates and fetched with the registry's own
// client (`pip download`, `npm pack`); the real clients, as this machine has them configured,
// deliver the manifest's exact files; and no registry host name is written anywhere in the
// repository (see [Note: Registry packages by coordinates] in src-worker/assets/fetch-registry.ts).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fsp, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadManifest } from '../../../src-worker/assets/manifest.ts';
import { extractMembers } from '../../../src-worker/assets/fetch-archive.ts';
import { sha256File } from '../../../src-worker/assets/fetch-http.ts';
import { packageLabel, registryCommands, systemRegistryClient } from '../../../src-worker/assets/fetch-registry.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

let scratch: string;
before(async () => {
  scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'kokoro-registry-'));
});
after(async () => {
  await fsp.rm(scratch, { recursive: true, force: true });
});

test('each registry package becomes its client command, coordinates only', () => {
  const cases: Array<[Parameters<typeof registryCommands>[0], string[]]> = [
    [
      [
        { registry: 'pypi', name: 'kokoro-onnx', version: '0.6.1', file: 'kokoro_onnx-0.6.1-py3-none-any.whl' },
        { registry: 'pypi', name: 'b', version: '2', file: 'b-2-py3-none-any.whl' },
      ],
      [
        'python3 -m pip download --no-deps --only-binary :all: --dest /d kokoro-onnx==0.6.1 b==2',
        'pip3 download --no-deps --only-binary :all: --dest /d kokoro-onnx==0.6.1 b==2',
        'pip download --no-deps --only-binary :all: --dest /d kokoro-onnx==0.6.1 b==2',
      ],
    ],
    [
      [{ registry: 'pypi', name: 'some-sdist', version: '1.0', file: 'some-sdist-1.0.tgz' }],
      [
        'python3 -m pip download --no-deps --dest /d some-sdist==1.0',
        'pip3 download --no-deps --dest /d some-sdist==1.0',
        'pip download --no-deps --dest /d some-sdist==1.0',
      ],
    ],
    [
      [{ registry: 'npm', name: 'kokoro-js', version: '1.2.1', file: 'kokoro-js-1.2.1.tgz' }],
      ['npm pack kokoro-js@1.2.1 --pack-destination /d --ignore-scripts --silent'],
    ],
  ];
  for (const [pkgs, expected] of cases) {
    assert.deepEqual(
      registryCommands(pkgs, '/d').map((c) => [c.command, ...c.args].join(' ')),
      expected,
      pkgs[0]?.name ?? '',
    );
  }
  assert.equal(packageLabel({ registry: 'pypi', name: 'kokoro-onnx', version: '0.6.1' }), 'PyPI kokoro-onnx 0.6.1');
});

test('every archive in the manifest is coordinates (registry, name, version, file, size, sha256), no URL', () => {
  for (const [key, archive] of Object.entries(loadManifest().archives)) {
    assert.deepEqual(Object.keys(archive).sort(), ['file', 'name', 'registry', 'sha256', 'size', 'version'], key);
  }
});

// The real path, once: this machine's pip and npm, as configured, deliver the manifest's files.
test('the real pip and npm deliver the exact files the manifest names', { timeout: 5 * 60_000 }, async () => {
  const { archives, config, voices } = loadManifest();
  for (const key of ['pypi-kokoro-onnx', 'npm-kokoro-js']) {
    const archive = archives[key];
    assert.ok(archive, key);
    await systemRegistryClient([archive], path.join(scratch, key));
    const file = path.join(scratch, key, archive.file);
    assert.equal((await fsp.stat(file)).size, archive.size, key);
    assert.equal(await sha256File(file), archive.sha256, key);
  }
  // And the members the assets are taken from are there, with the assets' bytes.
  const configPart = config.mirrors[0]?.parts[0];
  assert.ok(configPart);
  const wheel = path.join(scratch, 'pypi-kokoro-onnx', archives['pypi-kokoro-onnx']?.file ?? '');
  const fromWheel = await extractMembers(wheel, 'zip', [configPart.member]);
  assert.equal(fromWheel.get(configPart.member)?.length, config.size);
  const voicePart = voices[0]?.mirrors[0]?.parts[0];
  assert.ok(voicePart);
  const tarball = path.join(scratch, 'npm-kokoro-js', archives['npm-kokoro-js']?.file ?? '');
  const fromTarball = await extractMembers(tarball, 'tgz', [voicePart.member]);
  assert.equal(fromTarball.get(voicePart.member)?.length, voices[0]?.size);
});

test('no package registry host name is written anywhere in the repository', () => {
  // Built from pieces so this file does not itself hold what it looks for.
  const hosts = [
    ['files', 'pythonhosted', 'org'],
    ['pypi', 'org'],
    ['pypi', 'python', 'org'],
    ['registry', 'npmjs', 'org'],
    ['registry', 'npmjs', 'com'],
    ['registry', 'yarnpkg', 'com'],
    ['npmjs', 'com'],
  ].map((parts) => parts.join('.'));
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f !== '');
  const hits: string[] = [];
  for (const file of tracked) {
    let text: string;
    try {
      text = readFileSync(path.join(ROOT, file), 'utf8');
    } catch {
      continue; // deleted in the work tree
    }
    for (const host of hosts) if (text.includes(host)) hits.push(`${file}: ${host}`);
  }
  assert.deepEqual(hits, []);
});
