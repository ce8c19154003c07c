// Runs in the renderer: Settings: hotkeys (recorded by pressing them), compute units, model
// variant, launch at login, storage, and about and licences.

import { useState } from 'react';
import { DEFAULT_COREML_OPTIONS, type CoreMlUnits, type Hotkeys, type ModelVariant } from '../../src-worker/protocol/messages.ts';
import { UNITS } from '../components/provider-toggle.tsx';
import { chooseProvider, updateSettings } from '../store/actions.ts';
import { useStore } from '../store/store.ts';
import { chooseVariant } from '../first-run/readiness-store.ts';
import { useVariantOptions, variantHint, variantLabel, variantOffered } from '../first-run/variants.ts';

const HOTKEY_SLOTS: { id: keyof Hotkeys; label: string }[] = [
  { id: 'speakClipboard', label: 'Speak clipboard' },
  { id: 'speakSelection', label: 'Speak selection' },
  { id: 'stop', label: 'Stop speaking' },
];

/** Pause-scale choices (see src-worker/engine/joins.ts): shorter or longer than the natural pauses. */
const PAUSES: { scale: number; label: string }[] = [
  { scale: 0.5, label: 'Shorter' },
  { scale: 1, label: 'Natural' },
  { scale: 1.6, label: 'Longer' },
];

const VARIANTS: { id: ModelVariant; label: string }[] = [
  { id: 'int8', label: 'int8 — fastest, smallest (recommended)' },
  { id: 'fp16', label: 'fp16' },
  { id: 'fp32', label: 'fp32 — reference quality, largest' },
];

const LICENCES: { name: string; licence: string }[] = [
  { name: 'Kokoro-82M model and voices (hexgrad)', licence: 'Apache-2.0' },
  { name: 'espeak-ng (via phonemizer)', licence: 'GPL-3.0-or-later' },
  { name: 'ONNX Runtime', licence: 'MIT' },
  { name: 'Electron', licence: 'MIT' },
  { name: 'React, zustand', licence: 'MIT' },
];

const MAC_SYMBOLS: Record<string, string> = { Control: '⌃', Alt: '⌥', Shift: '⇧', Command: '⌘', Super: '⌘' };

/** An accelerator as a Mac menu shows it ("⌃⌥V"). */
export function showAccelerator(accelerator: string): string {
  if (!accelerator) return 'None';
  const parts = accelerator.split('+');
  const key = parts.pop() ?? '';
  return parts.map((m) => MAC_SYMBOLS[m] ?? `${m}+`).join('') + (key === 'Escape' ? 'Esc' : key);
}

/** Turns a key press into an Electron accelerator, or null while only modifiers are held. */
export function acceleratorFromEvent(
  e: Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'altKey' | 'shiftKey' | 'metaKey'>,
): string | null {
  if (['Control', 'Alt', 'Shift', 'Meta', 'OS'].includes(e.key)) return null;
  const mods = [e.ctrlKey && 'Control', e.altKey && 'Alt', e.shiftKey && 'Shift', e.metaKey && 'Command'].filter(Boolean);
  let key = e.key;
  if (/^Key[A-Z]$/.test(e.code)) key = e.code.slice(3);
  else if (/^Digit[0-9]$/.test(e.code)) key = e.code.slice(5);
  else if (key === ' ') key = 'Space';
  else if (key.length === 1) key = key.toUpperCase();
  return [...mods, key].join('+');
}

