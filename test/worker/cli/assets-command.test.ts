// Tests (Node): the `kokoro-bar fetch` command's arguments, exit codes and log-mode output.

import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { FETCH_USAGE, type Output, runFetchCommand } from '../../../src-worker/cli/assets-command.ts';
import { assetPaths, checkAssets } from '../../../src-worker/assets/cache.ts';
import { fetchAssets } from '../../../src-worker/assets/fetch.ts';

/** A non-TTY output that keeps what was written. */
function capture(): Output & { text: () => string } {
  const chunks: string[] = [];
  return { write: (s: string) => chunks.push(s), isTTY: false, text: () => chunks.join('') };
}

const scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'kokoro-cmd-'));
after(() => fsp.rm(scratch, { recursive: true, force: true }));

test('bad arguments exit 2 with a message naming them; --help exits 0', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--variant', 'fp8'], /Unknown model variant "fp8": use one of int8, fp16, fp32/],
    [['--bogus'], /Unknown option '--bogus'[\s\S]*Usage: kokoro-bar fetch/],
    [['stray'], /Unexpected argument 'stray'|positional/],
  ];
  for (const [argv, expected] of cases) {
    const out = capture();
    const err = capture();
    assert.equal(await runFetchCommand(argv, out, err), 2, argv.join(' '));
    assert.match(err.text(), expected);
    assert.equal(out.text(), '');
  }
  const out = capture();
  assert.equal(await runFetchCommand(['--help'], out, capture()), 0);
  assert.equal(out.text(), `${FETCH_USAGE}\n`);
});

test('fetch --from --cache installs into the cache and says where, then finds it verified', async () => {
  const from = (await fetchAssets({})).paths.cacheDir; // the verified default cache as a source
  const cache = path.join(scratch, 'cache');
  const out = capture();
  const err = capture();
  assert.equal(await runFetchCommand(['--from', from, '--cache', cache], out, err), 0, err.text());
  assert.match(out.text(), /^Fetching 56 file\(s\) into .*cache \(0 already verified\)$/m);
  assert.match(out.text(), /installed kokoro-v1\.0\.int8\.onnx from --from /);
  assert.match(out.text(), /installed 54 voice\(s\)/);
  assert.match(out.text(), /Kokoro int8 assets ready in .*cache \(56 installed from --from .*; 0 already verified; [\d.]+ s\)\.\n$/);
  assert.ok((await checkAssets(assetPaths({ cacheDir: cache }))).ok);

  const again = capture();
  assert.equal(await runFetchCommand(['--cache', cache, '--quiet'], again, capture()), 0);
  assert.match(again.text(), /^Kokoro int8 assets ready in .* \(all already verified; [\d.]+ s\)\.\n$/);
});

test('a fetch that cannot succeed exits 1 with the reason and the fix on stderr', async () => {
  const err = capture();
  const code = await runFetchCommand(
    ['--from', path.join(scratch, 'nowhere'), '--cache', path.join(scratch, 'c2'), '--variant', 'fp32', '--offline', '-q'],
    capture(),
    err,
  );
  assert.equal(code, 1);
  assert.match(
    err.text(),
    /^Fetch failed: Could not fetch \d+ of 56 model file\(s\)\. kokoro-v1\.0\.onnx: --from .*nowhere: not there\.\n/,
  );
  assert.match(err.text(), /npx kokoro-bar fetch --variant fp32 --from DIR/);
});
