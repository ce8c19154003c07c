// Runs in the Electron main process (and tests, under plain Node): global-shortcut strings in
// Electron's accelerator syntax: parsing, validation, canonical form and clash detection.
//
// [Note: Default hotkeys]
// macOS's own Spoken Content reads the selection on Option-Esc, and the system owns many
// Command combinations (Spotlight, screenshots, app switching, editing). Our defaults use
// Control+Option, which macOS and most apps leave free: ⌃⌥V speaks the clipboard (V as in
// paste), ⌃⌥S speaks the selection, ⌃⌥Esc stops. A global shortcut must carry a modifier other
// than Shift (a bare key would swallow the user's typing), except F13–F24 and media keys,
// which no one types.

/** Modifiers after canonicalisation. */
export type Modifier = 'Command' | 'Control' | 'Alt' | 'Shift' | 'Super' | 'AltGr';

/** A parsed accelerator: a set of modifiers and exactly one key. */
export interface Accelerator {
  modifiers: Modifier[];
  key: string;
}

/** The shortcuts a fresh install registers (see [Note: Default hotkeys]). */
export const DEFAULT_HOTKEYS = {
  speakClipboard: 'Control+Alt+V',
  speakSelection: 'Control+Alt+S',
  stop: 'Control+Alt+Escape',
} as const;

/** Human names of the hotkey slots, for messages. */
export const HOTKEY_LABELS = {
  speakClipboard: 'Speak Clipboard',
  speakSelection: 'Speak Selection',
  stop: 'Stop',
} as const;

type Platform = NodeJS.Platform;

// Modifier spellings Electron accepts → canonical name. CommandOrControl depends on the platform.
const MODIFIER_ALIASES: Record<string, Modifier | 'CommandOrControl'> = {
  command: 'Command',
  cmd: 'Command',
  control: 'Control',
  ctrl: 'Control',
  commandorcontrol: 'CommandOrControl',
  cmdorctrl: 'CommandOrControl',
  alt: 'Alt',
  option: 'Alt',
  altgr: 'AltGr',
  shift: 'Shift',
  super: 'Super',
  meta: 'Super',
};

// Order used in canonical strings, matching how macOS lists modifiers (⌃⌥⇧⌘).
const MODIFIER_ORDER: Modifier[] = ['Control', 'Alt', 'AltGr', 'Shift', 'Command', 'Super'];

// Named keys Electron accepts → canonical name.
const NAMED_KEYS: Record<string, string> = {
  plus: 'Plus',
  space: 'Space',
  tab: 'Tab',
  capslock: 'Capslock',
  numlock: 'Numlock',
  scrolllock: 'Scrolllock',
  backspace: 'Backspace',
  delete: 'Delete',
  insert: 'Insert',
  return: 'Enter',
  enter: 'Enter',
  up: 'Up',
  down: 'Down',
  left: 'Left',
  right: 'Right',
  home: 'Home',
  end: 'End',
  pageup: 'PageUp',
  pagedown: 'PageDown',
  escape: 'Escape',
  esc: 'Escape',
  volumeup: 'VolumeUp',
  volumedown: 'VolumeDown',
  volumemute: 'VolumeMute',
  medianexttrack: 'MediaNextTrack',
  mediaprevioustrack: 'MediaPreviousTrack',
  mediastop: 'MediaStop',
  mediaplaypause: 'MediaPlayPause',
  printscreen: 'PrintScreen',
  numadd: 'numadd',
  numsub: 'numsub',
  numdec: 'numdec',
  nummult: 'nummult',
  numdiv: 'numdiv',
};

// Single punctuation characters Electron accepts as keys.
const PUNCTUATION = new Set(Array.from(')!@#$%^&*(:;+=<,_->.?/~`{][|\\}"\''));

// Keys no one types, so they may be global shortcuts without a modifier.
const MEDIA_KEYS = new Set(['VolumeUp', 'VolumeDown', 'VolumeMute', 'MediaNextTrack', 'MediaPreviousTrack', 'MediaStop', 'MediaPlayPause']);
const LOWEST_UNTYPED_FUNCTION_KEY = 13;
const HIGHEST_FUNCTION_KEY = 24;

