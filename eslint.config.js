// Runs in the ESLint CLI (plain Node): the lint rules, and the import rule that keeps each process in
// its room. [Note: Rooms] src-renderer imports only src-renderer/** and src-worker/protocol/**;
// src-main imports src-main/** and src-worker/protocol/** (src-main/dev-host/** and src-main/tools/**
// run the engine and may import src-worker/**); src-worker never imports src-main, src-renderer or
// electron; src-worker/protocol imports only itself and zod. Electron is loaded at run time only by
// src-main/main.ts and the preload entry (elsewhere `import type` only).
// The rule reads the import string: every import in this tree is a relative path that names the
// room it enters (`../../src-worker/protocol/messages.ts`), so a folder name in the path is where it
// goes. test/lint/boundaries.test.ts proves each forbidden import is reported.

import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const CODE = '**/*.{ts,tsx,js,mjs,cjs}';

/** Node's built-in modules, with and without the `node:` prefix (the renderer and protocol have none). */
const NODE_BUILTINS = {
  regex: `^(node:.*|(${builtinModules.filter((name) => !name.startsWith('_')).join('|')})(/.*)?)$`,
  message: 'This room runs without Node: no Node built-in modules here.',
};

/** A path into src-main. */
const INTO_MAIN = { regex: '(^|/)src-main(/|$)', message: 'Only src-main may import src-main.' };
/** A path into src-renderer. */
const INTO_RENDERER = { regex: '(^|/)src-renderer(/|$)', message: 'Only src-renderer may import src-renderer.' };
/** A path into src-worker outside its contract room. */
const INTO_WORKER = {
  regex: '(^|/)src-worker/(?!protocol/)',
  message: 'Outside src-worker, import only src-worker/protocol/** (the dev host and tools are the exception).',
};
/** A path into test/ from product code. */
const INTO_TEST = { regex: '(^|/)test(/|$)', message: 'Product code never imports the tests.' };

/** Electron itself, no exception: rooms that never run inside Electron's main or preload. */
const NO_ELECTRON = {
  regex: '^electron(/.*)?$',
  message: 'This room never runs in Electron main: no electron imports, not even types.',
};
/** Electron at run time: main.ts and the preload entry load it and pass what they need in. */
const ELECTRON_TYPES_ONLY = {
  regex: '^electron(/.*)?$',
  allowTypeImports: true,
  message:
    'Only src-main/main.ts and the preload entry load electron at run time; use `import type` here and take the value as a parameter.',
};

/** The import rule for one room (flat config does not merge a rule's options: one block per file). */
function room(files, patterns) {
  return {
    files,
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
  };
}

export default defineConfig(
  { ignores: ['node_modules/', 'dist/', 'out/', 'release/', 'models/cache/', 'test-results/'] },
  {
    files: [CODE],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: { globals: globals.node },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_`-prefixed names are deliberate placeholders (an ignored parameter or destructured field).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests handle untyped data on purpose: Playwright callbacks read test hooks off the page's `window` (typed in the
    // renderer room), and the manifest tests break raw JSON.
    files: ['test/**', 'src-main/dev-host/measure-ttfa.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Test fakes build nested stand-in objects (webContents, a worklet port) whose methods reach the fake through a named `this`.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-this-alias': 'off' },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat.recommended],
    languageOptions: { globals: globals.browser },
  },

  // [Note: Rooms] One block per room, most general first; a later block replaces an earlier one's options.
  room(['src-worker/**'], [INTO_MAIN, INTO_RENDERER, INTO_TEST, NO_ELECTRON]),
  room(
    ['src-worker/protocol/**'],
    [
      { regex: '^\\.\\./', message: 'src-worker/protocol imports only itself (and zod).' },
      { regex: '^(?!\\./|zod$)', message: 'src-worker/protocol imports only itself and zod: no Node, no other packages.' },
    ],
  ),
  room(['src-main/**'], [INTO_RENDERER, INTO_WORKER, INTO_TEST, ELECTRON_TYPES_ONLY]),
  room(['src-main/dev-host/**', 'src-main/tools/**'], [INTO_RENDERER, INTO_TEST, ELECTRON_TYPES_ONLY]),
  room(['src-main/main.ts', 'src-main/preload/preload.ts'], [INTO_RENDERER, INTO_WORKER, INTO_TEST]),
  room(['src-renderer/**'], [INTO_MAIN, INTO_WORKER, INTO_TEST, NO_ELECTRON, NODE_BUILTINS]),
);
