// Runs in the Electron main process (and tests, under plain Node): the tray menu as plain data,
// built by a pure function from the app's state. tray.ts turns the model into an Electron Menu
// (through tray-template.ts) and does each item's action; tests check the model directly.

import type { AppView, ErrorCode, ProviderChoice, ProviderId, VoiceInfo } from '../../src-worker/protocol/messages.ts';
import { displayAccelerator } from '../shortcuts/accelerators.ts';
import { PROVIDER_NAMES } from '../../src-worker/protocol/messages.ts';

/** What the tray menu can ask for. */
export type TrayAction =
  | { type: 'speak-clipboard' }
  | { type: 'speak-selection' }
  | { type: 'toggle-pause' }
  | { type: 'stop' }
  | { type: 'set-voice'; voice: string }
  | { type: 'set-speed'; speed: number }
  | { type: 'set-provider'; provider: ProviderId }
  | { type: 'show-view'; view: AppView }
  | { type: 'quit' };

/** One menu entry, as data. */
export type MenuItemModel =
  | {
      kind: 'action';
      label: string;
      action: TrayAction;
      enabled: boolean;
      /** Shown beside the label ("⌃⌥V"); the shortcut itself is registered globally. */
      shortcut?: string;
    }
  | { kind: 'radio'; label: string; action: TrayAction; checked: boolean; enabled: boolean }
  | { kind: 'submenu'; label: string; items: MenuItemModel[] }
  | { kind: 'separator' }
  | { kind: 'label'; label: string };

/** Whether speech is playing. */
export type PlaybackState = 'idle' | 'speaking' | 'paused';

/** Everything the tray menu depends on. */
export interface TrayState {
  playback: PlaybackState;
  voice: string;
  speed: number;
  provider: ProviderChoice;
  /** Voices the worker reported; empty until it has. */
  voices: VoiceInfo[];
  /** Why the worker could not list them, while it cannot (e.g. the model is not downloaded). */
  voicesProblem?: { code: ErrorCode; message: string } | undefined;
  favourites: string[];
  /** Providers that cannot work here, with the reason (from the worker). */
  unavailable: Partial<Record<ProviderId, string>>;
  hotkeys: { speakClipboard: string; speakSelection: string; stop: string };
  workerUp: boolean;
}

/** Speeds offered in the Speed submenu. */
export const SPEED_STEPS = [0.75, 1, 1.25, 1.5, 1.75, 2] as const;

const PROVIDER_LABELS: Record<ProviderId, string> = {
  auto: 'Automatic (fastest measured)',
  cpu: PROVIDER_NAMES.cpu,
  coreml: `${PROVIDER_NAMES.coreml} (Neural Engine / GPU)`,
};

/** Builds the tray menu from state: Speak Clipboard … Quit. */
export function buildTrayMenu(state: TrayState): MenuItemModel[] {
  const speaking = state.playback !== 'idle';
  const withShortcut = (accelerator: string): { shortcut?: string } =>
    accelerator === '' ? {} : { shortcut: displayAccelerator(accelerator) };
  return [
    {
      kind: 'action',
      label: 'Speak Clipboard',
      action: { type: 'speak-clipboard' },
      enabled: true,
      ...withShortcut(state.hotkeys.speakClipboard),
    },
    {
      kind: 'action',
      label: 'Speak Selection',
      action: { type: 'speak-selection' },
      enabled: true,
      ...withShortcut(state.hotkeys.speakSelection),
    },
    {
      kind: 'action',
      label: state.playback === 'paused' ? 'Resume' : 'Pause',
      action: { type: 'toggle-pause' },
      enabled: speaking,
    },
    {
      kind: 'action',
      label: 'Stop',
      action: { type: 'stop' },
      enabled: speaking,
      ...withShortcut(state.hotkeys.stop),
    },
    { kind: 'separator' },
    { kind: 'submenu', label: 'Voice', items: voiceItems(state) },
    { kind: 'submenu', label: 'Speed', items: speedItems(state.speed) },
    { kind: 'submenu', label: 'Provider', items: providerItems(state) },
    { kind: 'separator' },
    ...(state.workerUp ? [] : [{ kind: 'label', label: 'Speech engine restarting…' } as const]),
    { kind: 'action', label: 'Dashboard…', action: { type: 'show-view', view: 'dashboard' }, enabled: true },
    { kind: 'action', label: 'Benchmark…', action: { type: 'show-view', view: 'benchmark' }, enabled: true },
    { kind: 'action', label: 'Settings…', action: { type: 'show-view', view: 'settings' }, enabled: true },
    { kind: 'separator' },
    { kind: 'action', label: 'Quit Kokoro Bar', action: { type: 'quit' }, enabled: true },
  ];
}

