// Runs in the Electron main process (and tests, under plain Node): turns text taken from the
// clipboard into text worth speaking: line endings unified, invisible characters removed,
// words broken across lines by hyphenation joined, hard-wrapped lines rejoined into paragraphs.

/** Characters that render as nothing and would only confuse the phonemizer. */
const INVISIBLES = /[\u200B-\u200D\u2060\uFEFF\u00AD]/g;

/** C0/C1 control characters other than tab and newline. */
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's job
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** Cleans clipboard text for speech; returns '' when nothing speakable is left. */
export function cleanClipboardText(raw: string): string {
  let text = raw.replace(/\r\n?/g, '\n').replace(/\u2028|\u2029/g, '\n');
  text = text.replace(INVISIBLES, '').replace(CONTROLS, '');
  // Non-breaking and other Unicode spaces read as plain spaces.
  text = text.replace(/[\t\u00A0\u2000-\u200A\u202F\u205F\u3000]/g, ' ');
  // "exam-\nple" (a word hyphenated at a line break) → "example".
  text = text.replace(/([a-z])-\n[ ]*([a-z])/g, '$1$2');
  // Paragraphs are separated by blank lines; single newlines inside them are wrapping.
  const paragraphs = text
    .split(/\n[ ]*\n+/)
    .map((p) =>
      p
        .replace(/[ ]*\n[ ]*/g, ' ')
        .replace(/ {2,}/g, ' ')
        .trim(),
    )
    .filter((p) => p !== '');
  return paragraphs.join('\n\n');
}
