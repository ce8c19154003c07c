// Runs in the Electron main process (and tests, under plain Node): registers the global
// shortcuts through an injected registrar (Electron's globalShortcut in the app) and reports, in
// words, every shortcut that could not be registered instead of ignoring it.

import { HOTKEY_LABELS, displayAccelerator, findHotkeyProblems, type HotkeySlot } from './accelerators.ts';

/** The part of Electron's globalShortcut we use. */
export interface ShortcutRegistrar {
  /** Returns false when another app (or the system) holds the shortcut. */
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
}

/** The outcome of registering a hotkey set. */
export interface HotkeyRegistration {
  registered: Partial<Record<HotkeySlot, string>>;
  /** One message per slot that is not active, naming the shortcut and what to do. */
  problems: string[];
  /** Unregisters everything this registration registered. */
  dispose(): void;
}

/**
 * Registers each non-empty, valid, clash-free hotkey; a slot that is invalid, clashes, or is
 * refused by the system is skipped and reported.
 */
export function registerHotkeys(
  hotkeys: Record<HotkeySlot, string>,
  actions: Record<HotkeySlot, () => void>,
  registrar: ShortcutRegistrar,
  platform: NodeJS.Platform = 'darwin',
): HotkeyRegistration {
  const problems = findHotkeyProblems(hotkeys, platform);
  const bad = new Set(problems.map((p) => p.slot));
  const messages = problems.map((p) => `${p.message}. Change it in Settings.`);
  const registered: Partial<Record<HotkeySlot, string>> = {};
  for (const slot of Object.keys(HOTKEY_LABELS) as HotkeySlot[]) {
    const accelerator = hotkeys[slot];
    if (accelerator === '' || bad.has(slot)) continue;
    let ok = false;
    try {
      ok = registrar.register(accelerator, actions[slot]);
    } catch {
      ok = false;
    }
    if (ok) registered[slot] = accelerator;
    else {
      messages.push(
        `${HOTKEY_LABELS[slot]}: ${displayAccelerator(accelerator)} (${accelerator}) could not be registered; ` +
          'another app is probably using it. Pick another in Settings.',
      );
    }
  }
  return {
    registered,
    problems: messages,
    dispose() {
      for (const accelerator of Object.values(registered)) registrar.unregister(accelerator);
    },
  };
}