/** The Settings view. */
export function SettingsView() {
  const settings = useStore((s) => s.settings.value);
  const problem = useStore((s) => s.settings.problem);
  const provider = useStore((s) => s.metrics.provider);
  const variants = useVariantOptions();
  const platform = window.kokoro?.platform;
  if (!settings) return <p className="empty">Loading settings…</p>;
  const coreml = settings.provider.coreml ?? DEFAULT_COREML_OPTIONS;
  const coremlOption = provider?.options.find((o) => o.provider === 'coreml');
  return (
    <div className="settings">
      {problem && (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      )}
      <section aria-labelledby="set-hotkeys">
        <h2 id="set-hotkeys" className="section-title">
          Hotkeys
        </h2>
        <p className="hint">Focus a field and press the new shortcut. Backspace clears it. Tab moves on.</p>
        {HOTKEY_SLOTS.map((slot) => (
          <HotkeyField
            key={slot.id}
            label={slot.label}
            value={settings.hotkeys[slot.id]}
            onChange={(v) => void updateSettings({ hotkeys: { ...settings.hotkeys, [slot.id]: v } })}
          />
        ))}
      </section>
      <section aria-labelledby="set-engine">
        <h2 id="set-engine" className="section-title">
          Engine
        </h2>
        <label className="row">
          <span>CoreML compute units</span>
          <select
            value={coreml.units}
            disabled={!coremlOption?.available}
            onChange={(e) => void chooseProvider({ ...settings.provider, coreml: { ...coreml, units: e.target.value as CoreMlUnits } })}
          >
            {UNITS.map((u) => (
              <option key={u.id} value={u.id}>
                {u.label}
              </option>
            ))}
          </select>
        </label>
        {coremlOption && !coremlOption.available && <p className="hint">{coremlOption.reason}</p>}
        <label className="row">
          <span>Model variant</span>
          <select value={settings.modelVariant} onChange={(e) => chooseVariant(e.target.value as ModelVariant)}>
            {VARIANTS.map((v) => (
              <option key={v.id} value={v.id} disabled={!variantOffered(variants, v.id, settings.modelVariant)}>
                {variantLabel(
                  v.label,
                  variants.find((o) => o.variant === v.id),
                )}
              </option>
            ))}
          </select>
        </label>
        <p className="hint">
          In use now: {provider?.model ?? '—'}. {variantHint(variants)}
        </p>
      </section>
      <section aria-labelledby="set-general">
        <h2 id="set-general" className="section-title">
          General
        </h2>
        <label className="row">
          <span>Pauses</span>
          <select
            name="pause-scale"
            value={String(settings.pauseScale)}
            onChange={(e) => void updateSettings({ pauseScale: Number(e.target.value) })}
          >
            {PAUSES.map((p) => (
              <option key={p.scale} value={String(p.scale)}>
                {p.label}
              </option>
            ))}
            {!PAUSES.some((p) => p.scale === settings.pauseScale) && (
              <option value={String(settings.pauseScale)}>×{settings.pauseScale}</option>
            )}
          </select>
        </label>
        <label className="check">
          <input
            type="checkbox"
            name="launch-at-login"
            checked={settings.launchAtLogin}
            onChange={(e) => void updateSettings({ launchAtLogin: e.target.checked })}
          />
          Open Kokoro Bar at login
        </label>
      </section>
      <section aria-labelledby="set-storage">
        <h2 id="set-storage" className="section-title">
          Storage
        </h2>
        <p className="hint">
          The model and voices are kept in the app's cache folder (about 92 MB for the int8 model plus 28 MB for the 54 voices), with the
          benchmark history; settings live in the app's data folder. Nothing is sent anywhere.
        </p>
      </section>
      <section aria-labelledby="set-about">
        <h2 id="set-about" className="section-title">
          About
        </h2>
        <p className="hint">
          Kokoro Bar {platform?.appVersion ?? ''} · {platform?.shell === 'browser' ? 'in a browser' : platform?.os} · {platform?.arch}. Free
          software under GPL-3.0-or-later.
        </p>
        <table className="table compact" aria-label="Licences">
          <tbody>
            {LICENCES.map((l) => (
              <tr key={l.name}>
                <th scope="row">{l.name}</th>
                <td>{l.licence}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

function HotkeyField({ label, value, onChange }: { label: string; value: string; onChange: (value: string) => void }) {
  const [recording, setRecording] = useState(false);
  return (
    <label className="row">
      <span>{label}</span>
      <input
        className="hotkey mono"
        readOnly
        value={recording ? 'Press keys…' : showAccelerator(value)}
        aria-label={`${label} shortcut: ${value || 'none'}. Press a new shortcut to change it.`}
        data-accelerator={value}
        onFocus={() => setRecording(true)}
        onBlur={() => setRecording(false)}
        onKeyDown={(e) => {
          if (e.key === 'Tab') return;
          e.preventDefault();
          e.stopPropagation();
          if (e.key === 'Backspace' || e.key === 'Delete') {
            onChange('');
            return;
          }
          const accelerator = acceleratorFromEvent(e.nativeEvent);
          if (accelerator) {
            onChange(accelerator);
            (e.target as HTMLInputElement).blur();
          }
        }}
      />
    </label>
  );
}
