// Tests (Node): the import rule of [Note: Rooms] in eslint.config.js bites. Each case lints a
// one-import snippet placed at a path in a room (the file need not exist) and checks that the
// boundary rule reports it exactly when the import leaves the room.

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RULE = '@typescript-eslint/no-restricted-imports';

const eslint = new ESLint({ cwd: ROOT });

/** A value import that is used, so no other rule complains. */
const value = (from: string, name = 'x'): string => `import { ${name} } from '${from}';\nexport const used = ${name};\n`;
/** A type-only import. */
const typeOnly = (from: string): string => `import type { X } from '${from}';\nexport type Used = X;\n`;
/** A value import whose names are all inline `type` specifiers. */
const inlineType = (from: string): string => `import { type X } from '${from}';\nexport type Used = X;\n`;
/** A re-export, which crosses a boundary just as an import does. */
const reExport = (from: string): string => `export { x } from '${from}';\n`;

type Case = [file: string, code: string, forbidden: boolean];

const CASES: Case[] = [
  // src-renderer: itself and the contract room only; no Node, no Electron.
  ['src-renderer/views/a.tsx', value('../store/store.ts'), false],
  ['src-renderer/views/a.tsx', value('../../src-worker/protocol/messages.ts'), false],
  ['src-renderer/views/a.tsx', typeOnly('../../src-worker/protocol/messages.ts'), false],
  ['src-renderer/a.ts', value('react'), false],
  ['src-renderer/a.ts', value('zod'), false],
  ['src-renderer/views/a.tsx', value('../../src-worker/engine/engine.ts'), true],
  ['src-renderer/views/a.tsx', typeOnly('../../src-worker/engine/engine.ts'), true],
  ['src-renderer/a.ts', value('../src-worker/text/split.ts'), true],
  ['src-renderer/views/a.tsx', value('../../src-main/dev-host/wire.ts'), true],
  ['src-renderer/views/a.tsx', reExport('../../src-main/app/paths.ts'), true],
  ['src-renderer/views/a.tsx', value('../../test/seeded-random.ts'), true],
  ['src-renderer/a.ts', value('electron'), true],
  ['src-renderer/a.ts', typeOnly('electron'), true],
  ['src-renderer/a.ts', value('node:fs'), true],
  ['src-renderer/a.ts', value('fs'), true],
  ['src-renderer/a.ts', value('path'), true],
  ['src-renderer/a.ts', value('node:fs/promises'), true],

  // src-worker: never main, renderer or electron; Node and its own rooms are fine.
  ['src-worker/engine/a.ts', value('../text/split.ts'), false],
  ['src-worker/engine/a.ts', value('../protocol/messages.ts'), false],
  ['src-worker/engine/a.ts', value('node:fs'), false],
  ['src-worker/sessions/a.ts', value('onnxruntime-node'), false],
  ['src-worker/serve/a.ts', value('../../src-main/ipc/ipc-contract.ts'), true],
  ['src-worker/serve/a.ts', typeOnly('../../src-main/ipc/ipc-contract.ts'), true],
  ['src-worker/cli/a.ts', value('../../src-renderer/format.ts'), true],
  ['src-worker/serve/a.ts', value('electron'), true],
  ['src-worker/serve/a.ts', typeOnly('electron'), true],
  ['src-worker/serve/a.ts', value('../../test/worker/host-facts.ts'), true],

  // src-worker/protocol: itself and zod, nothing else.
  ['src-worker/protocol/a.ts', value('./messages.ts'), false],
  ['src-worker/protocol/a.ts', typeOnly('./wire.ts'), false],
  ['src-worker/protocol/a.ts', value('zod'), false],
  ['src-worker/protocol/a.ts', value('../engine/engine.ts'), true],
  ['src-worker/protocol/a.ts', typeOnly('../engine/engine.ts'), true],
  ['src-worker/protocol/a.ts', value('../../src-main/app/paths.ts'), true],
  ['src-worker/protocol/a.ts', value('node:path'), true],
  ['src-worker/protocol/a.ts', value('fs'), true],
  ['src-worker/protocol/a.ts', value('onnxruntime-node'), true],
  ['src-worker/protocol/a.ts', value('zod/mini'), true],

  // src-main: itself and the contract room; electron as types only outside main.ts and preload.
  ['src-main/tray/a.ts', value('../app/paths.ts'), false],
  ['src-main/tray/a.ts', value('../../src-worker/protocol/messages.ts'), false],
  ['src-main/tray/a.ts', value('node:fs'), false],
  ['src-main/tray/a.ts', typeOnly('electron'), false],
  ['src-main/tray/a.ts', inlineType('electron'), false],
  ['src-main/tray/a.ts', value('electron', 'app'), true],
  ['src-main/preload/worker-client.ts', value('electron', 'ipcRenderer'), true],
  ['src-main/tray/a.ts', value('../../src-worker/engine/engine.ts'), true],
  ['src-main/tray/a.ts', typeOnly('../../src-worker/assets/cache.ts'), true],
  ['src-main/tray/a.ts', reExport('../../src-worker/assets/cache.ts'), true],
  ['src-main/windows/a.ts', value('../../src-renderer/format.ts'), true],
  ['src-main/windows/a.ts', value('../../test/seeded-random.ts'), true],

  // The two Electron entries load electron; the room rule still holds for them.
  ['src-main/main.ts', value('electron', 'app'), false],
  ['src-main/preload/preload.ts', value('electron', 'contextBridge'), false],
  ['src-main/main.ts', value('./app/paths.ts'), false],
  ['src-main/main.ts', value('../src-worker/protocol/cache-dir.ts'), false],
  ['src-main/main.ts', value('../src-worker/assets/cache.ts'), true],
  ['src-main/main.ts', value('../src-renderer/format.ts'), true],
  ['src-main/preload/preload.ts', value('../../src-worker/engine/engine.ts'), true],

  // The dev host and the tools run the engine: src-worker is theirs, the renderer and electron are not.
  ['src-main/dev-host/a.ts', value('../../src-worker/engine/engine.ts'), false],
  ['src-main/dev-host/a.ts', value('../../src-worker/protocol/wire.ts'), false],
  ['src-main/tools/a.ts', value('../../src-worker/cli/cli.ts'), false],
  ['src-main/dev-host/a.ts', value('../../src-renderer/format.ts'), true],
  ['src-main/dev-host/a.ts', value('electron', 'app'), true],
  ['src-main/tools/a.ts', value('../../test/seeded-random.ts'), true],

  // Tests reach every room.
  ['test/worker/a.test.ts', value('../../src-worker/engine/engine.ts'), false],
  ['test/main/a.test.ts', value('../../src-main/app/paths.ts'), false],
  ['test/renderer/a.test.ts', value('../../src-renderer/format.ts'), false],
];

for (const [file, code, forbidden] of CASES) {
  const source = code.match(/from '([^']+)'/)?.[1] ?? '?';
  const kind = code.startsWith('import type')
    ? 'type '
    : code.includes('{ type')
      ? 'inline type '
      : code.startsWith('export')
        ? 're-export '
        : '';
  test(`${file}: ${kind}import of ${source} is ${forbidden ? 'reported' : 'allowed'}`, async () => {
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
    assert.ok(result, 'ESLint returned no result');
    const fatal = result.messages.filter((m) => m.fatal);
    assert.deepEqual(fatal, [], 'the snippet must parse');
    const others = result.messages.filter((m) => m.ruleId !== RULE);
    assert.deepEqual(others, [], 'only the boundary rule may speak');
    const reported = result.messages.some((m) => m.ruleId === RULE);
    assert.equal(reported, forbidden, result.messages.map((m) => m.message).join('\n') || 'no message');
  });
}
