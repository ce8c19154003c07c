// Runs under node:test: the JXA scripts behind Speak Selection, run against a fake of the few
// Objective-C bridge calls they make (no macOS here). It checks their JavaScript and logic (every
// item and type saved and written back, the wait for released modifiers), not the bridge itself.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COPY_SCRIPT, RESTORE_SCRIPT, SAVE_SCRIPT } from '../../../src-main/selection/pasteboard-scripts.ts';

type Item = Record<string, string>;

interface Wrapped {
  js: string;
  isNil(): boolean;
  writeToFileAtomicallyEncodingError(path: Wrapped): boolean;
}

function fakeBridge(pasteboard: Item[], files: Map<string, string>) {
  const wrap = (text: string): Wrapped => ({
    js: text,
    isNil: () => false,
    writeToFileAtomicallyEncodingError: (path) => {
      files.set(path.js, text);
      return true;
    },
  });
  const nsArray = <T>(values: T[]) => ({ count: values.length, objectAtIndex: (i: number) => values[i], isNil: () => false });
  const pb = {
    get pasteboardItems() {
      return nsArray(
        pasteboard.map((item) => ({
          types: nsArray(Object.keys(item).map(wrap)),
          dataForType: (type: Wrapped) => ({
            isNil: () => false,
            base64EncodedStringWithOptions: () => wrap(Buffer.from(item[type.js] ?? '', 'latin1').toString('base64')),
          }),
        })),
      );
    },
    get clearContents() {
      pasteboard.length = 0;
      return 1;
    },
    writeObjects(items: { values: Array<{ data: Item }> }) {
      for (const item of items.values) pasteboard.push(item.data);
      return true;
    },
  };
  const $ = Object.assign((text: string) => wrap(text), {
    NSPasteboard: { generalPasteboard: pb },
    NSUTF8StringEncoding: 4,
    NSString: {
      stringWithContentsOfFileEncodingError: (path: Wrapped) => wrap(files.get(path.js) ?? ''),
    },
    NSMutableArray: {
      alloc: {
        get init() {
          const values: unknown[] = [];
          return { values, addObject: (v: unknown) => values.push(v) };
        },
      },
    },
    NSPasteboardItem: {
      alloc: {
        get init() {
          const data: Item = {};
          return { data, setDataForType: (d: { bytes: string }, type: Wrapped) => (data[type.js] = d.bytes) };
        },
      },
    },
    NSData: {
      alloc: {
        initWithBase64EncodedStringOptions: (b64: Wrapped) => ({ bytes: Buffer.from(b64.js, 'base64').toString('latin1') }),
      },
    },
  });
  return $;
}

function runScript(script: string, globals: Record<string, unknown>, argv: string[] = []): unknown {
  const names = ['ObjC', '$', 'Application', 'delay'];
  const values = names.map((n) => globals[n]);
  const run = new Function(...names, `${script}\nreturn run;`)(...values) as (argv: string[]) => unknown;
  return run(argv);
}

const ObjC = { import: () => undefined };

test('save then restore puts back every item with every type, bytes intact', () => {
  const original: Item[] = [
    { 'public.utf8-plain-text': 'héllo', 'public.html': '<b>héllo</b>', 'com.example.private': '\u0000\u00ff\u0001' },
    { 'public.file-url': 'file:///a.png' },
  ];
  const pasteboard: Item[] = structuredClone(original);
  const files = new Map<string, string>();
  const $ = fakeBridge(pasteboard, files);
  runScript(SAVE_SCRIPT, { ObjC, $ }, ['/tmp/snap.json']);
  const saved = JSON.parse(files.get('/tmp/snap.json') ?? '{}') as { items: Item[] };
  assert.equal(saved.items.length, 2);
  // The user's app replaces the clipboard (our ⌘C), then we restore.
  pasteboard.splice(0, pasteboard.length, { 'public.utf8-plain-text': 'the selection' });
  runScript(RESTORE_SCRIPT, { ObjC, $ }, ['/tmp/snap.json']);
  assert.deepEqual(pasteboard, original);
});

test('an empty pasteboard restores to empty', () => {
  const pasteboard: Item[] = [];
  const files = new Map<string, string>();
  const $ = fakeBridge(pasteboard, files);
  runScript(SAVE_SCRIPT, { ObjC, $ }, ['/tmp/empty.json']);
  pasteboard.push({ 'public.utf8-plain-text': 'copied' });
  runScript(RESTORE_SCRIPT, { ObjC, $ }, ['/tmp/empty.json']);
  assert.deepEqual(pasteboard, []);
});

test('the copy script waits for the hotkey modifiers to be released, then presses ⌘C once', () => {
  const CONTROL_OPTION = (1 << 18) | (1 << 19);
  let reads = 0;
  const log: string[] = [];
  const $ = {
    NSEvent: {
      get modifierFlags() {
        reads++;
        return reads <= 3 ? CONTROL_OPTION : 0;
      },
    },
  };
  const Application = (name: string) => ({
    keystroke: (key: string, options: { using: string }) => log.push(`${name}: ${key} + ${options.using}`),
  });
  const delay = (seconds: number) => log.push(`delay ${seconds}`);
  runScript(COPY_SCRIPT, { ObjC, $, Application, delay });
  assert.deepEqual(log, ['delay 0.02', 'delay 0.02', 'delay 0.02', 'System Events: c + command down']);
});