// What the empty voice list says: waiting, or why there are none (the window shows the details).
function noVoicesLabel(state: TrayState): string {
  if (!state.workerUp || state.voicesProblem === undefined) return 'Loading voices…';
  return state.voicesProblem.code === 'model-missing' ? 'Voices arrive with the model download' : 'No voices: open Kokoro Bar for details';
}

// Favourites first, then every voice grouped by language; the current voice is always listed
// (it may be a blend, which is not among the voices).
function voiceItems(state: TrayState): MenuItemModel[] {
  const radio = (id: string, label: string): MenuItemModel => ({
    kind: 'radio',
    label,
    action: { type: 'set-voice', voice: id },
    checked: id === state.voice,
    enabled: true,
  });
  const byId = new Map(state.voices.map((v) => [v.id, v]));
  const name = (id: string): string => {
    const info = byId.get(id);
    return info === undefined ? id : `${info.name} (${info.language}, ${info.gender})`;
  };
  const items: MenuItemModel[] = [];
  const top = [...new Set([state.voice, ...state.favourites])];
  for (const id of top) items.push(radio(id, name(id)));
  if (state.voices.length === 0) {
    items.push({ kind: 'label', label: noVoicesLabel(state) });
    return items;
  }
  const languages = new Map<string, VoiceInfo[]>();
  for (const voice of state.voices) {
    const list = languages.get(voice.language) ?? [];
    list.push(voice);
    languages.set(voice.language, list);
  }
  items.push({ kind: 'separator' });
  for (const [language, voices] of languages) {
    items.push({
      kind: 'submenu',
      label: language,
      items: voices.map((v) => radio(v.id, `${v.name} (${v.gender})`)),
    });
  }
  return items;
}

function speedItems(current: number): MenuItemModel[] {
  const steps: number[] = [...SPEED_STEPS];
  if (!steps.includes(current)) steps.push(current);
  steps.sort((a, b) => a - b);
  return steps.map((speed) => ({
    kind: 'radio',
    label: `${speed}×`,
    action: { type: 'set-speed', speed },
    checked: speed === current,
    enabled: true,
  }));
}

function providerItems(state: TrayState): MenuItemModel[] {
  return (['auto', 'cpu', 'coreml'] as const).map((provider) => {
    const reason = state.unavailable[provider];
    return {
      kind: 'radio',
      label: reason === undefined ? PROVIDER_LABELS[provider] : `${PROVIDER_LABELS[provider]} — ${reason}`,
      action: { type: 'set-provider', provider },
      checked: state.provider.provider === provider,
      enabled: reason === undefined,
    };
  });
}

/** Tooltip for the tray icon. */
export function trayTooltip(state: Pick<TrayState, 'playback' | 'voice' | 'workerUp'>): string {
  if (!state.workerUp) return 'Kokoro Bar — speech engine restarting';
  if (state.playback === 'speaking') return `Kokoro Bar — speaking (${state.voice})`;
  if (state.playback === 'paused') return 'Kokoro Bar — paused';
  return 'Kokoro Bar';
}
