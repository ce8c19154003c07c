// Runs in the Electron main process (and tests, under plain Node): the user's settings as a
// versioned JSON file in the user-data folder: schema, migration, atomic writes, corrupt-file
// recovery. No Electron import: main passes the folder in.
//
// [Note: Settings never crash the app]
// Settings are read before any window exists (hotkeys and the worker need them), so a bad file
// must not stop the app. A file that is not JSON, not an object, or from a newer version is
// moved aside to `settings.corrupt-<time>.json` and defaults are used; a file with some bad
// fields keeps its good ones, takes defaults for the rest, and is also copied aside first, so
// nothing the user wrote is ever lost. Either way the caller gets `notices` to show the user.
// Writes go to a temp file in the same folder, are flushed, then renamed over the old file:
// a crash mid-write leaves the old file or the new one, never half of one.
//
// [Note: Settings name installed voices]
// Whether a voice exists is known only once the worker has listed its voices, after the file is
// read. So the owner of the settings (main, or the dev host) checks again when the list arrives:
// a voice that is not installed (a hand-edited file, a voice removed since) is put back to the
// default voice with a notice, rather than failing at the next Speak; and once the list is
// known, a patch naming an unknown voice is refused with a short hint (see [Note: Voice lists
// stay short] in src-worker/protocol/voice-choices.ts).

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  DEFAULT_COREML_OPTIONS,
  DEFAULT_PAUSE_SCALE,
  DEFAULT_SPEED,
  DEFAULT_VARIANT,
  DEFAULT_VOICE,
  SETTINGS_FIELD_SCHEMAS,
  SETTINGS_VERSION,
} from '../../src-worker/protocol/messages.ts';
import { voiceChoicesHint, voiceIdsOf } from '../../src-worker/protocol/voice-choices.ts';
import type { Hotkeys, Settings, SettingsPatch, SettingsResult } from '../../src-worker/protocol/messages.ts';
import { DEFAULT_HOTKEYS, checkHotkeys } from '../shortcuts/accelerators.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { SETTINGS_FILE_NAME } from '../app/paths.ts';

/** The settings a fresh install starts with. */
export function defaultSettings(): Settings {
  return {
    version: SETTINGS_VERSION,
    voice: DEFAULT_VOICE,
    speed: DEFAULT_SPEED,
    provider: { provider: 'auto', coreml: { ...DEFAULT_COREML_OPTIONS } },
    modelVariant: DEFAULT_VARIANT,
    hotkeys: { ...DEFAULT_HOTKEYS },
    launchAtLogin: false,
    favourites: [],
    pauseScale: DEFAULT_PAUSE_SCALE,
  };
}

type FieldKey = keyof typeof SETTINGS_FIELD_SCHEMAS;
const FIELD_KEYS = Object.keys(SETTINGS_FIELD_SCHEMAS) as FieldKey[];

/** The patch schema: any subset of fields, nothing unknown. */
const patchSchema = z.object(SETTINGS_FIELD_SCHEMAS).partial().strict();

/** The outcome of reading the settings file. */
export interface LoadResult {
  settings: Settings;
  /** Messages for the user (what was repaired, where the old file was put). */
  notices: string[];
  /** Where a damaged file was copied to, if one was. */
  backupPath?: string;
}

/** Files written before versioning (version 0) used these names; kept for migration. */
interface SettingsV0 {
  voice?: unknown;
  rate?: unknown;
  useCoreML?: unknown;
  shortcut?: unknown;
}

/**
 * Lifts a parsed file of any known version to the current version's raw shape (fields not yet
 * checked). Throws for versions newer than this build knows.
 */
export function migrate(raw: Record<string, unknown>): Record<string, unknown> {
  const version = raw.version === undefined ? 0 : raw.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new Error(`"version" must be a whole number, found ${JSON.stringify(raw.version)}`);
  }
  if (version > SETTINGS_VERSION) {
    throw new Error(`the file is from a newer Kokoro Bar (settings version ${version}, this one knows ${SETTINGS_VERSION})`);
  }
  let current = raw;
  if (version === 0) current = migrateV0toV1(current as SettingsV0);
  if (version <= 1) current = migrateV1toV2(current);
  return current;
}

