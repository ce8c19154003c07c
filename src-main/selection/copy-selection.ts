// Runs in the Electron main process (and tests, under plain Node): the speak-selection sequence:
// save the clipboard, simulate ⌘C, read what arrived, put the user's clipboard back. Every
// effect is injected, so the order and the restore-on-every-path rule are tested without macOS.
//
// [Note: Copying the selection]
// macOS offers no public "read the selected text of the frontmost app" call that works in every
// app, so we do what the user would: press ⌘C (via System Events, which needs the Accessibility
// permission) and read the clipboard. That clobbers the clipboard, so first we take a snapshot of
// every item in every format it holds (text, rich text, images, files, app-private types), and
// whatever happens afterwards (no selection, a timeout, an error thrown anywhere) the snapshot is
// written back in a `finally`. To know the copy arrived we clear the clipboard before ⌘C and wait
// for text to appear; an app with nothing selected copies nothing, which we report as
// "no selection" rather than speaking the old clipboard.

import { cleanClipboardText } from './clipboard-text.ts';

/** How long to wait for the frontmost app to answer ⌘C before calling it "nothing selected". */
export const COPY_TIMEOUT_MS = 800;

/** How often to look at the clipboard while waiting. */
export const COPY_POLL_MS = 20;

/** Everything the sequence does to the outside world, injected. */
export interface SelectionEffects<Snapshot> {
  /** Whether this app may send keystrokes (macOS Accessibility permission). */
  isTrusted(): boolean;
  /** Captures every item and format on the clipboard. */
  snapshot(): Promise<Snapshot>;
  /** Writes a snapshot back exactly. */
  restore(snapshot: Snapshot): Promise<void>;
  /** Empties the clipboard. */
  clear(): Promise<void>;
  /** Presses ⌘C in the frontmost app. */
  sendCopy(): Promise<void>;
  /** Plain text now on the clipboard ('' when none). */
  readText(): Promise<string>;
  sleep(ms: number): Promise<void>;
  now(): number;
}

/** Why a selection could not be read, with what the user can do. */
export type SelectionFailure = 'accessibility' | 'automation' | 'no-selection' | 'copy-failed' | 'restore-failed';

/** The outcome of one speak-selection attempt. */
export type SelectionResult =
  { ok: true; text: string; restored: true } | { ok: false; reason: SelectionFailure; message: string; action: string };

/** The guidance shown when the Accessibility permission is missing. */
export const ACCESSIBILITY_ACTION =
  'Open System Settings → Privacy & Security → Accessibility, switch on Kokoro Bar ' +
  '(add it with + if it is not listed), then try again.';

const AUTOMATION_ACTION =
  'Open System Settings → Privacy & Security → Automation, allow Kokoro Bar to control ' + '"System Events", then try again.';

/**
 * Copies the current selection and returns its text, restoring the user's clipboard on every
 * path (see [Note: Copying the selection]).
 */
export async function copySelection<Snapshot>(
  effects: SelectionEffects<Snapshot>,
  options: {
    timeoutMs?: number;
    pollMs?: number;
    /**
     * Called with the text as soon as it is read, before the clipboard is restored, so speech
     * can start while the restore runs (it takes a helper process launch on macOS).
     */
    onText?: (text: string) => void;
  } = {},
): Promise<SelectionResult> {
  const timeoutMs = options.timeoutMs ?? COPY_TIMEOUT_MS;
  const pollMs = options.pollMs ?? COPY_POLL_MS;
  if (!effects.isTrusted()) {
    return {
      ok: false,
      reason: 'accessibility',
      message: 'Kokoro Bar needs the Accessibility permission to copy the selected text.',
      action: ACCESSIBILITY_ACTION,
    };
  }

  // Nothing has been touched yet if the snapshot itself fails, so there is nothing to restore.
  let saved: Snapshot;
  try {
    saved = await effects.snapshot();
  } catch (error) {
    return failure('copy-failed', `Could not read the clipboard: ${messageOf(error)}`);
  }

  let result: SelectionResult;
  let restoreError: unknown;
  try {
    result = await copyAndRead(effects, timeoutMs, pollMs);
    if (result.ok) options.onText?.(result.text);
  } catch (error) {
    result = classifyCopyError(error);
  } finally {
    // Runs on every path, thrown errors included; its own failure is reported below.
    restoreError = await effects.restore(saved).then(
      () => null,
      (error: unknown) => error ?? new Error('unknown error'),
    );
  }
  if (restoreError !== null) {
    return failure('restore-failed', `Your previous clipboard could not be put back: ${messageOf(restoreError)}`);
  }
  return result;
}

async function copyAndRead<Snapshot>(effects: SelectionEffects<Snapshot>, timeoutMs: number, pollMs: number): Promise<SelectionResult> {
  await effects.clear();
  await effects.sendCopy();
  const deadline = effects.now() + timeoutMs;
  for (;;) {
    const raw = await effects.readText();
    if (raw !== '') {
      const text = cleanClipboardText(raw);
      if (text === '') {
        return {
          ok: false,
          reason: 'no-selection',
          message: 'The selection has no text to read.',
          action: 'Select some text and try again.',
        };
      }
      return { ok: true, text, restored: true };
    }
    if (effects.now() >= deadline) {
      return {
        ok: false,
        reason: 'no-selection',
        message: 'Nothing was copied: no text seems to be selected in the frontmost app.',
        action: 'Select some text and try again, or use Speak Clipboard after copying it yourself.',
      };
    }
    await effects.sleep(pollMs);
  }
}

/**
 * Maps an error from the keystroke helper (osascript) to a failure: macOS's "not allowed to
 * send keystrokes" (1002) means Accessibility, "not authorized" (-1743) means Automation.
 */
export function classifyCopyError(error: unknown): SelectionResult {
  const text = messageOf(error);
  if (/\b1002\b|not allowed to send keystrokes|assistive access/i.test(text)) {
    return {
      ok: false,
      reason: 'accessibility',
      message: 'macOS refused the simulated ⌘C: Kokoro Bar lacks the Accessibility permission.',
      action: ACCESSIBILITY_ACTION,
    };
  }
  if (/-1743|not authori[sz]ed to send apple events/i.test(text)) {
    return {
      ok: false,
      reason: 'automation',
      message: 'macOS refused to let Kokoro Bar control System Events to press ⌘C.',
      action: AUTOMATION_ACTION,
    };
  }
  return failure('copy-failed', `Copying the selection failed: ${text}`);
}

function failure(reason: SelectionFailure, message: string): SelectionResult {
  return {
    ok: false,
    reason,
    message,
    action: 'Try again; if it keeps failing, copy the text yourself and use Speak Clipboard.',
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
