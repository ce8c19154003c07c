// Runs in the renderer: the voice picker: 54 voices grouped by accent and gender, searchable,
// with preview, favourites and a two-voice blend. Keyboard: arrows move, Enter picks, P previews,
// F stars (a listbox with aria-activedescendant, so it is one tab stop for VoiceOver users).
// In the compact popover it is a sheet over the Speak view (see [Note: Compact popover layout]).

import { useEffect, useMemo, useRef, useState } from 'react';
import type { ReadinessState, VoiceInfo } from '../../src-worker/protocol/messages.ts';
import { preview, stop, toggleFavourite, updateSettings } from '../store/actions.ts';
import { useStore } from '../store/store.ts';
import { useReadiness } from '../first-run/readiness-store.ts';
import { cursorIndex, flattenGroups, groupVoices, type RowKey } from '../voice-groups.ts';
import { DEFAULT_BLEND_WEIGHT, formatVoice, parseVoice, type VoiceMix } from '../voice-mix.ts';

const WEIGHT_STEP = 0.1;

/** The chosen voice or blend as a short label ("Heart", "Heart 70% + Bella 30%"). */
export function useVoiceLabel(): string {
  const voices = useStore((s) => s.voices.list);
  const voice = useStore((s) => s.settings.value?.voice ?? '');
  const byId = useMemo(() => new Map(voices.map((v) => [v.id, v])), [voices]);
  return describeMix(parseVoice(voice), byId);
}

// What the empty voice list says while the engine is in `status` (the badge above says why).
function voicesWaitFor(status: ReadinessState['status'] | undefined): string {
  switch (status) {
    case 'needs-fetch':
    case 'fetching':
      return 'The voices arrive with the model download.';
    case 'failed':
      return 'No voices: the engine could not start.';
    default:
      return 'Loading voices…';
  }
}

/** The voice picker panel (a sheet in the compact layout). */
export function VoicePicker() {
  const voices = useStore((s) => s.voices.list);
  const query = useStore((s) => s.voices.query);
  const setQuery = useStore((s) => s.setVoiceQuery);
  const previewing = useStore((s) => s.voices.previewing);
  const voice = useStore((s) => s.settings.value?.voice ?? '');
  const favourites = useStore((s) => s.settings.value?.favourites ?? EMPTY);
  const sheetOpen = useStore((s) => s.ui.voiceSheet);
  const setSheet = useStore((s) => s.setVoiceSheet);
  const idle = useStore((s) => s.playback.status === 'idle');
  // The voices come with the model files: while they are missing the list is not "loading".
  const waiting = useReadiness((s) => voicesWaitFor(s.engine?.status));
  const mix = parseVoice(voice);
  const groups = useMemo(() => groupVoices(voices, favourites, query), [voices, favourites, query]);
  const flat = useMemo(() => flattenGroups(groups), [groups]);
  // The cursor is a row (group and voice), not a position: starring a voice adds a Favourites
  // row above it, and a position would then point at the voice before it (F twice would star two).
  const [active, setActive] = useState<RowKey | null>(null);
  const activeIndex = Math.max(0, cursorIndex(flat, active, mix.primary));
  const byId = useMemo(() => new Map(voices.map((v) => [v.id, v])), [voices]);
  const optionId = (i: number) => `voice-opt-${i}`;
  const search = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (sheetOpen) search.current?.focus();
  }, [sheetOpen]);

  const closeSheet = () => {
    if (!sheetOpen) return;
    setSheet(false);
    document.getElementById('voice-button')?.focus();
  };
  const pick = (id: string) => void updateSettings({ voice: formatVoice({ ...mix, primary: id }) });
  const onPreview = (id: string) => (previewing === id ? stop() : preview(id));
  const keyOf = (i: number): RowKey | null => {
    const row = flat[i];
    return row ? { group: row.group, id: row.voice.id } : null;
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    const item = flat[activeIndex]?.voice;
    const move = (to: number) => {
      e.preventDefault();
      const next = Math.max(0, Math.min(flat.length - 1, to));
      setActive(keyOf(next));
      document.getElementById(optionId(next))?.scrollIntoView({ block: 'nearest' });
    };
    if (e.key === 'ArrowDown') move(activeIndex + 1);
    else if (e.key === 'ArrowUp') move(activeIndex - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(flat.length - 1);
    else if (item && (e.key === 'Enter' || (e.key === ' ' && idle))) {
      // While speaking, Space is left to pause and resume (app.tsx).
      e.preventDefault();
      pick(item.id);
      if (e.key === 'Enter') closeSheet();
    } else if (item && e.key.toLowerCase() === 'p') {
      e.preventDefault();
      onPreview(item.id);
    } else if (item && e.key.toLowerCase() === 'f') {
      e.preventDefault();
      void toggleFavourite(item.id);
    }
  };

  // Where each group starts in `flat`: a row's option index is its group's start plus its place in it.
  const groupStarts = groups.map((_, k) => groups.slice(0, k).reduce((sum, g) => sum + g.voices.length, 0));
  return (
    <section
      className={`voice-picker${sheetOpen ? ' open' : ''}`}
      id="voice-sheet"
      aria-label="Voice"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && sheetOpen) {
          e.preventDefault();
          e.stopPropagation();
          closeSheet();
        }
      }}
    >
      <div className="picker-head">
        <label htmlFor="voice-search" className="section-title">
          Voice
        </label>
        <span className="current-voice" data-testid="current-voice">
          {describeMix(mix, byId)}
        </span>
        <button className="primary sheet-done" onClick={closeSheet}>
          Done
        </button>
      </div>
      <input
        ref={search}
        id="voice-search"
        type="search"
        placeholder="Search 54 voices"
        aria-label="Search voices"
        aria-controls="voice-list"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            if (query.trim()) setActive(keyOf(0));
            document.getElementById('voice-list')?.focus();
          }
        }}
      />
      <div
        id="voice-list"
        className="voice-list"
        role="listbox"
        tabIndex={0}
        aria-label="Voices. Arrows move, Enter picks, P previews, F adds to favourites."
        aria-activedescendant={flat.length > 0 ? optionId(activeIndex) : undefined}
        onKeyDown={onKeyDown}
      >
        {voices.length === 0 && <div className="empty">{waiting}</div>}
        {voices.length > 0 && flat.length === 0 && <div className="empty">No voice matches “{query}”.</div>}
        {groups.map((g, k) => (
          <div role="group" aria-label={g.label} key={g.label}>
            <div className="group-label" aria-hidden="true">
              {g.label}
            </div>
            {g.voices.map((v, n) => {
              const i = (groupStarts[k] ?? 0) + n;
              const selected = mix.primary === v.id;
              const blended = mix.secondary === v.id;
              const fav = favourites.includes(v.id);
              return (
                <div
                  key={`${g.label}-${v.id}`}
                  id={optionId(i)}
                  role="option"
                  aria-selected={selected}
                  aria-label={`${v.name}, ${v.language}, ${v.gender}${fav ? ', favourite' : ''}${blended ? ', blended in' : ''}`}
                  className={`voice-row${selected ? ' selected' : ''}${blended ? ' blended' : ''}${i === activeIndex ? ' active' : ''}`}
                  data-voice={v.id}
                  onClick={() => {
                    setActive(keyOf(i));
                    pick(v.id);
                  }}
                >
                  <span className="voice-name">{v.name}</span>
                  <span className="voice-id">{v.id}</span>
                  <button
                    className={`icon star${fav ? ' on' : ''}`}
                    tabIndex={-1}
                    aria-label={fav ? `Remove ${v.name} from favourites` : `Add ${v.name} to favourites`}
                    title={fav ? 'Remove from favourites (F)' : 'Add to favourites (F)'}
                    onClick={(e) => {
                      e.stopPropagation();
                      void toggleFavourite(v.id);
                    }}
                  >
                    {fav ? '★' : '☆'}
                  </button>
                  <button
                    className="icon"
                    tabIndex={-1}
                    aria-label={previewing === v.id ? `Stop preview of ${v.name}` : `Preview ${v.name}`}
                    title="Preview (P)"
                    onClick={(e) => {
                      e.stopPropagation();
                      onPreview(v.id);
                    }}
                  >
                    {previewing === v.id ? '■' : '▶'}
                  </button>
                </div>
              );
            })}
          </div>
        ))}
      </div>
      <BlendControls mix={mix} voices={voices} />
    </section>
  );
}

