// Runs in the Electron main process: the real effects behind copySelection on macOS: the
// pasteboard saved and restored whole through JavaScript for Automation, ⌘C sent through System
// Events, the Accessibility check through systemPreferences.
//
// [Note: Saving the whole pasteboard]
// Electron's clipboard API reads and writes a few standard formats (text, HTML, RTF, image,
// bookmark) of the first item only; a Finder copy of three files, or an app's private formats,
// would be lost. NSPasteboard itself can list every item and every type of each, so a small JXA
// script (osascript -l JavaScript, part of every macOS) copies all of it, base64 per type, to a
// JSON file in a private temp folder (mode 0700), and a second script writes the same items back
// with `writeObjects`. The file is deleted as soon as it has been restored. Elsewhere (Linux,
// Windows: development only) we fall back to Electron's text, HTML, RTF and image formats.
//
// [Note: Waiting for the hotkey's modifiers]
// The user is still holding ⌃⌥ from the hotkey when we press ⌘C; a keystroke sent now would
// arrive as ⌃⌥⌘C. The copy script waits (up to a second) until no modifier key is down.

import { clipboard, systemPreferences } from 'electron';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SelectionEffects } from './copy-selection.ts';

/** Longest a helper script may run before it counts as failed. */
const OSASCRIPT_TIMEOUT_MS = 5_000;

/** Largest pasteboard snapshot accepted through the helper's output buffer. */
const MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024;

const SAVE_SCRIPT = `
ObjC.import('AppKit');
function run(argv) {
  const pb = $.NSPasteboard.generalPasteboard;
  const items = pb.pasteboardItems;
  const out = [];
  const count = items.isNil() ? 0 : items.count;
  for (let i = 0; i < count; i++) {
    const item = items.objectAtIndex(i);
    const types = item.types;
    const entry = {};
    for (let j = 0; j < types.count; j++) {
      const type = types.objectAtIndex(j);
      const data = item.dataForType(type);
      if (data.isNil()) continue;
      entry[type.js] = data.base64EncodedStringWithOptions(0).js;
    }
    out.push(entry);
  }
  const json = $(JSON.stringify({ items: out }));
  json.writeToFileAtomicallyEncodingError($(argv[0]), true, $.NSUTF8StringEncoding, null);
}
`;

const RESTORE_SCRIPT = `
ObjC.import('AppKit');
function run(argv) {
  const text = $.NSString.stringWithContentsOfFileEncodingError($(argv[0]), $.NSUTF8StringEncoding, null);
  const saved = JSON.parse(text.js);
  const pb = $.NSPasteboard.generalPasteboard;
  pb.clearContents;
  if (saved.items.length === 0) return;
  const items = $.NSMutableArray.alloc.init;
  for (const entry of saved.items) {
    const item = $.NSPasteboardItem.alloc.init;
    for (const type of Object.keys(entry)) {
      const data = $.NSData.alloc.initWithBase64EncodedStringOptions($(entry[type]), 0);
      item.setDataForType(data, $(type));
    }
    items.addObject(item);
  }
  if (!pb.writeObjects(items)) throw new Error('the pasteboard refused the saved items');
}
`;

// See [Note: Waiting for the hotkey's modifiers]. Masks: shift, control, option, command.
const COPY_SCRIPT = `
ObjC.import('AppKit');
function run() {
  const MODIFIERS = (1 << 17) | (1 << 18) | (1 << 19) | (1 << 20);
  const deadline = Date.now() + 1000;
  while (($.NSEvent.modifierFlags & MODIFIERS) !== 0 && Date.now() < deadline) delay(0.02);
  Application('System Events').keystroke('c', { using: 'command down' });
}
`;

function osascript(script: string, args: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'osascript',
      ['-l', 'JavaScript', '-e', script, ...args],
      { timeout: OSASCRIPT_TIMEOUT_MS, maxBuffer: MAX_SNAPSHOT_BYTES },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message.trim()} ${String(stderr).trim()}`.trim()));
        else resolve(String(stdout));
      },
    );
  });
}

/** A saved pasteboard: the JSON file on macOS, Electron's standard formats elsewhere. */
export type ClipboardSnapshot =
  | { kind: 'file'; dir: string; file: string }
  | { kind: 'formats'; text: string; html: string; rtf: string; image: Electron.NativeImage };

/** The real effects on this platform (macOS gets the whole pasteboard, see the notes above). */
export function selectionEffects(): SelectionEffects<ClipboardSnapshot> {
  const mac = process.platform === 'darwin';
  return {
    isTrusted: () => (mac ? systemPreferences.isTrustedAccessibilityClient(false) : true),
    async snapshot() {
      if (!mac) {
        return {
          kind: 'formats',
          text: clipboard.readText(),
          html: clipboard.readHTML(),
          rtf: clipboard.readRTF(),
          image: clipboard.readImage(),
        };
      }
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kokoro-bar-clipboard-'));
      await fs.chmod(dir, 0o700);
      const file = path.join(dir, 'pasteboard.json');
      try {
        await osascript(SAVE_SCRIPT, [file]);
      } catch (error) {
        await fs.rm(dir, { recursive: true, force: true });
        throw error;
      }
      return { kind: 'file', dir, file };
    },
    async restore(snapshot) {
      if (snapshot.kind === 'formats') {
        clipboard.clear();
        const data: Electron.Data = {};
        if (snapshot.text !== '') data.text = snapshot.text;
        if (snapshot.html !== '') data.html = snapshot.html;
        if (snapshot.rtf !== '') data.rtf = snapshot.rtf;
        if (!snapshot.image.isEmpty()) data.image = snapshot.image;
        if (Object.keys(data).length > 0) clipboard.write(data);
        return;
      }
      try {
        await osascript(RESTORE_SCRIPT, [snapshot.file]);
      } finally {
        await fs.rm(snapshot.dir, { recursive: true, force: true });
      }
    },
    async clear() {
      clipboard.clear();
    },
    async sendCopy() {
      if (!mac) throw new Error('Speak Selection simulates ⌘C and only works on macOS.');
      await osascript(COPY_SCRIPT);
    },
    async readText() {
      return clipboard.readText();
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  };
}

/** Asks macOS to show its Accessibility prompt for this app (a no-op when already trusted). */
export function promptForAccessibility(): void {
  if (process.platform === 'darwin') systemPreferences.isTrustedAccessibilityClient(true);
}

/** The System Settings pane where the user grants Accessibility. */
export const ACCESSIBILITY_SETTINGS_URL =
  'x-apple.systempreferences:com.apple.preference.security?Privacy_Accessibility';