/** The outcome of a check: a value, or a message naming what was wrong and what to do. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** Parses an Electron accelerator string ("Control+Alt+S") on `platform`. */
export function parseAccelerator(text: string, platform: Platform = 'darwin'): Checked<Accelerator> {
  const fail = (why: string): Checked<Accelerator> => ({
    ok: false,
    message: `"${text}" is not a usable shortcut: ${why}`,
  });
  if (text.trim() === '') return fail('it is empty');
  // "+" separates parts, so a literal plus key is spelt "Plus"; a trailing "++" means the same.
  const parts = text.endsWith('++') ? [...text.slice(0, -2).split('+'), 'Plus'] : text.split('+');
  if (parts.some((p) => p.trim() === '')) return fail('it has an empty part (write "Plus" for the + key)');
  const modifiers = new Set<Modifier>();
  let key: string | null = null;
  for (const rawPart of parts) {
    const part = rawPart.trim();
    const alias = MODIFIER_ALIASES[part.toLowerCase()];
    if (alias !== undefined) {
      if (key !== null) return fail(`the modifier "${part}" comes after the key; put modifiers first`);
      const modifier: Modifier = alias === 'CommandOrControl' ? (platform === 'darwin' ? 'Command' : 'Control') : alias;
      if (modifiers.has(modifier)) return fail(`"${part}" repeats a modifier`);
      modifiers.add(modifier);
      continue;
    }
    if (key !== null) return fail(`it names two keys ("${key}" and "${part}"); use one key`);
    const canonical = canonicalKey(part);
    if (canonical === null) {
      return fail(`"${part}" is not a key Electron knows (try a letter, digit, F1–F24 or a name like Space)`);
    }
    key = canonical;
  }
  if (key === null) return fail('it has modifiers but no key');
  return { ok: true, value: { modifiers: MODIFIER_ORDER.filter((m) => modifiers.has(m)), key } };
}

function canonicalKey(part: string): string | null {
  if (/^[a-z0-9]$/i.test(part)) return part.toUpperCase();
  const fn = /^f(\d{1,2})$/i.exec(part);
  if (fn?.[1] !== undefined) {
    const n = Number(fn[1]);
    return n >= 1 && n <= HIGHEST_FUNCTION_KEY ? `F${n}` : null;
  }
  const num = /^num([0-9])$/i.exec(part);
  if (num?.[1] !== undefined) return `num${num[1]}`;
  if (part.length === 1 && PUNCTUATION.has(part)) return part;
  return NAMED_KEYS[part.toLowerCase()] ?? null;
}

/** The canonical string of an accelerator: same shortcut, same string. */
export function formatAccelerator(accelerator: Accelerator): string {
  return [...accelerator.modifiers, accelerator.key].join('+');
}

/** Validates a string as a global shortcut (see [Note: Default hotkeys]); returns its canonical form. */
export function validateGlobalShortcut(text: string, platform: Platform = 'darwin'): Checked<string> {
  const parsed = parseAccelerator(text, platform);
  if (!parsed.ok) return parsed;
  const { modifiers, key } = parsed.value;
  const untyped = MEDIA_KEYS.has(key) || (/^F\d+$/.test(key) && Number(key.slice(1)) >= LOWEST_UNTYPED_FUNCTION_KEY);
  if (!untyped && modifiers.filter((m) => m !== 'Shift').length === 0) {
    return {
      ok: false,
      message: `"${text}" would take over a key you type; add Control, Option or Command (e.g. "Control+Alt+${key}")`,
    };
  }
  return { ok: true, value: formatAccelerator(parsed.value) };
}

/** A shortcut the system (or a common app convention) already owns. */
export interface ReservedShortcut {
  accelerator: string;
  owner: string;
}

/** Shortcuts macOS owns; registering them would break the system feature or fail. */
export const MAC_RESERVED: readonly ReservedShortcut[] = [
  { accelerator: 'Alt+Escape', owner: 'macOS Spoken Content (Speak selection)' },
  { accelerator: 'Command+Space', owner: 'Spotlight' },
  { accelerator: 'Alt+Command+Space', owner: 'Finder search' },
  { accelerator: 'Control+Space', owner: 'input source switching' },
  { accelerator: 'Control+Alt+Space', owner: 'input source switching' },
  { accelerator: 'Command+Tab', owner: 'the app switcher' },
  { accelerator: 'Shift+Command+Tab', owner: 'the app switcher' },
  { accelerator: 'Alt+Command+Escape', owner: 'Force Quit' },
  { accelerator: 'Control+Command+Q', owner: 'Lock Screen' },
  { accelerator: 'Shift+Command+Q', owner: 'Log Out' },
  { accelerator: 'Shift+Command+3', owner: 'screenshots' },
  { accelerator: 'Shift+Command+4', owner: 'screenshots' },
  { accelerator: 'Shift+Command+5', owner: 'screenshots' },
  { accelerator: 'Control+Shift+Command+3', owner: 'screenshots' },
  { accelerator: 'Control+Shift+Command+4', owner: 'screenshots' },
  { accelerator: 'Command+Q', owner: 'Quit in every app' },
  { accelerator: 'Command+W', owner: 'Close Window in every app' },
  { accelerator: 'Command+H', owner: 'Hide in every app' },
  { accelerator: 'Command+M', owner: 'Minimize in every app' },
  { accelerator: 'Command+C', owner: 'Copy in every app' },
  { accelerator: 'Command+V', owner: 'Paste in every app' },
  { accelerator: 'Command+X', owner: 'Cut in every app' },
  { accelerator: 'Command+Z', owner: 'Undo in every app' },
  { accelerator: 'Command+A', owner: 'Select All in every app' },
  { accelerator: 'Control+Command+Space', owner: 'the emoji picker' },
  { accelerator: 'Control+Command+F', owner: 'full screen in every app' },
  { accelerator: 'Control+Up', owner: 'Mission Control' },
  { accelerator: 'Control+Down', owner: 'App Exposé' },
  { accelerator: 'Control+Left', owner: 'Spaces' },
  { accelerator: 'Control+Right', owner: 'Spaces' },
  { accelerator: 'Command+,', owner: 'Settings in every app' },
];

