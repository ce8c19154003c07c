// Runs in the renderer: the Speak view: the text box (or, while speaking, the text with the
// current sentence highlighted), transport buttons, voice, speed, provider, and the voice picker.
//
// [Note: Compact popover layout]
// The popover is 380×520, so the view is a column whose only flexible row is the text: the
// text box (or transcript) takes what is left and scrolls inside itself, and the transport, voice,
// speed and provider rows below it keep their height, so 200 KB of text cannot push Stop out of
// reach. There the voice picker is a sheet over the view, opened from the Voice button; from
// 640 px wide it is a panel beside the text instead (styles.css, "Speak").

import { useEffect, useRef } from 'react';
import { DEFAULT_SPEED, MAX_SPEED, MIN_SPEED } from '../../src-worker/protocol/messages.ts';
import { MOD } from '../app.tsx';
import { ChevronIcon, NextIcon, PauseIcon, PlayIcon, PreviousIcon, StopIcon } from '../components/icons.tsx';
import { ProviderToggle } from '../components/provider-toggle.tsx';
import { VoicePicker, useVoiceLabel } from '../components/voice-picker.tsx';
import { modelBlocker, nowEpochMs, skipSentence, speak, speakBlocker, stop, togglePause, updateSettings } from '../store/actions.ts';
import { useReadiness } from '../first-run/readiness-store.ts';
import { useStore } from '../store/store.ts';
import {
  SentenceAnnouncer,
  SentenceWords,
  onWordClick,
  onWordKey,
  useTranscriptRef,
  useWordHighlight,
} from '../words/transcript-words.tsx';

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
        <div className="speak-controls">
          <VoiceButton />
          <SpeedControl />
        </div>
        <ProviderToggle />
      </div>
      <VoicePicker />
    </div>
  );
}

function Transport() {
  const status = useStore((s) => s.playback.status);
  const draft = useStore((s) => s.playback.draft);
  // Both stores: the readiness store says when the model is there (speakBlocker reads it too).
  const modelReady = useReadiness((s) => modelBlocker(s.engine) === null);
  const ready = useStore((s) => speakBlocker(s) === null) && modelReady;
  const idle = status === 'idle';
  const paused = status === 'paused';
  return (
    <div className="transport" role="group" aria-label="Playback">
      <button
        className="primary speak-button"
        onClick={() => void speak(draft, nowEpochMs())}
        disabled={!ready || draft.trim().length === 0}
        aria-keyshortcuts={MOD === '⌘' ? 'Meta+Enter' : 'Control+Enter'}
        title={`Speak (${MOD}↩)`}
      >
        Speak
      </button>
      <div className="transport-keys">
        <button
          className="key"
          onClick={() => void skipSentence(-1)}
          disabled={idle}
          aria-label="Previous sentence"
          title="Previous sentence"
        >
          <PreviousIcon />
        </button>
        <button
          className="key"
          onClick={togglePause}
          disabled={idle}
          aria-label={paused ? 'Resume' : 'Pause'}
          aria-keyshortcuts="Space"
          title={paused ? 'Resume (Space)' : 'Pause (Space)'}
        >
          {paused ? <PlayIcon /> : <PauseIcon />}
        </button>
        <button className="key" onClick={stop} disabled={idle} aria-label="Stop" aria-keyshortcuts="Escape" title="Stop (Esc)">
          <StopIcon />
        </button>
        <button className="key" onClick={() => void skipSentence(1)} disabled={idle} aria-label="Next sentence" title="Next sentence">
          <NextIcon />
        </button>
      </div>
      <PlaybackStatus ready={ready} />
    </div>
  );
}

/** The compact layout's pop-up button that opens the voice sheet. */
function VoiceButton() {
  const open = useStore((s) => s.ui.voiceSheet);
  const setOpen = useStore((s) => s.setVoiceSheet);
  const label = useVoiceLabel();
  return (
    <button
      className="voice-button"
      id="voice-button"
      aria-haspopup="dialog"
      aria-expanded={open}
      aria-controls="voice-sheet"
      aria-label={`Voice: ${label}. Choose a voice`}
      onClick={() => setOpen(true)}
    >
      <span className="voice-button-label">Voice</span>
      <span className="voice-button-name">{label}</span>
      <ChevronIcon />
    </button>
  );
}

function formatTime(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, '0')}`;
}

// Position changes 40 times a second: written into the DOM through a ref, not React state.
// `ready`: Speak may be pressed; idle says "Ready" only then (the badge says why not).
function PlaybackStatus({ ready }: { ready: boolean }) {
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
  const label = { idle: ready ? 'Ready' : 'Not ready', starting: 'Starting…', playing: 'Speaking', paused: 'Paused' }[status];
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
  const transcriptRef = useTranscriptRef();
  useWordHighlight(transcriptRef);
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
          <SentenceWords text={text} start={span.start} end={span.end} />
        </mark>
      ) : (
        <span key={i} className={`sentence${i < current ? ' spoken' : ''}`} data-sentence={i}>
          <SentenceWords text={text} start={span.start} end={span.end} />
        </span>
      ),
    );
    cursor = span.end;
  });
  if (cursor < text.length) parts.push(text.slice(cursor));
  return (
    <div
      className="text-box transcript"
      tabIndex={0}
      aria-label="Text being spoken; the current sentence is highlighted. Click a word, or move to it with the arrow keys and press Enter, to read from there"
      data-testid="transcript"
      ref={transcriptRef}
      onClick={onWordClick}
      onKeyDown={onWordKey}
    >
      {parts}
      <SentenceAnnouncer />
    </div>
  );
}

function SpeedControl() {
  const speed = useStore((s) => s.settings.value?.speed ?? DEFAULT_SPEED);
  return (
    <label className="inline speed">
      <span className="speed-label">Speed</span>
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