const EMPTY: string[] = [];

/** A mix as a label: one name, or both with their shares. */
export function describeMix(mix: VoiceMix, byId: Map<string, VoiceInfo>): string {
  const name = (id: string) => byId.get(id)?.name ?? id;
  if (!mix.secondary) return name(mix.primary);
  const pct = Math.round(mix.weight * 100);
  return `${name(mix.primary)} ${pct}% + ${name(mix.secondary)} ${100 - pct}%`;
}

function BlendControls({ mix, voices }: { mix: VoiceMix; voices: VoiceInfo[] }) {
  const on = mix.secondary !== null;
  const save = (next: VoiceMix) => void updateSettings({ voice: formatVoice(next) });
  const other = voices.find((v) => v.id !== mix.primary)?.id ?? mix.primary;
  return (
    <div className="blend">
      <label className="check">
        <input
          type="checkbox"
          checked={on}
          onChange={(e) =>
            save(e.target.checked ? { ...mix, secondary: other, weight: DEFAULT_BLEND_WEIGHT } : { ...mix, secondary: null, weight: 1 })
          }
        />
        Blend with a second voice
      </label>
      {on && (
        <div className="blend-row">
          <select
            aria-label="Second voice of the blend"
            value={mix.secondary ?? ''}
            onChange={(e) => save({ ...mix, secondary: e.target.value })}
          >
            {voices
              .filter((v) => v.id !== mix.primary)
              .map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name} ({v.id})
                </option>
              ))}
          </select>
          <input
            type="range"
            min={WEIGHT_STEP}
            max={1 - WEIGHT_STEP}
            step={WEIGHT_STEP}
            value={mix.weight}
            aria-label="Share of the first voice"
            aria-valuetext={`${Math.round(mix.weight * 100)} percent first voice`}
            onChange={(e) => save({ ...mix, weight: Number(e.target.value) })}
          />
          <span className="mono">{Math.round(mix.weight * 100)}%</span>
        </div>
      )}
    </div>
  );
}
