// Runs in the tests: the real `kokoro-bar` command (the package bin) in a child process: `say`
// writes a valid 24 kHz mono WAV of plausible length, input errors and usage errors exit with
// clear messages (text errors before the model is loaded), a killed `say` leaves a valid WAV,
// `voices` lists every voice; plus the WAV writer itself.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { WORKER_ENV } from '../../../src-worker/protocol/worker-env.ts';
import { WAV_HEADER_BYTES, createWavWriter, toInt16, wavHeader } from '../../../src-worker/cli/wav.ts';
import { seededRandom } from '../../seeded-random.ts';
import { modelFiles } from '../model-fixture.ts';

const BIN = fileURLToPath(new URL('../../../src-worker/cli/kokoro-bar.js', import.meta.url));
const files = await modelFiles();
const dir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-cli-'));

function run(
  args: string[],
  input?: string | Buffer,
  engine: object = { assets: files },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, [WORKER_ENV.engine]: JSON.stringify(engine) }, maxBuffer: 16 * 1024 * 1024 },
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
    {
      riff: wav.riff,
      wave: wav.wave,
      format: wav.format,
      channels: wav.channels,
      sampleRate: wav.sampleRate,
      bits: wav.bits,
      data: wav.data,
    },
    { riff: 'RIFF', wave: 'WAVE', format: 1, channels: 1, sampleRate: 24_000, bits: 16, data: 'data' },
  );
  assert.equal(wav.byteRate, 48_000);
  assert.equal(wav.dataSize, wav.fileSize - WAV_HEADER_BYTES);
  assert.equal(wav.riffSize, wav.fileSize - 8);
  const seconds = wav.samples.length / 24_000;
  assert.ok(seconds > 0.8 && seconds < 5, `${seconds} s for five words`);
  assert.ok(
    wav.samples.some((s) => Math.abs(s) > 1000),
    'not silence',
  );
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
    [['say', '--out', path.join(dir, 'x.wav'), '--speed', '9', 'Hi.'], 2, /--speed must be a number from 0\.5 to 2, not "9"/],
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

/** `length` seeded random bytes (not valid UTF-8 text). */
function randomBytes(length: number, seed: number): Buffer {
  const random = seededRandom(seed);
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
}

test('say checks the text before loading the model, in command-line words', async () => {
  // The model named here does not exist: only a check made before loading it can answer.
  const missing = { ...files, model: path.join(dir, 'no-such-model.onnx') };
  const cases: [string[], string | Buffer | undefined, string, RegExp][] = [
    [['say', '--out', path.join(dir, 'e.wav'), '   '], undefined, 'empty-text', /empty[\s\S]*kokoro-bar say "Hello"[\s\S]*standard input/],
    [['say', '--out', path.join(dir, 'e.wav'), '-'], '\n\n', 'empty-text', /empty/],
    [['say', '--out', path.join(dir, 'e.wav'), '\u200b\u200d '], undefined, 'empty-text', /empty[\s\S]*standard input/],
    [
      ['say', '--out', path.join(dir, 'a.wav'), 'مرحبا بالعالم'],
      undefined,
      'unsupported-script',
      /Arabic script, which the voices cannot read/,
    ],
    [['say', '--out', path.join(dir, 'c.wav'), '你好。世界！'], undefined, 'unsupported-script', /Chinese \(Han\) script/],
    [['say', '--out', path.join(dir, 'h.wav'), 'שלום עולם'], undefined, 'unsupported-script', /Hebrew script/],
    [['say', '--out', path.join(dir, 'j.wav'), '今日は晴れです。明日は雨！'], undefined, 'unsupported-script', /Japanese script/],
    [['say', '--out', path.join(dir, 'b.wav'), '-'], randomBytes(3072, 1), 'not-text', /does not look like text[\s\S]*UTF-8/],
    // Only punctuation and emoji (before: the model loaded first, 8–10 s and 330 MB to say so).
    [['say', '--out', path.join(dir, 'p.wav'), '...'], undefined, 'no-speakable-text', /nothing that can be spoken/],
    [['say', '--out', path.join(dir, 'p.wav'), '😀 ♥ — !?'], undefined, 'no-speakable-text', /nothing that can be spoken/],
  ];
  for (const [args, input, code, pattern] of cases) {
    const started = performance.now();
    const result = await run(args, input, { assets: missing });
    assert.equal(result.code, 1, `${code}: ${result.stderr}`);
    assert.match(result.stderr, pattern, code);
    assert.doesNotMatch(result.stderr, /Select or copy|model|dictionary/i, `${code}: ${result.stderr}`);
    console.log(`# ${code}: rejected in ${Math.round(performance.now() - started)} ms`);
  }
  // An unknown voice is found before the model too, from the voice files (before: 6.6 s, 327 MB).
  const voice = await run(['say', '--out', path.join(dir, 'v.wav'), '--voice', 'af_nobody', 'Hi.'], undefined, { assets: missing });
  assert.equal(voice.code, 1, voice.stderr);
  assert.match(voice.stderr, /Unknown voice "af_nobody"[\s\S]*Choose one of 54 voices/);
  // A speed out of range is a usage error found before the model, too.
  const slow = await run(['say', '--out', path.join(dir, 's.wav'), '--speed', '0.1', 'Hi.'], undefined, { assets: missing });
  assert.equal(slow.code, 2, slow.stderr);
  assert.match(slow.stderr, /--speed must be a number from 0\.5 to 2, not "0\.1"/);
});

