// Runs in the renderer: the word highlight inside the Speak view's transcript (see [Note: Word
// highlight] in words-slice.ts). Sentences render their timed words as spans; one subscription
// moves the highlight through the DOM (no React render per word) and keeps the word in view;
// clicking a word, or Enter on it (arrow keys move between words), reads from that word; the
// sentence being heard is announced politely, once per sentence, never per word.

import { memo, useEffect, useRef, type KeyboardEvent, type MouseEvent, type RefObject } from 'react';
import type { WordTiming } from '../../src-worker/protocol/messages.ts';
import { useStore } from '../store/store.ts';
import { readFromWord } from './word-actions.ts';
import { wordsIn } from './word-spans.ts';

const CURRENT = 'current';

/** The text of one sentence [start, end) of `text`, its timed words as spans. */
export const SentenceWords = memo(function SentenceWords({ text, start, end }: { text: string; start: number; end: number }) {
  const list = useStore((s) => (s.words.requestId === s.playback.requestId ? s.words.list : EMPTY));
  const [first, last] = wordsIn(list, start, end);
  if (first === last) return <>{text.slice(start, end)}</>;
  const parts: React.ReactNode[] = [];
  let cursor = start;
  for (let i = first; i < last; i++) {
    const w = list[i] as WordTiming;
    if (w.span.start > cursor) parts.push(text.slice(cursor, w.span.start));
    parts.push(
      <span key={i} className="word" data-word={i} tabIndex={-1}>
        {text.slice(w.span.start, w.span.end)}
      </span>,
    );
    cursor = w.span.end;
  }
  if (cursor < end) parts.push(text.slice(cursor, end));
  return <>{parts}</>;
});

const EMPTY: WordTiming[] = [];

/** Moves the `current` class to the word being heard inside `container`, keeping it in view. */
export function useWordHighlight(container: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    let lit: Element | null = null;
    const show = (index: number): void => {
      const next = index >= 0 ? (container.current?.querySelector(`[data-word="${index}"]`) ?? null) : null;
      if (next === lit) return;
      lit?.classList.remove(CURRENT);
      next?.classList.add(CURRENT);
      // Braces matter: newer Chromium returns a promise from scrollIntoView.
      if (next) void next.scrollIntoView({ block: 'nearest' });
      lit = next;
    };
    const unsubscribe = useStore.subscribe(
      (s) => (s.words.requestId === s.playback.requestId ? s.words.current : -1),
      show,
      { fireImmediately: true },
    );
    return () => {
      unsubscribe();
      lit?.classList.remove(CURRENT);
    };
  }, [container]);
}

// The word element an event happened on, and its index.
function wordOf(target: EventTarget | null): [HTMLElement, number] | undefined {
  const element = target instanceof Element ? target.closest<HTMLElement>('[data-word]') : null;
  const index = Number(element?.dataset['word']);
  return element && Number.isInteger(index) ? [element, index] : undefined;
}

/** Click on a transcript word: read from it. */
export function onWordClick(event: MouseEvent<HTMLElement>): void {
  const found = wordOf(event.target);
  if (found) void readFromWord(found[1]);
}

/** Keys in the transcript: arrows move between words (from the one heard), Enter reads from the focused word. */
export function onWordKey(event: KeyboardEvent<HTMLElement>): void {
  const found = wordOf(event.target);
  if (event.key === 'Enter' && found) {
    event.preventDefault();
    void readFromWord(found[1]);
    return;
  }
  if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
  const step = event.key === 'ArrowRight' ? 1 : -1;
  const from = found?.[1] ?? useStore.getState().words.current;
  const next = event.currentTarget.querySelector<HTMLElement>(`[data-word="${Math.max(0, from + step)}"]`);
  if (next) {
    event.preventDefault();
    next.focus();
  }
}

/** Announces the sentence being heard to screen readers, politely, once per sentence. */
export function SentenceAnnouncer() {
  const text = useStore((s) => s.playback.spokenText);
  const span = useStore((s) => s.playback.sentences[s.playback.sentenceIndex]);
  return (
    <span className="visually-hidden" aria-live="polite" data-testid="sentence-announcer">
      {span ? text.slice(span.start, span.end) : ''}
    </span>
  );
}

/** A ref for the transcript element, for useWordHighlight. */
export function useTranscriptRef(): RefObject<HTMLDivElement | null> {
  return useRef<HTMLDivElement>(null);
}