/** Who already owns `canonical` on macOS, or null when it is free of known system uses. */
export function reservedOwner(canonical: string, reserved: readonly ReservedShortcut[] = MAC_RESERVED): string | null {
  for (const entry of reserved) {
    const parsed = parseAccelerator(entry.accelerator);
    if (parsed.ok && formatAccelerator(parsed.value) === canonical) return entry.owner;
  }
  return null;
}

/** The hotkey slots, keyed as in Settings. */
export type HotkeySlot = keyof typeof HOTKEY_LABELS;

/** A problem with one slot of a hotkey set. */
export interface HotkeyProblem {
  slot: HotkeySlot;
  message: string;
}

/**
 * Checks a whole hotkey set: each non-empty slot must be a valid global shortcut, none may be
 * owned by macOS, and no two slots may share one. Empty means "no shortcut".
 */
export function findHotkeyProblems(hotkeys: Record<HotkeySlot, string>, platform: Platform = 'darwin'): HotkeyProblem[] {
  const problems: HotkeyProblem[] = [];
  const seen = new Map<string, HotkeySlot>();
  for (const slot of Object.keys(HOTKEY_LABELS) as HotkeySlot[]) {
    const text = hotkeys[slot];
    if (text === '') continue;
    const label = HOTKEY_LABELS[slot];
    const checked = validateGlobalShortcut(text, platform);
    if (!checked.ok) {
      problems.push({ slot, message: `${label}: ${checked.message}` });
      continue;
    }
    const owner = platform === 'darwin' ? reservedOwner(checked.value) : null;
    if (owner !== null) {
      problems.push({ slot, message: `${label}: "${text}" is already used by ${owner}; pick another` });
      continue;
    }
    const other = seen.get(checked.value);
    if (other !== undefined) {
      problems.push({
        slot,
        message: `${label}: "${text}" is also the ${HOTKEY_LABELS[other]} shortcut; give each its own`,
      });
      continue;
    }
    seen.set(checked.value, slot);
  }
  return problems;
}

/** The first problem of a hotkey set as one message, or null when the set is usable. */
export function checkHotkeys(hotkeys: Record<HotkeySlot, string>, platform: Platform = 'darwin'): string | null {
  const problems = findHotkeyProblems(hotkeys, platform);
  return problems.length === 0 ? null : problems.map((p) => p.message).join('; ');
}

const MAC_SYMBOLS: Record<Modifier, string> = {
  Control: '⌃',
  Alt: '⌥',
  AltGr: '⌥',
  Shift: '⇧',
  Command: '⌘',
  Super: '⌘',
};

const KEY_SYMBOLS: Record<string, string> = {
  Escape: 'Esc',
  Enter: '↩',
  Space: 'Space',
  Backspace: '⌫',
  Delete: '⌦',
  Up: '↑',
  Down: '↓',
  Left: '←',
  Right: '→',
  Plus: '+',
};

/** A shortcut as macOS menus show it ("⌃⌥S"); the input itself when it does not parse. */
export function displayAccelerator(text: string): string {
  const parsed = parseAccelerator(text);
  if (!parsed.ok) return text;
  const mods = parsed.value.modifiers.map((m) => MAC_SYMBOLS[m]).join('');
  return `${mods}${KEY_SYMBOLS[parsed.value.key] ?? parsed.value.key}`;
}
