// Runs in the tests: the real `kokoro-bar` command (the package bin) in a child process: `say`
// writes a valid 24 kHz mono WAV of plausible length, input errors and usage errors exit with
// clear messages, `voices` lists every voice; plus the WAV writer itself.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ENGINE_ENV } from '../../src-worker/host.ts';
import { WAV_HEADER_BYTES, createWavWriter, toInt16, wavHeader } from '../../src-worker/wav.ts';
import { modelFiles } from './model-fixture.ts';

const BIN = fileURLToPath(new URL('../../src-worker/kokoro-bar.js', import.meta.url));
const files = await modelFiles();
const dir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-cli-'));

function run(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, [ENGINE_ENV]: JSON.stringify({ assets: files }) }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

// The fields of a canonical 44-byte WAV header.
function readWav(file: string) {
  const bytes = readFileSync(file);
  return {
    riff: bytes.toString('ascii', 0, 4),
    riffSize: bytes.readUInt32LE(4),
    wave: bytes.toString('ascii', 8, 12),
    format: bytes.readUInt16LE(20),
    channels: bytes.readUInt16LE(22),
    sampleRate: bytes.readUInt32LE(24),
    byteRate: bytes.readUInt32LE(28),
    bits: bytes.readUInt16LE(34),
    data: bytes.toString('ascii', 36, 40),
    dataSize: bytes.readUInt32LE(40),
    fileSize: bytes.length,
    samples: new Int16Array(bytes.buffer.slice(bytes.byteOffset + WAV_HEADER_BYTES, bytes.byteOffset + bytes.length)),
  };
}

test('say --out writes a valid 24 kHz mono WAV of plausible length and prints TTFA and RTF', async () => {
  const out = path.join(dir, 'hello.wav');
  const result = await run(['say', '--out', out, '--voice', 'af_heart:0.7,af_bella:0.3', 'Hello from the command line.']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /TTFA \(engine\) \d+ ms · RTF \d+\.\d+/);
  assert.match(result.stderr, new RegExp(`Wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const wav = readWav(out);
  assert.deepEqual(
    { riff: wav.riff, wave: wav.wave, format: wav.format, channels: wav.channels, sampleRate: wav.sampleRate, bits: wav.bits, data: wav.data },
    { riff: 'RIFF', wave: 'WAVE', format: 1, channels: 1, sampleRate: 24_000, bits: 16, data: 'data' },
  );
  assert.equal(wav.byteRate, 48_000);
  assert.equal(wav.dataSize, wav.fileSize - WAV_HEADER_BYTES);
  assert.equal(wav.riffSize, wav.fileSize - 8);
  const seconds = wav.samples.length / 24_000;
  assert.ok(seconds > 0.8 && seconds < 5, `${seconds} s for five words`);
  assert.ok(wav.samples.some((s) => Math.abs(s) > 1000), 'not silence');
});

test('say reads standard input with "-"', async () => {
  const out = path.join(dir, 'stdin.wav');
  const result = await run(['say', '--out', out, '-'], 'Piped text.\n');
  assert.equal(result.code, 0, result.stderr);
  assert.ok(statSync(out).size > WAV_HEADER_BYTES + 24_000);
});

test('bad input and bad usage exit non-zero with a message that says what to do', async () => {
  const cases: [string[], number, RegExp][] = [
    [['say', '--out', path.join(dir, 'x.wav'), '--voice', 'af_nobody', 'Hi.'], 1, /Unknown voice "af_nobody"[\s\S]*af_heart/],
    [['say', '--out', path.join(dir, 'x.wav'), '--speed', '9', 'Hi.'], 1, /speed 9 is out of range[\s\S]*0\.5 to 2/],
    [['say', '--out', path.join(dir, 'x.wav'), '   '], 1, /empty/],
    [['say', '--speed', 'fast', 'Hi.'], 2, /--speed must be a number/],
    [['say', '--out', path.join(dir, 'x.mp3'), 'Hi.'], 2, /\.wav/],
    [['say', '--loud', 'Hi.'], 2, /loud/],
    [['bench', '--preset', 'huge'], 2, /--preset must be short, medium, long or all/],
    [['bench', '--runs', '0'], 2, /--runs must be a whole number/],
    [['bench', '--threads', '2,0'], 2, /--threads must be whole numbers from 1 to 256/],
    [['bench', '--graph', 'fast'], 2, /--graph must be derived or original, not "fast"/],
    [['dance'], 2, /Unknown command "dance"[\s\S]*Usage/],
  ];
  for (const [args, code, pattern] of cases) {
    const result = await run(args);
    assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, pattern, args.join(' '));
  }
});

test('voices lists all 54 voices with their languages', async () => {
  const result = await run(['voices']);
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  assert.equal(lines.length, 54);
  assert.match(lines.find((l) => l.startsWith('bf_emma')) ?? '', /Emma\s+female\s+British English \(G2P en-gb\)/);
});

test('the WAV writer: header fields, clipping, and sizes filled in on close', async () => {
  const header = wavHeader(10, 24_000);
  assert.equal(header.length, WAV_HEADER_BYTES);
  assert.equal(header.readUInt32LE(40), 20);
  assert.deepEqual([...new Int16Array(toInt16(Float32Array.of(0, 1, -1, 2, -2, 0.5)).buffer.slice(0, 12))], [0, 32767, -32767, 32767, -32767, 16384]);
  const file = path.join(dir, 'unit.wav');
  const writer = await createWavWriter(file, 24_000);
  await writer.write(new Float32Array(100).fill(0.25));
  await writer.write(new Float32Array(50).fill(-0.25));
  assert.equal(await writer.close(), 150);
  const wav = readWav(file);
  assert.equal(wav.dataSize, 300);
  assert.equal(wav.samples.length, 150);
  assert.equal(wav.samples[0], 8192);
  assert.equal(wav.samples[149], -8192);
});
