// Runs in the worker (and the CLI, tests, benchmark): the one error type the engine throws for
// expected failures, carrying the protocol's error code and what the user can do about it.
//
// [Note: Three kinds of failure]
// Malformed input from another process is answered with `bad-request`; an expected miss (unknown
// voice, model missing, text with nothing to say) is a KokoroError with a named code the UI shows
// as it is; anything else is a bug, reported as `internal` with its message. Every request ends
// in exactly one `done` or `error` event either way.

import type { ErrorCode, ErrorEvent } from '../protocol/messages.ts';

/** An expected failure with a code the UI can show and an action the user can take. */
export class KokoroError extends Error {
  override readonly name = 'KokoroError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** What the user can do about it, e.g. "Run `npx kokoro-bar fetch`". */
    readonly action: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Turns anything thrown into the error event that answers request `id`. */
export function toErrorEvent(id: string, error: unknown): ErrorEvent {
  if (error instanceof KokoroError) {
    return { type: 'error', id, code: error.code, message: error.message, action: error.action };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    type: 'error',
    id,
    code: 'internal',
    message: `Internal error: ${message}`,
    action: 'Try again; if it keeps happening, run `npx kokoro-bar doctor` and report the output.',
  };
}

/** The error for text with nothing in it to say (only punctuation, emoji, spaces). */
export function noSpeakableText(): KokoroError {
  return new KokoroError(
    'no-speakable-text',
    'The text has nothing that can be spoken (no letters or numbers).',
    'Give text with words in it.',
  );
}