test('say skips text the voices cannot read with a note, and speaks the rest', async () => {
  const out = path.join(dir, 'mixed.wav');
  const result = await run(['say', '--out', out, 'Hello שלום עולם there.']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /Note: Skipped 9 characters in Hebrew script: the voices read English only\./);
  assert.doesNotMatch(result.stderr, /dictionary/);
  const seconds = readWav(out).samples.length / 24_000;
  assert.ok(seconds > 0.4 && seconds < 3, `${seconds} s for "Hello there."`);
});

/** Starts `say` on a long text, waits for its first chunk on disk, sends `signal`; resolves to how it ended. */
async function interruptSay(out: string, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string }> {
  const text = Array.from({ length: 12 }, (_, i) => `This is sentence number ${i + 1} of a long text that takes a while to speak.`).join(
    ' ',
  );
  let stderr = '';
  const child = execFile(process.execPath, [BIN, 'say', '--out', out, text], {
    env: { ...process.env, [WORKER_ENV.engine]: JSON.stringify({ assets: files }) },
  });
  child.stderr?.on('data', (part: string) => (stderr += part));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  // Wait for the first chunk's samples, give its header update a moment, then signal.
  while (!(existsSync(out) && statSync(out).size > WAV_HEADER_BYTES)) await delay(50);
  await delay(300);
  child.kill(signal);
  return { code: await exited, stderr };
}

test('a killed say leaves a valid WAV of what it wrote', async () => {
  const out = path.join(dir, 'killed.wav');
  await interruptSay(out, 'SIGKILL');
  const wav = readWav(out);
  assert.ok(wav.dataSize > 0, 'the header counts the samples written');
  assert.ok(
    wav.dataSize <= wav.fileSize - WAV_HEADER_BYTES && wav.dataSize % 2 === 0,
    `${wav.dataSize} data bytes in a file of ${wav.fileSize}`,
  );
  assert.equal(wav.riffSize, wav.dataSize + WAV_HEADER_BYTES - 8);
  assert.ok(wav.dataSize < 12 * 4 * 48_000, 'killed before the end');
});

test('Ctrl-C or SIGTERM stops say with its WAV closed: the header counts exactly the samples present', async () => {
  // Before, both signals killed the process: no message, and a header one chunk short when the
  // signal came between a chunk's samples and its header update.
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    const out = path.join(dir, `${signal}.wav`);
    const result = await interruptSay(out, signal);
    assert.equal(result.code, code, `${signal}: ${result.stderr}`);
    assert.match(result.stderr, new RegExp(`Stopped \\(${signal}\\): .*${signal}\\.wav holds the [\\d.]+ s spoken so far`));
    const wav = readWav(out);
    assert.ok(wav.dataSize > 0, `${signal}: the header counts the samples written`);
    assert.equal(wav.dataSize, wav.fileSize - WAV_HEADER_BYTES, `${signal}: header and data agree`);
    assert.equal(wav.riffSize, wav.dataSize + WAV_HEADER_BYTES - 8);
    assert.ok(wav.dataSize < 12 * 4 * 48_000, `${signal}: stopped before the end`);
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
  assert.deepEqual(
    [...new Int16Array(toInt16(Float32Array.of(0, 1, -1, 2, -2, 0.5)).buffer.slice(0, 12))],
    [0, 32767, -32767, 32767, -32767, 16384],
  );
  const file = path.join(dir, 'unit.wav');
  const writer = await createWavWriter(file, 24_000);
  await writer.write(new Float32Array(100).fill(0.25));
  assert.equal(readWav(file).dataSize, 200, 'the header counts what is written before close');
  await writer.write(new Float32Array(50).fill(-0.25));
  assert.equal(readWav(file).riffSize, 36 + 300);
  assert.equal(await writer.close(), 150);
  const wav = readWav(file);
  assert.equal(wav.dataSize, 300);
  assert.equal(wav.samples.length, 150);
  assert.equal(wav.samples[0], 8192);
  assert.equal(wav.samples[149], -8192);
});

test('say on a terminal shows its progress after each chunk and clears the line at the end', async () => {
  const { main, progressLine } = await import('../../../src-worker/cli/cli.ts');
  assert.equal(progressLine(1.25, 5, 20), '\r\x1b[KSpeaking… 1.3 s of audio, 25 % of the text (Ctrl-C stops and keeps what is written)');
  assert.match(progressLine(0, 0, 0), / 0 % of the text/);
  // In this process, as a terminal user runs it: stderr is a TTY.
  const written: string[] = [];
  const io = {
    stdout: { write: () => true },
    stderr: { write: (t: string) => written.push(t), isTTY: true },
    stdin: process.stdin,
  };
  const saved = process.env[WORKER_ENV.engine];
  process.env[WORKER_ENV.engine] = JSON.stringify({ assets: files });
  try {
    const text = 'Kokoro Bar reads aloud. On a terminal it says how far it has got, chunk by chunk, as it goes.';
    const code = await main(['say', '--out', path.join(dir, 'progress.wav'), text], io);
    assert.equal(code, 0, written.join(''));
  } finally {
    if (saved === undefined) delete process.env[WORKER_ENV.engine];
    else process.env[WORKER_ENV.engine] = saved;
  }
  const percents = written.flatMap((t) => [...t.matchAll(/(\d+) % of the text/g)].map((m) => Number(m[1])));
  assert.ok(percents.length >= 2, `a progress line per chunk: ${JSON.stringify(written)}`);
  assert.deepEqual(
    percents,
    [...percents].sort((a, b) => a - b),
    'progress only moves forward',
  );
  assert.equal(percents.at(-1), 100);
  const last = written.findLastIndex((t) => t.includes('% of the text'));
  assert.ok(written.slice(last + 1).includes('\r\x1b[K'), 'the line is cleared before the summary');
  assert.match(written.at(-1) ?? '', /Wrote .*progress\.wav/);
});
