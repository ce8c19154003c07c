// Runs in the Node test runner: the GitHub workflows pass actionlint (a real linter, built from
// the Go module proxy into a per-user tools cache on first use, never into the checkout), and
// they do what the distribution issue asks of them.
//
// [Note: actionlint from source]
// actionlint is a Go program; the Go module proxy serves its source, so `go install` builds the
// exact version pinned here wherever Go is installed, with nothing downloaded from release
// pages. The binary goes to $KOKORO_BAR_TOOLS or <XDG cache>/kokoro-bar-tools/actionlint-<ver>
// (built in a temp folder and renamed, so an interrupted build never leaves half a binary) and
// is reused by later runs. Where Go is missing the lint test is skipped with that reason. When
// shellcheck is on PATH, actionlint also lints every `run:` script with it.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { PROJECT_ROOT } from './builder-config.ts';

/** The actionlint release built and used (the newest on the Go module proxy when pinned). */
const ACTIONLINT_VERSION = 'v1.7.12';
const ACTIONLINT_MODULE = 'github.com/rhysd/actionlint/cmd/actionlint';
const TOOLS_ENV = 'KOKORO_BAR_TOOLS';
const WORKFLOW_DIR = path.join(PROJECT_ROOT, '.github', 'workflows');
/** Generous: a first build downloads and compiles actionlint's modules (~40 s on 2 cores). */
const BUILD_TIMEOUT_MS = 10 * 60 * 1000;

function toolsDir(): string {
  const override = process.env[TOOLS_ENV];
  if (override) return path.resolve(override);
  const xdg = process.env['XDG_CACHE_HOME'];
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'kokoro-bar-tools');
}

function hasCommand(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).error === undefined;
}

/** Path of the actionlint binary, building it first if needed (see [Note: actionlint from source]). */
function actionlint(): string {
  const dir = path.join(toolsDir(), `actionlint-${ACTIONLINT_VERSION}`);
  const binary = path.join(dir, process.platform === 'win32' ? 'actionlint.exe' : 'actionlint');
  if (existsSync(binary)) return binary;
  mkdirSync(path.dirname(dir), { recursive: true });
  const temp = mkdtempSync(`${dir}.building-`);
  try {
    execFileSync('go', ['install', `${ACTIONLINT_MODULE}@${ACTIONLINT_VERSION}`], {
      env: { ...process.env, GOBIN: temp, GOTOOLCHAIN: 'local' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: BUILD_TIMEOUT_MS,
    });
    renameSync(temp, dir);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    if (existsSync(binary)) return binary; // another run finished the same build first
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`Could not build actionlint ${ACTIONLINT_VERSION} with \`go install\`: ${stderr || String(error)}`);
  }
  return binary;
}

function runActionlint(args: string[], input?: string): { status: number | null; output: string } {
  const result = spawnSync(actionlint(), ['-no-color', '-oneline', ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    ...(input === undefined ? {} : { input }),
  });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const workflowFiles = readdirSync(WORKFLOW_DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const GO_MISSING = hasCommand('go') ? false : 'Go is not installed, so actionlint cannot be built from the Go module proxy';

type Workflow = {
  on: Record<string, unknown>;
  jobs: Record<string, { 'runs-on': string; env?: Record<string, string>; strategy?: { matrix?: { include?: Array<Record<string, string>> } }; steps: Array<{ run?: string; uses?: string; env?: Record<string, string> }> }>;
};

function readWorkflow(name: string): Workflow {
  return parseYaml(readFileSync(path.join(WORKFLOW_DIR, name), 'utf8')) as Workflow;
}

function allRuns(workflow: Workflow): string {
  return Object.values(workflow.jobs).flatMap((job) => job.steps.map((s) => s.run ?? '')).join('\n');
}

test('actionlint finds nothing in .github/workflows', { skip: GO_MISSING }, (t) => {
  t.diagnostic(`actionlint ${ACTIONLINT_VERSION}; shellcheck ${hasCommand('shellcheck') ? 'on PATH: run scripts linted too' : 'not on PATH: run scripts not linted'}`);
  const { status, output } = runActionlint(workflowFiles.map((f) => path.join('.github', 'workflows', f)));
  assert.equal(status, 0, `actionlint findings:\n${output}`);
});

test('actionlint does report a broken workflow (the lint can fail)', { skip: GO_MISSING }, () => {
  const broken = [
    'on: push',
    'jobs:',
    '  build:',
    '    runs-on: macos-14',
    '    steps:',
    '      - run: echo ${{ matrix.os }}',
    '      - uses: actions/checkout@v4',
    '        with: { fetch-depht: 1 }',
  ].join('\n');
  const { status, output } = runActionlint(['-stdin-filename', 'broken.yml', '-'], broken);
  assert.equal(status, 1, output);
  assert.match(output, /property "os" is not defined/);
  assert.match(output, /fetch-depht/);
});

test('every `npm run X` in the workflows names a script in package.json', () => {
  const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  for (const file of workflowFiles) {
    for (const [, script] of allRuns(readWorkflow(file)).matchAll(/npm run ([\w:-]+)/g)) {
      assert.ok(script && pkg.scripts?.[script], `${file} runs \`npm run ${script}\`, which package.json does not define`);
    }
  }
});

test('test.yml: npm test on every push, on Linux and on Apple Silicon with the CoreML tests on', () => {
  const workflow = readWorkflow('test.yml');
  assert.ok('push' in workflow.on);
  const test = workflow.jobs['test'];
  assert.ok(test);
  const include = test.strategy?.matrix?.include ?? [];
  assert.deepEqual(include.map((m) => m['os']), ['ubuntu-24.04', 'macos-14']);
  assert.equal(include.find((m) => m['os'] === 'macos-14')?.['coreml'], '1');
  assert.equal(test.env?.['KOKORO_BAR_TEST_COREML'], '${{ matrix.coreml }}');
  assert.match(allRuns(workflow), /npm test/);
  assert.match(allRuns(workflow), /electron-builder --mac dir --arm64/);
});

test('release.yml: on a tag, on macOS, tests, builds, signs, notarises, staples, attaches the dmg', () => {
  const workflow = readWorkflow('release.yml');
  assert.deepEqual(workflow.on['push'], { tags: ['v*'] });
  const release = workflow.jobs['release'];
  assert.ok(release);
  assert.match(release['runs-on'], /^macos-/);
  const runs = allRuns(workflow);
  const order = ['npm test', 'npm run build', 'electron-builder --mac dmg --arm64', 'notarytool submit', 'stapler staple', 'spctl --assess', 'gh release upload'];
  const positions = order.map((needle) => runs.indexOf(needle));
  for (const [i, needle] of order.entries()) assert.ok(positions[i]! >= 0, `release.yml never runs "${needle}"`);
  assert.deepEqual([...positions].sort((a, b) => a - b), positions, `release steps out of order: ${order.join(' → ')}`);
  // Signing and notarisation credentials come from secrets, never from the repository.
  const signing = release.steps.find((s) => s.run?.includes('electron-builder'));
  assert.equal(signing?.env?.['CSC_LINK'], '${{ secrets.CSC_LINK }}');
  assert.equal(signing?.env?.['CSC_KEY_PASSWORD'], '${{ secrets.CSC_KEY_PASSWORD }}');
  assert.equal(signing?.env?.['APPLE_API_KEY_ID'], '${{ secrets.APPLE_API_KEY_ID }}');
});
