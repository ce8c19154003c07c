// Runs in the renderer: macOS Now Playing and the media keys (F7–F9, headphones) through
// `navigator.mediaSession`: play/pause, stop, previous/next sentence, and metadata naming the
// sentence being read and the voice.
//
// [Note: Media keys need a media element]
// Chromium (and so Electron) only routes media keys to a page, and shows it in Now Playing, while
// an audible HTMLMediaElement of at least five seconds plays there; Web Audio alone does not
// count. Our speech goes through an AudioWorklet, so while an utterance is live a looping silent
// WAV plays in an <audio> element as the anchor, paused and resumed with the speech.

import { nowEpochMs, skipSentence, speak, stop, togglePause } from './store/actions.ts';
import type { AppState } from './store/slices.ts';
import { useStore } from './store/store.ts';

/** The actions we register, by the names the Media Session API uses. */
export const MEDIA_ACTIONS = ['play', 'pause', 'stop', 'previoustrack', 'nexttrack'] as const;
/** Characters of the current sentence shown as the Now Playing title. */
const TITLE_CHARS = 80;
/** The anchor clip's length: Chromium ignores media shorter than 5 s for media controls. */
const ANCHOR_SECONDS = 6;
const ANCHOR_RATE = 8_000;
const WAV_HEADER_BYTES = 44;

/** The part of `navigator.mediaSession` we use (a fake one in Node tests). */
export interface MediaSessionLike {
  metadata: MediaMetadata | null;
  playbackState: MediaSessionPlaybackState;
  setActionHandler(action: MediaSessionAction, handler: MediaSessionActionHandler | null): void;
}

/** What Now Playing shows. */
export interface NowPlaying {
  title: string;
  artist: string;
  album: string;
}

/** What Now Playing should show for `state`, or null when nothing is being read. */
export function nowPlaying(state: AppState): NowPlaying | null {
  const { status, spokenText, sentences, sentenceIndex, textBase } = state.playback;
  if (status === 'idle') return null;
  const span = sentences[sentenceIndex] ?? sentences.find((s) => s.start >= textBase);
  const raw = span ? spokenText.slice(span.start, span.end) : spokenText.slice(textBase);
  const line = raw.replace(/\s+/g, ' ').trim();
  const title = line.length > TITLE_CHARS ? `${line.slice(0, TITLE_CHARS - 1)}…` : line;
  const voiceId = state.metrics.current?.voice ?? state.settings.value?.voice ?? '';
  const names = voiceId.split(',').map((part) => {
    const id = part.split(':')[0] ?? part;
    return state.voices.list.find((v) => v.id === id)?.name ?? id;
  });
  return { title, artist: names.join(' + '), album: 'Kokoro Bar' };
}

/** The Media Session's playback state for a playback status. */
export function mediaPlaybackState(status: AppState['playback']['status']): MediaSessionPlaybackState {
  return status === 'idle' ? 'none' : status === 'paused' ? 'paused' : 'playing';
}

/** Registers the media-key handlers and keeps metadata and state in step with the store. */
export function connectMediaSession(
  session: MediaSessionLike,
  makeMetadata: (info: NowPlaying) => MediaMetadata,
  anchor?: { play(): Promise<void> | void; pause(): void },
): () => void {
  const handlers: Record<(typeof MEDIA_ACTIONS)[number], () => void> = {
    play: () => {
      const { status, draft } = useStore.getState().playback;
      if (status === 'paused') togglePause();
      else if (status === 'idle') void speak(draft, nowEpochMs()).catch(() => undefined);
    },
    pause: () => {
      const { status } = useStore.getState().playback;
      if (status === 'playing' || status === 'starting') togglePause();
    },
    stop: () => stop(),
    previoustrack: () => void skipSentence(-1).catch(() => undefined),
    nexttrack: () => void skipSentence(1).catch(() => undefined),
  };
  for (const action of MEDIA_ACTIONS) {
    try {
      session.setActionHandler(action, handlers[action]);
    } catch {
      // An engine that does not know an action throws; the others still work.
    }
  }
  let shown = '';
  const update = (state: AppState) => {
    const info = nowPlaying(state);
    const key = info ? `${info.title}\u0000${info.artist}` : '';
    if (key !== shown) {
      shown = key;
      session.metadata = info ? makeMetadata(info) : null;
    }
    const playbackState = mediaPlaybackState(state.playback.status);
    if (session.playbackState !== playbackState) {
      session.playbackState = playbackState;
      if (playbackState === 'playing') void Promise.resolve(anchor?.play()).catch(() => undefined);
      else anchor?.pause();
    }
  };
  update(useStore.getState());
  return useStore.subscribe(update);
}

/** A looping silent <audio> element that makes the page a media player (see the Note above). */
export function createMediaAnchor(): HTMLAudioElement {
  const samples = ANCHOR_SECONDS * ANCHOR_RATE;
  const bytes = new Uint8Array(WAV_HEADER_BYTES + samples);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, text: string) => [...text].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, WAV_HEADER_BYTES - 8 + samples, true);
  ascii(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, ANCHOR_RATE, true);
  view.setUint32(28, ANCHOR_RATE, true);
  view.setUint16(32, 1, true);
  view.setUint16(34, 8, true);
  ascii(36, 'data');
  view.setUint32(40, samples, true);
  bytes.fill(128, WAV_HEADER_BYTES); // 8-bit PCM is unsigned: 128 is silence.
  const audio = new Audio(URL.createObjectURL(new Blob([bytes], { type: 'audio/wav' })));
  audio.loop = true;
  audio.setAttribute('aria-hidden', 'true');
  return audio;
}
