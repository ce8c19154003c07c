// Runs in the Electron main process (and tests, under plain Node): main as the settings' one owner
// (see STYLE.md): the current settings, every write through `applyPatch`, and what a change sets
// off: new hotkeys, a new worker for a new model variant, the login item, every window told.

import type { AppCommand, ModelVariant, Settings, SettingsResult } from '../../src-worker/protocol/messages.ts';
import type { NoticeLevel } from '../app/commands.ts';
import { applyPatch, fallBackToKnownVoice } from './settings.ts';

/** What the owner needs from the app. */
export interface SettingsDeps {
  /** The settings as loaded at start. */
  initial: Settings;
  /** Writes the settings file (settings.writeSettings on the user-data folder). */
  write(settings: Settings): Promise<void>;
  /** The installed voice ids once the worker has listed them (see [Note: Settings name installed voices]). */
  knownVoices(): ReadonlySet<string> | undefined;
  onHotkeysChanged(): void;
  /** The worker reads the variant at start, so a new one needs a new worker. */
  onVariantChanged(variant: ModelVariant): void;
  onLoginChanged(openAtLogin: boolean): void;
  broadcast(command: AppCommand): void;
  /** Something the tray shows may have changed. */
  onChange(): void;
  notify(level: NoticeLevel, message: string): void;
}

/** The settings and the ways to change them. */
export interface SettingsOwner {
  current(): Settings;
  /** Checks a patch from a window against the installed voices; stores it when it is valid. */
  update(patch: unknown): Promise<SettingsResult>;
  /** As `update`, for the tray: a refused patch is told to the user. */
  updateFromTray(patch: unknown): Promise<void>;
  /** Puts a settings voice that is not installed back to the default, and says so. */
  checkVoice(): Promise<void>;
}

/** Creates the owner over `deps`. */
export function setupSettings(deps: SettingsDeps): SettingsOwner {
  let settings = deps.initial;

  const store = async (next: Settings): Promise<void> => {
    const hotkeysChanged = JSON.stringify(next.hotkeys) !== JSON.stringify(settings.hotkeys);
    const loginChanged = next.launchAtLogin !== settings.launchAtLogin;
    const variantChanged = next.modelVariant !== settings.modelVariant;
    settings = next;
    await deps.write(next);
    if (hotkeysChanged) deps.onHotkeysChanged();
    if (variantChanged) deps.onVariantChanged(next.modelVariant);
    if (loginChanged) deps.onLoginChanged(next.launchAtLogin);
    deps.broadcast({ type: 'settings-changed', settings: next });
    deps.onChange();
  };

  const update = async (patch: unknown): Promise<SettingsResult> => {
    const result = applyPatch(settings, patch, deps.knownVoices());
    if (result.ok) await store(result.settings);
    return result;
  };

  return {
    current: () => settings,
    update,
    async updateFromTray(patch) {
      const result = await update(patch);
      if (!result.ok) deps.notify('error', result.message);
    },
    async checkVoice() {
      const known = deps.knownVoices();
      const fix = known === undefined ? null : fallBackToKnownVoice(settings, known);
      if (fix === null) return;
      await store(fix.settings);
      deps.notify('warning', fix.notice);
    },
  };
}
