// Runs in the renderer: the provider toggle (CPU / CoreML / Auto) and CoreML's compute units.
// Choices the worker reports as unavailable are disabled, with its reason beside them.

import {
  COREML_UNITS,
  COREML_UNIT_LABELS,
  DEFAULT_COREML_OPTIONS,
  PROVIDER_IDS,
  PROVIDER_NAMES,
  type CoreMlUnits,
  type ProviderId,
} from '../../src-worker/protocol/messages.ts';
import { chooseProvider } from '../store/actions.ts';
import { useStore } from '../store/store.ts';

const PROVIDERS: { id: ProviderId; label: string }[] = PROVIDER_IDS.map((id) => ({ id, label: PROVIDER_NAMES[id] }));

/** Compute-unit choices with their user-facing names. */
export const UNITS: { id: CoreMlUnits; label: string }[] = COREML_UNITS.map((id) => ({ id, label: COREML_UNIT_LABELS[id] }));

/** The provider radio group plus compute units. */
export function ProviderToggle() {
  const choice = useStore((s) => s.settings.value?.provider);
  const state = useStore((s) => s.metrics.provider);
  if (!choice) return null;
  const option = (id: ProviderId) => state?.options.find((o) => o.provider === id);
  const coreml = choice.coreml ?? DEFAULT_COREML_OPTIONS;
  const coremlOption = option('coreml');
  const reasons = PROVIDERS.map((p) => ({ p, o: option(p.id) })).filter(({ o }) => o && !o.available);
  return (
    <fieldset className="provider">
      <legend className="section-title">Runs on</legend>
      <div className="segmented" role="radiogroup" aria-label="Inference provider">
        {PROVIDERS.map((p) => {
          const o = option(p.id);
          const disabled = o ? !o.available : false;
          return (
            <label key={p.id} className={`segment${choice.provider === p.id ? ' on' : ''}${disabled ? ' disabled' : ''}`} title={o?.reason}>
              <input
                type="radio"
                name="provider"
                value={p.id}
                checked={choice.provider === p.id}
                disabled={disabled}
                aria-describedby={disabled ? `reason-${p.id}` : undefined}
                onChange={() => void chooseProvider({ provider: p.id, coreml })}
              />
              {p.label}
            </label>
          );
        })}
      </div>
      <label className={`inline units${coremlOption?.available ? '' : ' units-unavailable'}`}>
        <span>Compute units</span>
        <select
          value={coreml.units}
          disabled={!coremlOption?.available}
          aria-describedby={coremlOption?.available ? undefined : 'reason-coreml'}
          onChange={(e) => void chooseProvider({ ...choice, coreml: { ...coreml, units: e.target.value as CoreMlUnits } })}
        >
          {UNITS.map((u) => (
            <option key={u.id} value={u.id}>
              {u.label}
            </option>
          ))}
        </select>
      </label>
      {reasons.map(({ p, o }) => (
        <p key={p.id} id={`reason-${p.id}`} className="hint reason" title={o?.reason}>
          {p.label} unavailable: {o?.reason ?? 'not supported here'}
        </p>
      ))}
      {state?.fallbackReason && <p className="hint warn">Using CPU: {state.fallbackReason}</p>}
    </fieldset>
  );
}
