// Runs under node:test: the speak-selection sequence with injected effects. The fake clipboard
// holds several items in several formats, like a real one; every path must restore it exactly.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyCopyError, copySelection, type SelectionEffects } from '../../../src-main/selection/copy-selection.ts';

type Item = Record<string, string>;

/** A clipboard of items, each with data per format; "public.utf8-plain-text" is its text. */
class FakeClipboard {
  items: Item[];
  constructor(items: Item[]) {
    this.items = structuredClone(items);
  }
  text(): string {
    return this.items[0]?.['public.utf8-plain-text'] ?? '';
  }
}

const USER_CLIPBOARD: Item[] = [
  {
    'public.utf8-plain-text': 'my precious',
    'public.html': '<b>my precious</b>',
    'public.rtf': '{\\rtf1 my precious}',
    'com.example.private': 'binary\u0000data',
  },
  { 'public.file-url': 'file:///Users/me/a.png', 'public.png': '\u0089PNG...' },
];

interface Scenario {
  trusted?: boolean;
  /** What ⌘C puts on the clipboard (null: nothing, the app had no selection). */
  selection?: string | null;
  /** Polls before the copy shows up (apps answer ⌘C asynchronously). */
  lagPolls?: number;
  failOn?: 'snapshot' | 'clear' | 'sendCopy' | 'readText' | 'restore';
  failWith?: Error;
}

function setup(scenario: Scenario) {
  const clipboard = new FakeClipboard(USER_CLIPBOARD);
  const calls: string[] = [];
  let time = 0;
  let pollsLeft = scenario.lagPolls ?? 0;
  let copyPending = false;
  const maybeFail = (step: NonNullable<Scenario['failOn']>): void => {
    calls.push(step);
    if (scenario.failOn === step) throw scenario.failWith ?? new Error(`${step} broke`);
  };
  const effects: SelectionEffects<Item[]> = {
    isTrusted: () => scenario.trusted ?? true,
    snapshot: async () => {
      maybeFail('snapshot');
      return structuredClone(clipboard.items);
    },
    restore: async (saved) => {
      maybeFail('restore');
      clipboard.items = structuredClone(saved);
    },
    clear: async () => {
      maybeFail('clear');
      clipboard.items = [];
    },
    sendCopy: async () => {
      maybeFail('sendCopy');
      copyPending = scenario.selection !== null && scenario.selection !== undefined;
    },
    readText: async () => {
      maybeFail('readText');
      if (copyPending && pollsLeft-- <= 0) {
        clipboard.items = [{ 'public.utf8-plain-text': scenario.selection ?? '' }];
        copyPending = false;
      }
      return clipboard.text();
    },
    sleep: async (ms) => {
      time += ms;
    },
    now: () => time,
  };
  return { clipboard, calls, effects };
}

test('the selection is read and the whole clipboard is put back', async () => {
  const { clipboard, calls, effects } = setup({ selection: 'Selected  words\nwrapped here.', lagPolls: 3 });
  const result = await copySelection(effects);
  assert.deepEqual(result, { ok: true, text: 'Selected words wrapped here.', restored: true });
  assert.deepEqual(clipboard.items, USER_CLIPBOARD);
  assert.deepEqual(calls.slice(0, 3), ['snapshot', 'clear', 'sendCopy']);
  assert.equal(calls.at(-1), 'restore');
  assert.equal(calls.filter((c) => c === 'readText').length, 4);
});

test('no selection: a timeout, named as such, and the clipboard is restored', async () => {
  const { clipboard, effects } = setup({ selection: null });
  const result = await copySelection(effects, { timeoutMs: 100, pollMs: 10 });
  assert.equal(result.ok, false);
  if (!result.ok) {
    assert.equal(result.reason, 'no-selection');
    assert.match(result.action, /Select some text/);
  }
  assert.deepEqual(clipboard.items, USER_CLIPBOARD);
});