// Version 2 added `pauseScale` (the pauses between chunks, see src-worker/engine/joins.ts); files before
// it had the natural pauses, scale 1.
function migrateV1toV2(old: Record<string, unknown>): Record<string, unknown> {
  return { ...old, version: 2, pauseScale: DEFAULT_PAUSE_SCALE };
}

// Version 0 (the first prototype) stored `rate` for speed, a `useCoreML` flag and one
// `shortcut` for speak-clipboard.
function migrateV0toV1(old: SettingsV0): Record<string, unknown> {
  const next: Record<string, unknown> = { version: 1 };
  if (old.voice !== undefined) next.voice = old.voice;
  if (old.rate !== undefined) next.speed = old.rate;
  if (typeof old.useCoreML === 'boolean') {
    next.provider = old.useCoreML ? { provider: 'coreml', coreml: { units: 'all', mlProgram: true } } : { provider: 'cpu' };
  }
  if (typeof old.shortcut === 'string') {
    next.hotkeys = { ...DEFAULT_HOTKEYS, speakClipboard: old.shortcut };
  }
  return next;
}

/**
 * Checks a migrated object field by field: good fields are kept, bad or missing ones take
 * defaults, and each replaced field that was present is named in `problems`.
 */
export function repairSettings(raw: Record<string, unknown>): {
  settings: Settings;
  problems: string[];
} {
  const defaults = defaultSettings();
  const settings: Settings = { ...defaults };
  const problems: string[] = [];
  const target = settings as unknown as Record<FieldKey, unknown>;
  for (const key of FIELD_KEYS) {
    if (!(key in raw)) continue;
    const parsed = SETTINGS_FIELD_SCHEMAS[key].safeParse(raw[key]);
    if (parsed.success) target[key] = stripUndefined(parsed.data);
    else problems.push(`"${key}" was invalid (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  }
  const hotkeyProblem = checkHotkeys(settings.hotkeys);
  if (hotkeyProblem !== null) {
    problems.push(`"hotkeys" were unusable (${hotkeyProblem}); the defaults are back`);
    settings.hotkeys = { ...defaults.hotkeys };
  }
  const unknown = Object.keys(raw).filter((k) => k !== 'version' && !(k in SETTINGS_FIELD_SCHEMAS));
  if (unknown.length > 0) problems.push(`unknown keys ignored: ${unknown.join(', ')}`);
  return { settings, problems };
}

/**
 * Reads and repairs the settings in `dir`; never throws for a bad file (see [Note: Settings
 * never crash the app]). A missing file gives defaults without notices.
 */
export async function loadSettings(dir: string, now: Date = new Date()): Promise<LoadResult> {
  const file = path.join(dir, SETTINGS_FILE_NAME);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { settings: defaultSettings(), notices: [] };
    }
    return {
      settings: defaultSettings(),
      notices: [`Could not read ${file} (${(error as Error).message}); using default settings.`],
    };
  }

  let raw: unknown;
  let fatal: string | null = null;
  try {
    raw = JSON.parse(text);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      fatal = 'it does not hold a JSON object';
    }
  } catch (error) {
    fatal = `it is not valid JSON (${(error as Error).message})`;
  }

  let migrated: Record<string, unknown> | null = null;
  if (fatal === null) {
    try {
      migrated = migrate(raw as Record<string, unknown>);
    } catch (error) {
      fatal = (error as Error).message;
    }
  }

  if (fatal !== null || migrated === null) {
    const backupPath = await moveAside(file, now);
    const kept = backupPath === null ? `It could not be moved aside, so it was left as it is` : `It was kept as ${backupPath}`;
    return {
      settings: defaultSettings(),
      ...(backupPath === null ? {} : { backupPath }),
      notices: [`Your settings file could not be used: ${fatal ?? 'unknown problem'}. ` + `${kept}; Kokoro Bar is using default settings.`],
    };
  }

  const { settings, problems } = repairSettings(migrated);
  const wasOlder = migrated !== raw;
  if (problems.length === 0) {
    if (wasOlder) await writeSettings(dir, settings).catch(() => undefined);
    return { settings, notices: [] };
  }
  const backupPath = await copyAside(file, now);
  // Only overwrite the user's file once a copy of it is safe.
  if (backupPath !== null) await writeSettings(dir, settings).catch(() => undefined);
  return {
    settings,
    ...(backupPath === null ? {} : { backupPath }),
    notices: [
      `Some settings were reset to defaults: ${problems.join('; ')}. ` +
        (backupPath === null
          ? 'The file could not be copied aside, so it was left unchanged.'
          : `The previous file was kept as ${backupPath}.`),
    ],
  };
}

/** Writes settings to `dir` atomically (temp file, flush, rename); creates `dir` if needed. */
export async function writeSettings(dir: string, settings: Settings): Promise<void> {
  await writeFileAtomic(path.join(dir, SETTINGS_FILE_NAME), `${JSON.stringify(settings, null, 2)}\n`);
}

/**
 * Applies a patch from the renderer (`unknown` until checked): the result names what was
 * wrong, or holds the settings to store. With `knownVoices` (the worker's list), a voice not
 * among them is refused. Pure: the caller writes them.
 */
export function applyPatch(current: Settings, patch: unknown, knownVoices?: ReadonlySet<string>): SettingsResult {
  const parsed = patchSchema.safeParse(patch);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `"${issue.path.join('.')}": ` : '';
    return { ok: false, message: `Settings not saved: ${where}${issue?.message ?? 'invalid'}` };
  }
  const clean = stripUndefined(parsed.data) as SettingsPatch;
  const next: Settings = { ...current, ...clean };
  if (clean.voice !== undefined && knownVoices !== undefined) {
    const missing = unknownVoiceOf(clean.voice, knownVoices);
    if (missing !== null) {
      return {
        ok: false,
        message: `Settings not saved: the voice "${missing}" is not installed. ${voiceChoicesHint(knownVoices, missing)}`,
      };
    }
  }
  if (clean.hotkeys !== undefined) {
    const problem = checkHotkeys(clean.hotkeys as Hotkeys);
    if (problem !== null) return { ok: false, message: `Settings not saved: ${problem}` };
  }
  return { ok: true, settings: next };
}

/** A settings change made for the user, and the notice that tells them. */
export interface SettingsFix {
  settings: Settings;
  notice: string;
}

/**
 * When the settings' voice names a voice that is not installed, the settings with the default
 * voice (or, without it, the first installed one) and a notice saying so; otherwise null (see
 * [Note: Settings name installed voices]). Pure: the caller stores and shows them.
 */
export function fallBackToKnownVoice(settings: Settings, knownVoices: ReadonlySet<string>): SettingsFix | null {
  if (knownVoices.size === 0) return null;
  const missing = unknownVoiceOf(settings.voice, knownVoices);
  if (missing === null) return null;
  const voice = knownVoices.has(DEFAULT_VOICE) ? DEFAULT_VOICE : ([...knownVoices].sort()[0] ?? DEFAULT_VOICE);
  const what =
    missing === settings.voice.trim()
      ? `The voice "${missing}" in your settings is not installed`
      : `The voice blend "${settings.voice}" in your settings names "${missing}", which is not installed`;
  return {
    settings: { ...settings, voice },
    notice: `${what}, so Kokoro Bar is using ${voice} instead. Pick another voice in the voice list.`,
  };
}

// The first id of a voice spec that is not installed, or null when all are.
function unknownVoiceOf(spec: string, knownVoices: ReadonlySet<string>): string | null {
  const ids = voiceIdsOf(spec);
  if (ids.length === 0) return spec;
  return ids.find((id) => !knownVoices.has(id)) ?? null;
}

function backupName(file: string, now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return path.join(path.dirname(file), `settings.corrupt-${stamp}.json`);
}

// Both return null when the file system refuses: the caller then leaves the file alone.
async function moveAside(file: string, now: Date): Promise<string | null> {
  const backup = backupName(file, now);
  return fs.rename(file, backup).then(
    () => backup,
    () => null,
  );
}

async function copyAside(file: string, now: Date): Promise<string | null> {
  const backup = backupName(file, now);
  return fs.copyFile(file, backup).then(
    () => backup,
    () => null,
  );
}

// zod keeps `key: undefined` for absent optionals; exactOptionalPropertyTypes wants them gone.
function stripUndefined<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, stripUndefined(v)]),
  ) as T;
}
