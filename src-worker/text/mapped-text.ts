// Runs in the worker (and the CLI, tests, benchmark): a string that remembers, for each of its
// UTF-16 code units, the span of an earlier string it came from, so that the text stages can
// rewrite freely and word timings can still point at the characters the user gave us.
//
// [Note: Offset maps through rewrites]
// Normalisation ("$42.50" → "forty-two dollars and fifty cents") and the phoneme
// post-processing are chains of `replace` calls. MappedText offers the same `replace`,
// `replaceAll` and `trim` (same matches, same replacer arguments, same `$` patterns, so the
// text it produces is exactly what the plain string calls produce) and carries a source span per
// code unit along. Inside one match, the longest common prefix and suffix of the matched text
// and its replacement keep their own spans ("C#" → "C sharp": "C" still comes from "C"); the
// rest of the replacement comes from the rest of the match as a whole ("#" → " sharp"), and text
// inserted where nothing was matched gets a zero-width span at that point. Spans only ever grow
// into wider unions, never reorder: `from` and `to` stay non-decreasing, so a word's span is just
// the union of its first and last code unit's spans.

/** A replacer function, called exactly as String.prototype.replace calls it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the signature of String.prototype.replace
export type Replacer = (substring: string, ...args: any[]) => string;

/** A half-open span [start, end) of UTF-16 offsets. */
export interface SourceSpan {
  start: number;
  end: number;
}

/** Text plus, per code unit, the span of the source text it came from (see [Note: Offset maps through rewrites]). */
export class MappedText {
  /** The current text. */
  readonly text: string;
  /** Per code unit of `text`: start of its source span. */
  readonly from: Int32Array;
  /** Per code unit of `text`: end of its source span. */
  readonly to: Int32Array;
  /** Length of the source text (where a zero-width span at the very end points). */
  readonly sourceLength: number;

  /** A text with its maps (each as long as `text`, non-decreasing); `MappedText.of` starts one. */
  constructor(text: string, from: Int32Array, to: Int32Array, sourceLength: number) {
    this.text = text;
    this.from = from;
    this.to = to;
    this.sourceLength = sourceLength;
  }

  /** `text` mapped to itself, code unit by code unit. */
  static of(text: string): MappedText {
    const from = new Int32Array(text.length);
    const to = new Int32Array(text.length);
    for (let i = 0; i < text.length; i++) {
      from[i] = i;
      to[i] = i + 1;
    }
    return new MappedText(text, from, to, text.length);
  }

  /** The span of the source the code units [start, end) of `text` came from (zero-width when empty). */
  spanOf(start: number, end: number): SourceSpan {
    if (end > start) return { start: this.from[start] as number, end: this.to[end - 1] as number };
    const at = this.pointAt(start);
    return { start: at, end: at };
  }

  /** Same as String.prototype.replace, carrying the map along. */
  replace(pattern: RegExp, replacement: string | Replacer): MappedText {
    const matches = pattern.global
      ? [...this.text.matchAll(pattern)]
      : [new RegExp(pattern.source, pattern.flags.replace('y', '')).exec(this.text)].filter((m): m is RegExpExecArray => m !== null);
    if (matches.length === 0) return this;
    const out = new Builder();
    let last = 0;
    for (const match of matches) {
      const index = match.index;
      const matched = match[0];
      out.copy(this, last, index);
      const replaced =
        typeof replacement === 'string'
          ? substitute(replacement, match, this.text)
          : replacement(matched, ...match.slice(1), index, this.text, ...(match.groups === undefined ? [] : [match.groups]));
      this.rewrite(out, index, index + matched.length, replaced);
      last = index + matched.length;
    }
    out.copy(this, last, this.text.length);
    return out.build(this.sourceLength);
  }

  /** Same as String.prototype.replaceAll with a string to find. */
  replaceAll(search: string, replacement: string): MappedText {
    if (search === '') throw new RangeError('MappedText.replaceAll: the string to find is empty.');
    return this.replace(new RegExp(search.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'), replacement);
  }

  /** Same as String.prototype.trim. */
  trim(): MappedText {
    return this.replace(/^\s+|\s+$/g, '');
  }

  /** Same as String.prototype.normalize('NFC'); a character composed from several keeps their union. */
  nfc(): MappedText {
    const whole = this.text.normalize('NFC');
    if (whole === this.text) return this;
    const composed = this.replace(/\P{M}\p{M}+/gu, (m) => m.normalize('NFC'));
    if (composed.text === whole) return composed;
    // A composition the mark rule missed (Hangul jamo): the whole text comes from the whole source.
    const out = new Builder();
    out.push(whole, this.spanOf(0, this.text.length));
    return out.build(this.sourceLength);
  }

  // Appends `replaced` for the match [start, end), keeping the spans of its common prefix and suffix.
  private rewrite(out: Builder, start: number, end: number, replaced: string): void {
    const matched = this.text.slice(start, end);
    let prefix = 0;
    const most = Math.min(matched.length, replaced.length);
    while (prefix < most && matched[prefix] === replaced[prefix]) prefix++;
    let suffix = 0;
    while (suffix < most - prefix && matched[matched.length - 1 - suffix] === replaced[replaced.length - 1 - suffix]) {
      suffix++;
    }
    out.copy(this, start, start + prefix);
    const middle = replaced.slice(prefix, replaced.length - suffix);
    if (middle !== '') out.push(middle, this.spanOf(start + prefix, end - suffix));
    out.copy(this, end - suffix, end);
  }

  // The source offset at the gap before code unit `index` (or at the end).
  private pointAt(index: number): number {
    if (index < this.text.length) return this.from[index] as number;
    return this.text.length === 0 ? this.sourceLength : (this.to[this.text.length - 1] as number);
  }
}

// Grows the text and its two maps; not for the audio thread (it allocates).
class Builder {
  private readonly parts: string[] = [];
  private readonly from: number[] = [];
  private readonly to: number[] = [];

  copy(source: MappedText, start: number, end: number): void {
    if (end <= start) return;
    this.parts.push(source.text.slice(start, end));
    for (let i = start; i < end; i++) {
      this.from.push(source.from[i] as number);
      this.to.push(source.to[i] as number);
    }
  }

  push(text: string, span: SourceSpan): void {
    this.parts.push(text);
    for (let i = 0; i < text.length; i++) {
      this.from.push(span.start);
      this.to.push(span.end);
    }
  }

  build(sourceLength: number): MappedText {
    return new MappedText(this.parts.join(''), Int32Array.from(this.from), Int32Array.from(this.to), sourceLength);
  }
}

// GetSubstitution of ECMA-262: $$, $&, $`, $', $n, $nn and $<name> in a replacement string.
function substitute(replacement: string, match: RegExpMatchArray, input: string): string {
  if (!replacement.includes('$')) return replacement;
  const index = match.index ?? 0;
  const matched = match[0];
  const captures = match.length - 1;
  return replacement.replace(/\$(\$|&|`|'|\d{1,2}|<([^>]*)>)/g, (whole, token: string, name: string | undefined) => {
    if (token === '$') return '$';
    if (token === '&') return matched;
    if (token === '`') return input.slice(0, index);
    if (token === "'") return input.slice(index + matched.length);
    if (name !== undefined) {
      if (match.groups === undefined) return whole;
      return match.groups[name] ?? '';
    }
    // $nn when group nn exists, else $n followed by a digit, else literal.
    const two = Number(token);
    if (token.length === 2 && two >= 1 && two <= captures) return match[two] ?? '';
    const one = Number(token[0]);
    if (one >= 1 && one <= captures) return (match[one] ?? '') + token.slice(1);
    return whole;
  });
}
