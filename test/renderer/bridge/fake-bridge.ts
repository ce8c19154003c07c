// Runs in Node (tests): an in-memory KokoroBridge for the renderer's store and views. It records
// every request the renderer sends, lets the test play the worker (events), main (commands and
// worker up/down) and the settings owner (main's real applyPatch, so refusals are real ones).

import { applyPatch, defaultSettings } from '../../../src-main/settings/settings.ts';
import type {
  AppCommand,
  KokoroBridge,
  Settings,
  SettingsPatch,
  WorkerEvent,
  WorkerRequest,
} from '../../../src-worker/protocol/messages.ts';

/** A bridge and the handles a test drives it with. */
export interface FakeBridge {
  bridge: KokoroBridge;
  /** Every request the renderer sent, in order. */
  sent: WorkerRequest[];
  /** Every settings patch the renderer asked to write, accepted or not. */
  writes: SettingsPatch[];
  /** What main holds now (the next getSettings answers this). */
  settings: Settings;
  /** Plays a worker event to every listener. */
  emit(event: WorkerEvent): void;
  /** Plays an app command from main (hotkey, tray). */
  command(command: AppCommand): void;
  /** Reports the worker up or down. */
  workerState(state: 'up' | 'down'): void;
  /** Requests of one type the renderer sent, in order. */
  requests<T extends WorkerRequest['type']>(type: T): Extract<WorkerRequest, { type: T }>[];
}

/** A fresh bridge; `clipboard` is what readClipboard answers. */
export function fakeBridge(options: { settings?: Settings; clipboard?: string } = {}): FakeBridge {
  const events = new Set<(event: WorkerEvent) => void>();
  const states = new Set<(state: 'up' | 'down') => void>();
  const commands = new Set<(command: AppCommand) => void>();
  const listen = <T>(set: Set<T>, listener: T) => {
    set.add(listener);
    return () => void set.delete(listener);
  };
  const fake: FakeBridge = {
    sent: [],
    writes: [],
    settings: options.settings ?? defaultSettings(),
    emit: (event) => events.forEach((l) => l(event)),
    command: (command) => commands.forEach((l) => l(command)),
    workerState: (state) => states.forEach((l) => l(state)),
    requests: <T extends WorkerRequest['type']>(type: T) =>
      fake.sent.filter((r): r is Extract<WorkerRequest, { type: T }> => r.type === type),
    bridge: {
      platform: { os: 'browser', arch: 'x64', shell: 'browser', appVersion: 'test' },
      send: (request) => void fake.sent.push(request),
      onEvent: (listener) => listen(events, listener),
      onWorkerState: (listener) => listen(states, listener),
      onCommand: (listener) => listen(commands, listener),
      getSettings: async () => fake.settings,
      updateSettings: async (patch) => {
        fake.writes.push(patch);
        const result = applyPatch(fake.settings, patch);
        if (result.ok) fake.settings = result.settings;
        return result;
      },
      readClipboard: async () => options.clipboard ?? '',
    },
  };
  return fake;
}
