// Runs in the renderer: the Speak view: the text box (or, while speaking, the text with the
// current sentence highlighted), transport buttons, speed, provider, and the voice picker.

import { useEffect, useRef } from 'react';
import { MAX_SPEED, MIN_SPEED } from '../../src-worker/protocol.ts';
import { MOD } from '../app.tsx';
import { ProviderToggle } from '../components/provider-toggle.tsx';
import { VoicePicker } from '../components/voice-picker.tsx';
import { nowEpochMs, speak, stop, togglePause, updateSettings } from '../store/actions.ts';
import { useStore } from '../store/store.ts';

const SPEED_STEP = 0.05;

/** The Speak view. */
export function SpeakView() {
  const status = useStore((s) => s.playback.status);
  const draft = useStore((s) => s.playback.draft);
  const setDraft = useStore((s) => s.setDraft);
  const idle = status === 'idle';
  return (
    <div className="speak-layout">
      <div className="speak-main">
        {idle ? (
          <textarea
            className="text-box"
            aria-label="Text to speak"
            placeholder="Type or paste text, then press Speak."
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            autoFocus
          />
        ) : (
          <Transcript />
        )}
        <Transport />
        <SpeedControl />
        <ProviderToggle />
      </div>
      <VoicePicker />
    </div>
  );
}

function Transport() {
  const status = useStore((s) => s.playback.status);
  const draft = useStore((s) => s.playback.draft);
  const ready = useStore((s) => s.settings.value !== null && s.metrics.worker === 'up');
  const idle = status === 'idle';
  return (
    <div className="transport">
      <button
        className="primary"
        onClick={() => void speak(draft, nowEpochMs())}
        disabled={!ready || draft.trim().length === 0}
        aria-keyshortcuts={MOD === '⌘' ? 'Meta+Enter' : 'Control+Enter'}
        title={`Speak (${MOD}↩)`}
      >
        Speak
      </button>
      <button onClick={togglePause} disabled={idle} aria-keyshortcuts="Space" title="Pause or resume (Space)">
        {status === 'paused' ? 'Resume' : 'Pause'}
      </button>
      <button onClick={stop} disabled={idle} aria-keyshortcuts="Escape" title="Stop (Esc)">
        Stop
      </button>
      <PlaybackStatus />
    </div>
  );
}

function formatTime(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, '0')}`;
}

// Position changes 40 times a second: written into the DOM through a ref, not React state.
function PlaybackStatus() {
  const status = useStore((s) => s.playback.status);
  const timeRef = useRef<HTMLSpanElement>(null);
  const meterRef = useRef<HTMLSpanElement>(null);
  useEffect(
    () =>
      useStore.subscribe(
        (s) => s.playback,
        (p) => {
          if (timeRef.current) timeRef.current.textContent = formatTime(p.position);
          if (meterRef.current) meterRef.current.style.transform = `scaleX(${Math.min(1, p.level)})`;
        },
        { fireImmediately: true },
      ),
    [],
  );
  const label = { idle: 'Ready', starting: 'Starting…', playing: 'Speaking', paused: 'Paused' }[status];
  return (
    <div className="playback-status" role="status" aria-live="polite">
      <span className={`state state-${status}`} data-testid="playback-state">
        {label}
      </span>
      <span className="mono time" ref={timeRef} aria-hidden="true" />
      <span className="meter" aria-hidden="true">
        <span ref={meterRef} />
      </span>
    </div>
  );
}

function Transcript() {
  const text = useStore((s) => s.playback.spokenText);
  const sentences = useStore((s) => s.playback.sentences);
  const current = useStore((s) => s.playback.sentenceIndex);
  const activeRef = useRef<HTMLElement>(null);
  // Braces matter: newer Chromium returns a promise from scrollIntoView, and an effect must not.
  useEffect(() => {
    void activeRef.current?.scrollIntoView({ block: 'nearest' });
  }, [current]);
  const parts: React.ReactNode[] = [];
  let cursor = 0;
  sentences.forEach((span, i) => {
    if (span.start > cursor) parts.push(text.slice(cursor, span.start));
    const on = i === current;
    parts.push(
      on ? (
        <mark key={i} ref={activeRef} className="sentence current" data-sentence={i} aria-current="true">
          {text.slice(span.start, span.end)}
        </mark>
      ) : (
        <span key={i} className={`sentence${i < current ? ' spoken' : ''}`} data-sentence={i}>
          {text.slice(span.start, span.end)}
        </span>
      ),
    );
    cursor = span.end;
  });
  if (cursor < text.length) parts.push(text.slice(cursor));
  return (
    <div className="text-box transcript" tabIndex={0} aria-label="Text being spoken; the current sentence is highlighted" data-testid="transcript">
      {parts}
    </div>
  );
}

function SpeedControl() {
  const speed = useStore((s) => s.settings.value?.speed ?? 1);
  return (
    <label className="inline speed">
      <span>Speed</span>
      <input
        type="range"
        min={MIN_SPEED}
        max={MAX_SPEED}
        step={SPEED_STEP}
        value={speed}
        aria-valuetext={`${speed.toFixed(2)} times`}
        onChange={(e) => void updateSettings({ speed: Number(e.target.value) })}
      />
      <span className="mono">{speed.toFixed(2)}×</span>
    </label>
  );
}
