// Runs in the renderer: the first-run view (the model being downloaded and verified: bytes,
// speed, what is being checked) and the readiness badge with its "Fetch model" action. Reads
// only the readiness store (readiness-store.ts); app.tsx places the two.

import { useStore } from '../store/store.ts';
import { describeFetch, installedBytes, speedOf } from './progress.ts';
import { dismissFetchError, fetchModel, useReadiness } from './readiness-store.ts';
import './first-run.css';
import { PROVIDER_NAMES } from '../../src-worker/protocol/messages.ts';

/** The download in progress, or what stops the engine; nothing once it is ready. */
export function FirstRunView() {
  const fetch = useReadiness((s) => s.fetch);
  const engine = useReadiness((s) => s.engine);
  if (!fetch) {
    if (engine?.status !== 'needs-fetch' && engine?.status !== 'failed') return null;
    return (
      <section className="first-run first-run-problem" aria-label="Model" data-testid="first-run">
        <strong>{engine.reason}</strong>
        <p>{engine.action}</p>
        <button className="primary" onClick={() => fetchModel()}>
          Fetch model
        </button>
      </section>
    );
  }
  const latest = fetch.events.at(-1);
  const view = describeFetch(latest, installedBytes(fetch.events), speedOf(fetch.samples));
  const { firstRun } = fetch;
  const title = fetch.variant
    ? `Downloading the ${fetch.variant} model`
    : firstRun
      ? 'Downloading the Kokoro voice model (once)'
      : 'Repairing the model files';
  return (
    <section className="first-run" aria-label="Model download" aria-busy={fetch.error === null} data-testid="first-run">
      <strong>{fetch.error ? 'The model could not be downloaded' : title}</strong>
      {fetch.error ? (
        <>
          <p>{firstSentence(fetch.error.message)}</p>
          <details>
            <summary>Details</summary>
            <p>
              {fetch.error.message} {fetch.error.action}
            </p>
          </details>
          <div className="first-run-actions">
            <button className="primary" onClick={() => fetchModel(fetch.variant, fetch.thenSwitch)}>
              Try again
            </button>
            <button onClick={dismissFetchError}>Dismiss</button>
          </div>
        </>
      ) : (
        <>
          <progress className="first-run-bar" max={1} value={view.overall} aria-label="Whole download" />
          <p className="first-run-overall" data-testid="first-run-bytes">
            {view.overallText || 'Starting…'}
          </p>
          <p className="first-run-doing" data-testid="first-run-doing">
            {view.doing}
          </p>
          {view.step === undefined ? (
            <progress className="first-run-bar first-run-step" aria-label="This step" />
          ) : (
            <progress className="first-run-bar first-run-step" max={1} value={view.step} aria-label="This step" />
          )}
          <p className="first-run-overall" data-testid="first-run-speed">
            {view.stepText}
          </p>
          <p className="hint">Every file is checked against its sha256 before it is used. Speech starts when this is done.</p>
        </>
      )}
    </section>
  );
}

// The headline of a long error (the rest, with every source that failed, is under Details).
function firstSentence(text: string): string {
  const end = text.search(/\.\s/);
  return end < 0 ? text : text.slice(0, end + 1);
}

/** The engine's state in one line: green only when it can speak; red with the reason and "Fetch model" when not. */
export function ReadinessBadge() {
  const worker = useStore((s) => s.metrics.worker);
  const provider = useStore((s) => s.metrics.provider?.active);
  const engine = useReadiness((s) => s.engine);
  const fetch = useReadiness((s) => s.fetch);
  let tone: 'up' | 'down' | 'busy';
  let label: string;
  // The popover's toolbar has room for a word of at most 7 letters beside the tabs (styles.css
  // shows it below 640 px; "Downloading" ran into the Settings tab).
  let short: string;
  let reason: string | undefined;
  const providerName = PROVIDER_NAMES[provider ?? 'cpu'];
  if (worker === 'down') [tone, label, short] = ['down', 'Engine offline', 'Offline'];
  else if (worker === 'connecting') [tone, label, short] = ['busy', 'Connecting…', 'Starting'];
  else if (fetch && fetch.error === null) [tone, label, short] = ['busy', 'Downloading model…', 'Loading'];
  else if (fetch?.error) [tone, label, short, reason] = ['down', 'Model download failed', 'Failed', fetch.error.message];
  else if (engine === null || engine.status === 'checking') [tone, label, short] = ['busy', 'Checking model…', 'Loading'];
  else if (engine.status === 'ready') [tone, label, short] = ['up', `Engine ready · ${providerName}`, providerName];
  else if (engine.status === 'fetching') [tone, label, short] = ['busy', 'Downloading model…', 'Loading'];
  else {
    const missing = engine.status === 'needs-fetch';
    [tone, label, short, reason] = ['down', missing ? 'Model missing' : 'Engine not ready', missing ? 'Missing' : 'Error', engine.reason];
  }
  const offerFetch = worker === 'up' && (engine?.status === 'needs-fetch' || engine?.status === 'failed' || Boolean(fetch?.error));
  return (
    <div className="readiness">
      <div
        className={`badge badge-${tone}`}
        role="status"
        aria-live="polite"
        aria-label={reason === undefined ? label : `${label}: ${reason}`}
        data-testid="worker-state"
        data-short={short}
        title={reason ?? label}
      >
        <span className="dot" aria-hidden="true" />
        <span className="badge-long">{label}</span>
      </div>
      {offerFetch && !fetch && (
        <button className="badge-action" onClick={() => fetchModel()} title={engine?.action}>
          Fetch model
        </button>
      )}
    </div>
  );
}