test('a selection of only whitespace counts as no selection, clipboard restored', async () => {
  const { clipboard, effects } = setup({ selection: ' \n\u200B ' });
  const result = await copySelection(effects);
  assert.equal(result.ok, false);
  if (!result.ok) assert.equal(result.reason, 'no-selection');
  assert.deepEqual(clipboard.items, USER_CLIPBOARD);
});

test('without the Accessibility permission nothing is touched and the user is guided', async () => {
  const { clipboard, calls, effects } = setup({ trusted: false, selection: 'x' });
  const result = await copySelection(effects);
  assert.equal(result.ok, false);
  if (!result.ok) {
    assert.equal(result.reason, 'accessibility');
    assert.match(result.action, /Privacy & Security → Accessibility/);
  }
  assert.deepEqual(calls, []);
  assert.deepEqual(clipboard.items, USER_CLIPBOARD);
});

for (const step of ['clear', 'sendCopy', 'readText'] as const) {
  test(`an error thrown by ${step} still restores the clipboard`, async () => {
    const { clipboard, calls, effects } = setup({ selection: 'x', failOn: step });
    const result = await copySelection(effects);
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.reason, 'copy-failed');
      assert.match(result.message, new RegExp(`${step} broke`));
    }
    assert.equal(calls.at(-1), 'restore');
    assert.deepEqual(clipboard.items, USER_CLIPBOARD);
  });
}

test('macOS refusing the keystroke is reported as the Accessibility problem, clipboard restored', async () => {
  const refusal = new Error('osascript: execution error: System Events got an error: osascript is not allowed to send keystrokes. (1002)');
  const { clipboard, effects } = setup({ selection: 'x', failOn: 'sendCopy', failWith: refusal });
  const result = await copySelection(effects);
  assert.equal(result.ok, false);
  if (!result.ok) assert.equal(result.reason, 'accessibility');
  assert.deepEqual(clipboard.items, USER_CLIPBOARD);
});

test('a failing snapshot stops before the clipboard is touched', async () => {
  const { clipboard, calls, effects } = setup({ selection: 'x', failOn: 'snapshot' });
  const result = await copySelection(effects);
  assert.equal(result.ok, false);
  if (!result.ok) assert.equal(result.reason, 'copy-failed');
  assert.deepEqual(calls, ['snapshot']);
  assert.deepEqual(clipboard.items, USER_CLIPBOARD);
});

test('a failing restore is reported, not hidden behind the text', async () => {
  const { effects } = setup({ selection: 'hello', failOn: 'restore' });
  const result = await copySelection(effects);
  assert.equal(result.ok, false);
  if (!result.ok) {
    assert.equal(result.reason, 'restore-failed');
    assert.match(result.message, /could not be put back: restore broke/);
  }
});

test('osascript errors are classified', () => {
  const table: Array<[string, string]> = [
    ['execution error: Not authorized to send Apple events to System Events. (-1743)', 'automation'],
    ['System Events got an error: osascript is not allowed assistive access. (-1719)', 'accessibility'],
    ['not allowed to send keystrokes (1002)', 'accessibility'],
    ['spawn osascript ENOENT', 'copy-failed'],
  ];
  for (const [message, reason] of table) {
    const result = classifyCopyError(new Error(message));
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.reason, reason, message);
  }
});

test('onText gets the text before the restore; a throwing onText still restores', async () => {
  const { clipboard, calls, effects } = setup({ selection: 'early bird' });
  const result = await copySelection(effects, { onText: (text) => calls.push(`text:${text}`) });
  assert.ok(result.ok);
  assert.deepEqual(calls.slice(-2), ['text:early bird', 'restore']);
  assert.deepEqual(clipboard.items, USER_CLIPBOARD);

  const second = setup({ selection: 'x' });
  const failed = await copySelection(second.effects, {
    onText: () => {
      throw new Error('listener broke');
    },
  });
  assert.equal(failed.ok, false);
  assert.equal(second.calls.at(-1), 'restore');
  assert.deepEqual(second.clipboard.items, USER_CLIPBOARD);
});
