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

import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SelectionEffects } from './copy-selection.ts';
import { COPY_SCRIPT, RESTORE_SCRIPT, SAVE_SCRIPT } from './pasteboard-scripts.ts';

/** Longest a helper script may run before it counts as failed. */
const OSASCRIPT_TIMEOUT_MS = 5_000;

/** Output buffer for the helper scripts: they print nothing (the snapshot goes to a file). */
const MAX_HELPER_OUTPUT_BYTES = 1024 * 1024;

function osascript(script: string, args: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'osascript',
      ['-l', 'JavaScript', '-e', script, ...args],
      { timeout: OSASCRIPT_TIMEOUT_MS, maxBuffer: MAX_HELPER_OUTPUT_BYTES },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message.trim()} ${String(stderr).trim()}`.trim()));
        else resolve(String(stdout));
      },
    );
  });
}

/** A saved pasteboard: the JSON file on macOS, Electron's standard formats elsewhere. */
export type ClipboardSnapshot =
  { kind: 'file'; dir: string; file: string } | { kind: 'formats'; text: string; html: string; rtf: string; image: Electron.NativeImage };

/** The parts of Electron the effects use (main.ts passes its own, so only it loads Electron). */
export type SelectionElectron = Pick<typeof import('electron'), 'clipboard' | 'systemPreferences'>;

/** The real effects on this platform (macOS gets the whole pasteboard, see the notes above). */
export function selectionEffects({ clipboard, systemPreferences }: SelectionElectron): SelectionEffects<ClipboardSnapshot> {
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
export function promptForAccessibility({ systemPreferences }: Pick<SelectionElectron, 'systemPreferences'>): void {
  if (process.platform === 'darwin') systemPreferences.isTrustedAccessibilityClient(true);
}

/** The System Settings pane where the user grants Accessibility. */
export const ACCESSIBILITY_SETTINGS_URL = 'x-apple.systempreferences:com.apple.preference.security?Privacy_Accessibility';
