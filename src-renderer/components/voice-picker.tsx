// Runs in the renderer: the voice picker: 54 voices grouped by accent and gender, searchable,
// with preview, favourites and a two-voice blend. Keyboard: arrows move, Enter picks, P previews,
// F stars (a listbox with aria-activedescendant, so it is one tab stop for VoiceOver users).

import { useMemo, useState } from 'react';
import type { VoiceInfo } from '../../src-worker/protocol.ts';
import { preview, stop, toggleFavourite, updateSettings } from '../store/actions.ts';
import { useStore } from '../store/store.ts';
import { DEFAULT_BLEND_WEIGHT, formatVoice, parseVoice, type VoiceMix } from '../voice-mix.ts';

const WEIGHT_STEP = 0.1;

interface Group {
  label: string;
  voices: VoiceInfo[];
}

function groupVoices(voices: VoiceInfo[], favourites: string[], query: string): Group[] {
  const q = query.trim().toLowerCase();
  const match = (v: VoiceInfo) =>
    !q || `${v.name} ${v.id} ${v.language} ${v.gender}`.toLowerCase().includes(q);
  const shown = voices.filter(match);
  const groups: Group[] = [];
  const favs = shown.filter((v) => favourites.includes(v.id));
  if (favs.length > 0) groups.push({ label: 'Favourites', voices: favs });
  const byKey = new Map<string, VoiceInfo[]>();
  for (const v of shown) {
    const key = `${v.language} · ${v.gender === 'female' ? 'Female' : 'Male'}`;
    byKey.set(key, [...(byKey.get(key) ?? []), v]);
  }
  for (const [label, list] of byKey) groups.push({ label, voices: list });
  return groups;
}

/** The voice picker panel. */
export function VoicePicker() {
  const voices = useStore((s) => s.voices.list);
  const query = useStore((s) => s.voices.query);
  const setQuery = useStore((s) => s.setVoiceQuery);
  const previewing = useStore((s) => s.voices.previewing);
  const voice = useStore((s) => s.settings.value?.voice ?? '');
  const favourites = useStore((s) => s.settings.value?.favourites ?? EMPTY);
  const mix = parseVoice(voice);
  const groups = useMemo(() => groupVoices(voices, favourites, query), [voices, favourites, query]);
  const flat = useMemo(() => groups.flatMap((g) => g.voices.map((v) => ({ group: g.label, v }))), [groups]);
  const [active, setActive] = useState<number | null>(null);
  // Until the user moves, the keyboard cursor sits on the chosen voice.
  const chosen = flat.findIndex((f) => f.v.id === mix.primary);
  const activeIndex = Math.min(active ?? Math.max(0, chosen), Math.max(0, flat.length - 1));
  const byId = useMemo(() => new Map(voices.map((v) => [v.id, v])), [voices]);
  const optionId = (i: number) => `voice-opt-${i}`;

  const pick = (id: string) => void updateSettings({ voice: formatVoice({ ...mix, primary: id }) });
  const onPreview = (id: string) => (previewing === id ? stop() : preview(id));

  const onKeyDown = (e: React.KeyboardEvent) => {
    const item = flat[activeIndex];
    const move = (to: number) => {
      e.preventDefault();
      const next = Math.max(0, Math.min(flat.length - 1, to));
      setActive(next);
      document.getElementById(optionId(next))?.scrollIntoView({ block: 'nearest' });
    };
    if (e.key === 'ArrowDown') move(activeIndex + 1);
    else if (e.key === 'ArrowUp') move(activeIndex - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(flat.length - 1);
    else if (item && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      pick(item.v.id);
    } else if (item && e.key.toLowerCase() === 'p') {
      e.preventDefault();
      onPreview(item.v.id);
    } else if (item && e.key.toLowerCase() === 'f') {
      e.preventDefault();
      void toggleFavourite(item.v.id);
    }
  };

  let index = -1;
  return (
    <section className="voice-picker" aria-label="Voice">
      <div className="picker-head">
        <label htmlFor="voice-search" className="section-title">
          Voice
        </label>
        <span className="current-voice" data-testid="current-voice">
          {describeMix(mix, byId)}
        </span>
      </div>
      <input
        id="voice-search"
        type="search"
        placeholder="Search 54 voices"
        aria-label="Search voices"
        aria-controls="voice-list"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
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
        {voices.length === 0 && <div className="empty">Loading voices…</div>}
        {voices.length > 0 && flat.length === 0 && <div className="empty">No voice matches “{query}”.</div>}
        {groups.map((g) => (
          <div role="group" aria-label={g.label} key={g.label}>
            <div className="group-label" aria-hidden="true">
              {g.label}
            </div>
            {g.voices.map((v) => {
              index += 1;
              const i = index;
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
                    setActive(i);
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

function describeMix(mix: VoiceMix, byId: Map<string, VoiceInfo>): string {
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
