// Runs in the renderer: the window's frame: the view switcher, global keyboard shortcuts, the
// notice bar, and the current view.

import { useEffect } from 'react';
import type { AppView } from '../src-worker/protocol/messages.ts';
import { dismissProblem, nowEpochMs, speak, stop, togglePause } from './store/actions.ts';
import { useStore } from './store/store.ts';
import { BenchmarkView } from './views/benchmark-view.tsx';
import { DashboardView } from './views/dashboard-view.tsx';
import { SettingsView } from './views/settings-view.tsx';
import { SpeakView } from './views/speak-view.tsx';
import { FirstRunView, ReadinessBadge } from './first-run/first-run-view.tsx';

const VIEWS: { id: AppView; label: string; key: string }[] = [
  { id: 'speak', label: 'Speak', key: '1' },
  { id: 'dashboard', label: 'Dashboard', key: '2' },
  { id: 'benchmark', label: 'Benchmark', key: '3' },
  { id: 'settings', label: 'Settings', key: '4' },
];

/** True on a Mac, where shortcuts use ⌘ rather than Ctrl. */
export const IS_MAC = /Mac/.test(navigator.platform);
/** The shortcut modifier's label. */
export const MOD = IS_MAC ? '⌘' : 'Ctrl+';

/** Input types where Space is a character, not a command. */
const TEXT_INPUT_TYPES = new Set(['text', 'search', 'number', 'email', 'url', 'password', 'tel']);

/**
 * True where Space types a character (text fields, selects). Everywhere else, while something is
 * being read, Space pauses or resumes, even on a focused button, checkbox or slider, whose own
 * Space action (a click on key-up) is suppressed: left on Speak, it would restart the utterance.
 */
export function spaceTypes(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.tagName !== 'string') return false;
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable) return true;
  return el.tagName === 'INPUT' && TEXT_INPUT_TYPES.has((el as HTMLInputElement).type);
}

/** The app: view tabs, shortcuts and the current view. */
export function App() {
  const view = useStore((s) => s.ui.view);
  const showView = useStore((s) => s.showView);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = IS_MAC ? e.metaKey : e.ctrlKey;
      const match = VIEWS.find((v) => v.key === e.key);
      if (mod && match) {
        e.preventDefault();
        showView(match.id);
      } else if (mod && e.key === 'Enter') {
        // The same rules as the Speak button: speak() refuses, with the reason, when not ready.
        e.preventDefault();
        if (!e.repeat) void speak(useStore.getState().playback.draft, nowEpochMs());
      } else if (e.key === 'Escape' || (mod && e.key === '.')) {
        if (useStore.getState().playback.status !== 'idle') {
          e.preventDefault();
          stop();
        }
      } else if (e.key === ' ' && !spaceTypes(e.target) && useStore.getState().playback.status !== 'idle') {
        e.preventDefault();
        if (!e.repeat) togglePause();
      }
    };
    // A focused button or checkbox acts on Space's key-up: swallow that too while speaking.
    const onKeyUp = (e: KeyboardEvent) => {
      if (e.key === ' ' && !spaceTypes(e.target) && useStore.getState().playback.status !== 'idle') e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('keyup', onKeyUp);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('keyup', onKeyUp);
    };
  }, [showView]);

  const onTabKey = (e: React.KeyboardEvent, index: number) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    e.preventDefault();
    const next = VIEWS[(index + step + VIEWS.length) % VIEWS.length] as (typeof VIEWS)[number];
    showView(next.id);
    document.getElementById(`tab-${next.id}`)?.focus();
  };

  return (
    <div className="app">
      <header className="toolbar">
        <div className="tabs" role="tablist" aria-label="Views">
          {VIEWS.map((v, i) => (
            <button
              key={v.id}
              id={`tab-${v.id}`}
              role="tab"
              aria-selected={view === v.id}
              aria-controls={`view-${v.id}`}
              tabIndex={view === v.id ? 0 : -1}
              className="tab"
              title={`${v.label} (${MOD}${v.key})`}
              onClick={() => showView(v.id)}
              onKeyDown={(e) => onTabKey(e, i)}
            >
              {v.label}
            </button>
          ))}
        </div>
        <ReadinessBadge />
      </header>
      <Notice />
      <FirstRunView />
      <main id={`view-${view}`} role="tabpanel" aria-labelledby={`tab-${view}`} className={`view view-${view}`}>
        {view === 'speak' && <SpeakView />}
        {view === 'dashboard' && <DashboardView />}
        {view === 'benchmark' && <BenchmarkView />}
        {view === 'settings' && <SettingsView />}
      </main>
    </div>
  );
}

function Notice() {
  const notice = useStore((s) => s.ui.notice);
  const problem = useStore((s) => s.playback.problem);
  if (!notice && !problem) return null;
  const level = problem ? 'error' : (notice?.level ?? 'info');
  return (
    <div className={`notice notice-${level}`} role="alert">
      <span>
        {problem ? (
          <>
            <strong>{problem.message}</strong> {problem.action}
          </>
        ) : (
          notice?.message
        )}
      </span>
      <button className="plain" onClick={dismissProblem} aria-label="Dismiss message">
        ✕
      </button>
    </div>
  );
}
