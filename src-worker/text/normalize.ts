// Runs in the worker (and the CLI, tests, benchmark): the second text stage, rewriting one clause
// as the English words a reader would say (numbers, money, times, units, abbreviations, URLs,
// symbols), so the G2P sees only words and the punctuation Kokoro uses for prosody.
//
// [Note: Normalise after splitting]
// Normalisation runs per segment, after splitting (see [Note: Spans index the original text]),
// so it may change lengths freely: nothing indexes into its output except through the offset map
// it carries for word timings (normalizeMapped; [Note: Offset maps through rewrites] in
// mapped-text.ts), which works for any rewrite written as `t = t.replace(…)`. It is a fixed sequence of
// rewrites, most specific first (URLs before dots, money before decimals, times before ratios),
// every regex global so a pattern that occurs twice is rewritten twice. Numbers are spelt out
// here rather than by a library: the candidates on npm either ship 135 locales (7.8 MB) or read
// 3.14 as "three point fourteen", and speech needs readings they lack anyway (years, digits,
// "oh five").
//
// [Note: Readings]
// American conventions throughout ("one hundred five", "kilometers"); espeak's British voice
// says the same words the British way. Four-digit numbers from 1100 to 2099 without a
// separator read as years ("1999" → "nineteen ninety-nine", "2005" → "two thousand five") unless
// money or a unit claims them; with a separator ("1,999") they are counts. Digit strings with a
// leading zero or longer than MAX_CARDINAL_DIGITS are read digit by digit.
//
// [Note: Dates]
// Numeric dates are read as dates in the dialect's order: en-us month/day ("12/25/2024" →
// "December twenty-fifth, twenty twenty-four"), en-gb day/month ("25/12/2024" → "the
// twenty-fifth of December, twenty twenty-four"). When only the other order makes a valid date
// ("25/12" in en-us, "12/25" in en-gb) that one is taken; when neither does, the digits are read
// as numbers. ISO dates and timestamps ("2024-05-06T14:30:00Z") read as date, time and zone.
// Month abbreviations with their dot ("Jan.") are expanded, and a day after a month name is an
// ordinal ("Jan. 5" → "January fifth"). Every rule rewrites its tokens in place.

import type { G2pLang } from './phonemize.ts';
import { MappedText } from './mapped-text.ts';
import { dropUnreadableMapped, INVISIBLE } from './readable.ts';

/** Longest digit string read as one number; longer ones are read digit by digit. */
export const MAX_CARDINAL_DIGITS = 15;

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES = ['', 'thousand', 'million', 'billion', 'trillion'];
const THOUSAND = 1000n;

/** Spells a whole number in words: 1234 → "one thousand two hundred thirty-four". */
export function cardinal(value: number | bigint): string {
  let n = BigInt(value);
  if (n < 0n) return `minus ${cardinal(-n)}`;
  if (n < 100n) return underHundred(Number(n));
  if (n >= THOUSAND ** BigInt(SCALES.length)) return digitsToWords(n.toString());
  const groups: string[] = [];
  for (let scale = 0; n > 0n; scale++, n /= THOUSAND) {
    const group = Number(n % THOUSAND);
    if (group === 0) continue;
    const words = underThousand(group);
    groups.unshift(scale === 0 ? words : `${words} ${SCALES[scale] as string}`);
  }
  return groups.join(' ');
}

function underHundred(n: number): string {
  if (n < 20) return ONES[n] as string;
  const ones = n % 10;
  const tens = TENS[Math.floor(n / 10)] as string;
  return ones === 0 ? tens : `${tens}-${ONES[ones] as string}`;
}

function underThousand(n: number): string {
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  if (hundreds === 0) return underHundred(rest);
  const head = `${ONES[hundreds] as string} hundred`;
  return rest === 0 ? head : `${head} ${underHundred(rest)}`;
}

const ORDINAL_IRREGULAR: Record<string, string> = {
  one: 'first',
  two: 'second',
  three: 'third',
  five: 'fifth',
  eight: 'eighth',
  nine: 'ninth',
  twelve: 'twelfth',
};

/** Spells an ordinal: 22 → "twenty-second". */
export function ordinal(value: number | bigint): string {
  return ordinalOfWords(cardinal(value));
}

/** Turns the last word of a spelt number into its ordinal: "twenty-two" → "twenty-second". */
function ordinalOfWords(words: string): string {
  const match = /([a-z]+)$/.exec(words);
  if (!match) return words;
  const last = match[1] as string;
  const head = words.slice(0, match.index);
  const irregular = ORDINAL_IRREGULAR[last];
  if (irregular) return head + irregular;
  if (last.endsWith('y')) return `${head}${last.slice(0, -1)}ieth`;
  return `${head}${last}th`;
}

/** Plural of a spelt number, for decades: "nineteen ninety" → "nineteen nineties". */
function pluralOfWords(words: string): string {
  if (words.endsWith('y')) return `${words.slice(0, -1)}ies`;
  if (words.endsWith('x')) return `${words}es`;
  return `${words}s`;
}

/** Reads a string of digits one by one: "007" → "zero zero seven". */
export function digitsToWords(digits: string): string {
  return [...digits].map((d) => (d === '0' ? 'zero' : (ONES[Number(d)] ?? d))).join(' ');
}

/** Reads a year: 1999 → "nineteen ninety-nine", 2005 → "two thousand five", 1905 → "nineteen oh five". */
export function yearWords(year: number): string {
  if (year < 1000 || year > 9999) return cardinal(year);
  const high = Math.floor(year / 100);
  const low = year % 100;
  if (year >= 2000 && year < 2010) return cardinal(year);
  if (high % 10 === 0 && low < 10) return cardinal(year); // 1000, 3005
  if (low === 0) return `${cardinal(high)} hundred`;
  if (low < 10) return `${cardinal(high)} oh ${ONES[low] as string}`;
  return `${cardinal(high)} ${underHundred(low)}`;
}

/** Reads an integer string: years and digit strings as in [Note: Readings], others as counts. */
function numberWords(digits: string, allowYear: boolean): string {
  if (digits.length > 1 && digits.startsWith('0')) return digitsToWords(digits);
  if (digits.length > MAX_CARDINAL_DIGITS) return digitsToWords(digits);
  const n = Number(digits);
  if (allowYear && digits.length === 4 && n >= 1100 && n < 2100) return yearWords(n);
  return cardinal(BigInt(digits));
}

/** Reads a decimal: "3.14" → "three point one four". */
function decimalWords(whole: string, fraction: string): string {
  const head = whole === '' ? '' : `${numberWords(whole, false)} `;
  return `${head}point ${digitsToWords(fraction)}`;
}

/** Reads a number as written (thousands separators, decimals, sign), never as a year. */
function amountWords(text: string): string {
  const clean = text.replace(/,/g, '');
  const negative = clean.startsWith('-') || clean.startsWith('−');
  const body = negative ? clean.slice(1) : clean;
  const [whole = '', fraction] = body.split('.');
  const words = fraction === undefined || fraction === '' ? numberWords(whole || '0', false) : decimalWords(whole, fraction);
  return negative ? `minus ${words}` : words;
}

// ---------------------------------------------------------------------------------------------
// Tables

const NUM = String.raw`\d+(?:,\d{3})*(?:\.\d+)?|\.\d+`;

interface Currency {
  one: string;
  many: string;
  centOne: string;
  centMany: string;
}

const CURRENCIES: Record<string, Currency> = {
  $: { one: 'dollar', many: 'dollars', centOne: 'cent', centMany: 'cents' },
  '£': { one: 'pound', many: 'pounds', centOne: 'penny', centMany: 'pence' },
  '€': { one: 'euro', many: 'euros', centOne: 'cent', centMany: 'cents' },
  '¥': { one: 'yen', many: 'yen', centOne: 'sen', centMany: 'sen' },
  '₹': { one: 'rupee', many: 'rupees', centOne: 'paisa', centMany: 'paise' },
};
const CURRENCY_CODES: Record<string, string> = { USD: '$', GBP: '£', EUR: '€', JPY: '¥', INR: '₹' };

const MAGNITUDES: Record<string, string> = {
  thousand: 'thousand',
  k: 'thousand',
  million: 'million',
  m: 'million',
  mn: 'million',
  billion: 'billion',
  b: 'billion',
  bn: 'billion',
  trillion: 'trillion',
  t: 'trillion',
  tn: 'trillion',
};

/** Unit symbols → [singular, plural]. Case matters (m vs M, g vs G). */
const UNITS: Record<string, [string, string]> = {
  km: ['kilometer', 'kilometers'],
  m: ['meter', 'meters'],
  cm: ['centimeter', 'centimeters'],
  mm: ['millimeter', 'millimeters'],
  mi: ['mile', 'miles'],
  ft: ['foot', 'feet'],
  yd: ['yard', 'yards'],
  kg: ['kilogram', 'kilograms'],
  g: ['gram', 'grams'],
  mg: ['milligram', 'milligrams'],
  lb: ['pound', 'pounds'],
  lbs: ['pound', 'pounds'],
  oz: ['ounce', 'ounces'],
  l: ['liter', 'liters'],
  L: ['liter', 'liters'],
  ml: ['milliliter', 'milliliters'],
  mL: ['milliliter', 'milliliters'],
  KB: ['kilobyte', 'kilobytes'],
  kB: ['kilobyte', 'kilobytes'],
  MB: ['megabyte', 'megabytes'],
  GB: ['gigabyte', 'gigabytes'],
  TB: ['terabyte', 'terabytes'],
  Kb: ['kilobit', 'kilobits'],
  Mb: ['megabit', 'megabits'],
  Gb: ['gigabit', 'gigabits'],
  Mbps: ['megabit per second', 'megabits per second'],
  Gbps: ['gigabit per second', 'gigabits per second'],
  h: ['hour', 'hours'],
  hr: ['hour', 'hours'],
  hrs: ['hour', 'hours'],
  min: ['minute', 'minutes'],
  mins: ['minute', 'minutes'],
  s: ['second', 'seconds'],
  sec: ['second', 'seconds'],
  secs: ['second', 'seconds'],
  ms: ['millisecond', 'milliseconds'],
  Hz: ['hertz', 'hertz'],
  kHz: ['kilohertz', 'kilohertz'],
  MHz: ['megahertz', 'megahertz'],
  GHz: ['gigahertz', 'gigahertz'],
  W: ['watt', 'watts'],
  kW: ['kilowatt', 'kilowatts'],
  kWh: ['kilowatt hour', 'kilowatt hours'],
  V: ['volt', 'volts'],
  mAh: ['milliamp hour', 'milliamp hours'],
  mph: ['mile per hour', 'miles per hour'],
  'km/h': ['kilometer per hour', 'kilometers per hour'],
  kph: ['kilometer per hour', 'kilometers per hour'],
  '°C': ['degree Celsius', 'degrees Celsius'],
  '°F': ['degree Fahrenheit', 'degrees Fahrenheit'],
  '°': ['degree', 'degrees'],
};
const UNIT_PATTERN = Object.keys(UNITS)
  .sort((a, b) => b.length - a.length)
  .map((u) => u.replace(/[/.]/g, (c) => `\\${c}`))
  .join('|');

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** Days in each month, February counted as 29 (no year is needed to accept a date). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MONTH_ABBREVIATIONS: [string, string][] = [
  ['Jan', 'January'],
  ['Feb', 'February'],
  ['Mar', 'March'],
  ['Apr', 'April'],
  ['Jun', 'June'],
  ['Jul', 'July'],
  ['Aug', 'August'],
  ['Sept', 'September'],
  ['Sep', 'September'],
  ['Oct', 'October'],
  ['Nov', 'November'],
  ['Dec', 'December'],
];
const MONTH_PATTERN = MONTHS.join('|');

/**
 * Abbreviations whose reading depends on the word after them ("Dr. Jones" is Doctor, "Elm Dr." is
 * Drive; "St. Paul", "Elm St."): the planner never ends a chunk on one (plan.ts, headCuts).
 */
export const READ_WITH_NEXT_WORD = /^(?:Dr|St)\.$/;

/** Abbreviations with their dot: [pattern, replacement]. Order matters. */
const ABBREVIATIONS: [RegExp, string][] = [
  [/\bMr\.(?=\s|$)/g, 'Mister'],
  [/\bMrs\.(?=\s|$)/g, 'Missus'],
  [/\bMs\.(?=\s|$)/g, 'Miz'],
  [/\bDr\.(?=\s+\p{Lu})/gu, 'Doctor'],
  [/\bDr\.(?=\s|$)/g, 'Drive'],
  [/\bProf\.(?=\s|$)/g, 'Professor'],
  [/\bSt\.(?=\s+\p{Lu})/gu, 'Saint'],
  [/\bSt\.(?=\s|$)/g, 'Street'],
  [/\bMt\.(?=\s|$)/g, 'Mount'],
  [/\bAve\.(?=\s|$)/g, 'Avenue'],
  [/\bJr\.(?=\s|$)/g, 'Junior'],
  [/\bSr\.(?=\s|$)/g, 'Senior'],
  [/\bSgt\.(?=\s|$)/g, 'Sergeant'],
  [/\bCapt\.(?=\s|$)/g, 'Captain'],
  [/\bGov\.(?=\s|$)/g, 'Governor'],
  [/\bSen\.(?=\s|$)/g, 'Senator'],
  // Months (see [Note: Dates]): with their dot, or without it before a day number.
  // "Jan." is also a name, so it is a month only before a number or after a word like "in".
  [
    /\bJan(?:\.(?=\s*\d)|(?= \d{1,2}(?:st|nd|rd|th)?\b))|(?<=\b(?:in|of|since|until|till|by|from|before|after|during|early|late|mid|last|next|this)\s)Jan\.(?=[\s,]|$)/gi,
    'January',
  ],
  ...MONTH_ABBREVIATIONS.filter(([abbreviation]) => abbreviation !== 'Jan').map(([abbreviation, month]): [RegExp, string] => [
    new RegExp(String.raw`\b${abbreviation}(?:\.(?=[\s,]|$)|(?= \d{1,2}(?:st|nd|rd|th)?\b))`, 'g'),
    month,
  ]),
  [/\bLtd\.?(?![\p{L}])/gu, 'Limited'],
  [/\bInc\.?(?![\p{L}])/gu, 'Incorporated'],
  [/(?<![\p{L}.])e\.g\.,?/giu, 'for example,'],
  [/(?<![\p{L}.])i\.e\.,?/giu, 'that is,'],
  [/(?<![\p{L}.])etc\.?(?![\p{L}])/giu, 'et cetera'],
  [/\bvs\.?(?=\s)/gi, 'versus'],
  [/\bapprox\.(?=\s|$)/gi, 'approximately'],
  [/\bcf\.(?=\s|$)/gi, 'compare'],
  [/\b[Nn]o\.(?=\s*\d)/g, 'number'],
  [/\bNos\.(?=\s*\d)/g, 'numbers'],
  [/\b[Ff]ig\.(?=\s*\d)/g, 'figure'],
  [/\bvol\.(?=\s*\d)/gi, 'volume'],
  [/\bpp?\.(?=\s*\d)/g, 'page'],
];

/** What may follow the last word of a clause: closing quotes and brackets. */
const CLAUSE_END = /^["')\]]*\s*$/;

const FRACTIONS: Record<string, string> = {
  '½': 'one half',
  '⅓': 'one third',
  '⅔': 'two thirds',
  '¼': 'one quarter',
  '¾': 'three quarters',
  '⅕': 'one fifth',
  '⅛': 'one eighth',
  '⅜': 'three eighths',
  '⅝': 'five eighths',
  '⅞': 'seven eighths',
};
const DENOMINATORS: Record<number, [string, string]> = {
  2: ['half', 'halves'],
  3: ['third', 'thirds'],
  4: ['quarter', 'quarters'],
};

const TLDS =
  'com|org|net|edu|gov|io|dev|app|ai|co|uk|us|de|fr|info|biz|me|tv|ly|gg|sh|xyz|tech|blog|news|ca|au|jp|nl|eu|ch|se|no|es|it|in|ru|cn|br';

/** Punctuation and letters of a URL or e-mail address as said aloud. */
const URL_SYMBOLS: Record<string, string> = {
  '.': ' dot ',
  '/': ' slash ',
  '-': ' dash ',
  _: ' underscore ',
  '@': ' at ',
  ':': ' colon ',
  '~': ' tilde ',
  '+': ' plus ',
  '=': ' equals ',
  '&': ' and ',
  '?': ' question mark ',
  '#': ' hash ',
  '%': ' percent ',
};

/** Reads a URL or e-mail address: "https://www.example.com/docs" → "w w w dot example dot com slash docs". */
function speakAddress(address: string): string {
  let rest = address.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^mailto:/i, '');
  rest = rest.replace(/[?#].*$/, '').replace(/\/+$/, '');
  return rest
    .replace(/^www\./i, 'w w w.')
    .replace(/[./\-_@:~+=&?#%]/g, (c) => URL_SYMBOLS[c] ?? ' ')
    .replace(/\d+/g, (d) => (d.length > 4 ? digitsToWords(d) : numberWords(d, false)));
}

// Patterns built from the tables above, compiled once (replace() resets their lastIndex).
const BARE_DOMAIN = new RegExp(String.raw`\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:${TLDS})\b(?:/[^\s"')\]]*[^\s"')\].,;:!?])?`, 'gi');
const MONEY = new RegExp(
  String.raw`([-−]?)([$£€¥₹])\s?(${NUM})(?:\s?(thousand|million|billion|trillion|bn|mn|tn|[kKmMbBtT])(?![\p{L}]))?`,
  'gu',
);
const MONEY_CODE = new RegExp(String.raw`(${NUM})\s?(thousand|million|billion|trillion)?\s?(USD|GBP|EUR|JPY|INR)\b`, 'g');
const PERCENT = new RegExp(String.raw`([-−]?)(${NUM})\s?%`, 'g');
const MAGNITUDE_COUNT = new RegExp(String.raw`(?<![\p{L}\d.])(${NUM})(K|M|B|bn)(?![\p{L}\d])`, 'gu');
const UNIT_AMOUNT = new RegExp(String.raw`(?<![\p{L}])([-−]?)(${NUM})\s?(${UNIT_PATTERN})(?![\p{L}\d])`, 'gu');

// Dates: 2024-05-06 with an optional time and zone; 12/25/2024, 25-12-24; May 5; 5 May.
const ISO_DATE = /(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?(?![\d-])/g;
const NUMERIC_DATE = /(?<![\d/.-])(\d{1,2})([/-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/-])/g;
const DAY_RANGE_MONTH = new RegExp(
  String.raw`(?<![\d.,:])\b(\d{1,2})(?:st|nd|rd|th)?[-–](\d{1,2})(?:st|nd|rd|th)? (${MONTH_PATTERN})\b(?:,? (\d{4})\b)?`,
  'g',
);
const MONTH_DAY_RANGE = new RegExp(
  String.raw`\b(${MONTH_PATTERN}) (\d{1,2})(?:st|nd|rd|th)?[-–](\d{1,2})(?:st|nd|rd|th)?\b(?![:.]\d|,\d)`,
  'g',
);
const MONTH_DAY = new RegExp(String.raw`\b(${MONTH_PATTERN}) (\d{1,2})(?:st|nd|rd|th)?\b(?![:.]\d|,\d|\s?%)`, 'g');
const DAY_MONTH = new RegExp(String.raw`(?<![\d.,:])\b(\d{1,2})(?:st|nd|rd|th)? (${MONTH_PATTERN})\b(?:,? (\d{4})\b)?`, 'g');

// ---------------------------------------------------------------------------------------------
// The pipeline

/** A letter or digit: text with one is worth sending to the model. */
const SPEAKABLE = /[\p{L}\p{N}]/u;
/** After normalisation, also a symbol (\p{S}: "$", "+"), left to espeak so the check below never refuses one it may name. */
const MAYBE_SPEAKABLE = /[\p{L}\p{N}\p{S}]/u;

/**
 * False when `text` surely has nothing to say (only punctuation, emoji, spaces), cheaply and without
 * the model: the CLI rejects it before loading the model. True whenever in doubt.
 */
export function mayHaveSpeech(text: string, lang: G2pLang = 'en-us'): boolean {
  // Letters or digits: nothing to work out (the common case costs one regex test).
  if (SPEAKABLE.test(text)) return true;
  return MAYBE_SPEAKABLE.test(normalizeText(text, lang));
}

/** Rewrites one clause as English words for speech (see [Note: Normalise after splitting]). */
export function normalizeText(text: string, lang: G2pLang = 'en-us'): string {
  return normalizeMapped(text, lang).text;
}

/**
 * normalizeText, with each character of the result mapped to the span of `text` it came from
 * (see [Note: Offset maps through rewrites] in mapped-text.ts), for word timings.
 */
export function normalizeMapped(text: string, lang: G2pLang = 'en-us'): MappedText {
  // Scripts the voices cannot read and junk characters go first (see [Note: What the voices can
  // read] in readable.ts): espeak would spell them out as letter names.
  let t = dropUnreadableMapped(MappedText.of(text).nfc());

  // Typography and invisible characters.
  t = t
    .replace(INVISIBLE, '')
    .replace(/[‘’‚‛′]/g, "'")
    .replace(/[“”„‟″«»]/g, '"')
    .replace(/©/g, ' copyright ')
    .replace(/[™®℠]/g, '')
    .replace(/[¿¡]/g, ' ') // Spanish opening marks: no English reading, and not in Kokoro's vocab
    .replace(/\p{Extended_Pictographic}(?:\ufe0f|\u200d\p{Extended_Pictographic}|[\u{1f3fb}-\u{1f3ff}])*/gu, ' ')
    .replace(/[\ufe0e\ufe0f\u20e3]/g, '')
    .replace(/[\u{1f1e6}-\u{1f1ff}]/gu, ' ')
    .replace(/\s+/g, ' ');

  // Addresses first, before their dots and symbols are read as anything else.
  t = t.replace(/\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, (m) => ` ${speakAddress(m)} `);
  t = t.replace(/\b(?:https?:\/\/|ftp:\/\/|www\.)[^\s<>"')\]]*[^\s<>"')\].,;:!?]/gi, (m) => ` ${speakAddress(m)} `);
  t = t.replace(BARE_DOMAIN, (m) => (/^\d+(\.\d+)*$/.test(m) ? m : ` ${speakAddress(m)} `));

  // Abbreviations.
  t = t.replace(/\band\/or\b/gi, 'and or');
  // An abbreviation's dot that also ends the clause ("Main St.") is kept as the full stop.
  for (const [pattern, words] of ABBREVIATIONS) {
    // A month's dot before a capital ends the sentence too ("in Jan. The"); a title's never does.
    const isMonth = MONTHS.includes(words);
    t = t.replace(pattern, (match: string, offset: number, whole: string) => {
      const rest = whole.slice(offset + match.length);
      if (isMonth) return words + fullStopOf(match, rest);
      return match.endsWith('.') && !words.endsWith('.') && CLAUSE_END.test(rest) ? `${words}.` : words;
    });
  }

  // Dates (see [Note: Dates]): ISO dates and timestamps, then numeric dates, then a month's day.
  t = t.replace(ISO_DATE, (m, y: string, mo: string, d: string, h?: string, mi?: string, sec?: string, zone?: string) => {
    const date = dateWords(Number(mo), Number(d), y, lang);
    if (date === undefined) return m;
    if (h === undefined || mi === undefined || Number(h) > 23 || Number(mi) > 59) return ` ${date} `;
    return ` ${date}, ${timeWords(h, mi, sec, undefined).trim()}${zone === undefined ? '' : ` ${zoneWords(zone)}`} `;
  });
  t = t.replace(NUMERIC_DATE, (m, a: string, _sep: string, b: string, y: string) => {
    const [month, day] = dateOrder(Number(a), Number(b), lang) ?? [];
    if (month === undefined || day === undefined) return m;
    return ` ${dateWords(month, day, y, lang) ?? m} `;
  });
  // Ranges of days: "10-20 May" → "the tenth to the twentieth of May"; "May 10-20" → "May tenth to twentieth".
  const isDay = (d: string): boolean => Number(d) >= 1 && Number(d) <= 31;
  t = t.replace(DAY_RANGE_MONTH, (m, from: string, to: string, month: string, year: string | undefined) =>
    isDay(from) && isDay(to)
      ? `the ${ordinal(Number(from))} to the ${ordinal(Number(to))} of ${month}${year === undefined ? '' : `, ${yearWords(Number(year))}`}`
      : m,
  );
  t = t.replace(MONTH_DAY_RANGE, (m, month: string, from: string, to: string) =>
    isDay(from) && isDay(to) ? `${month} ${ordinal(Number(from))} to ${ordinal(Number(to))}` : m,
  );
  t = t.replace(MONTH_DAY, (m, month: string, day: string) =>
    Number(day) >= 1 && Number(day) <= 31 ? `${month} ${ordinal(Number(day))}` : m,
  );
  t = t.replace(DAY_MONTH, (m, day: string, month: string, year: string | undefined) =>
    Number(day) >= 1 && Number(day) <= 31
      ? `the ${ordinal(Number(day))} of ${month}${year === undefined ? '' : `, ${yearWords(Number(year))}`}`
      : m,
  );

  // Phone numbers (555-1234, 555-123-4567, (555) 123-4567) read digit by digit.
  t = t.replace(
    /(?<![\d.,-])(?:\+\d{1,3}[ -]?)?(?:\(\d{3}\) ?|\d{3}[-. ])?\d{3}-\d{4}(?![\d-])|(?<![\d.,-])(?:\+\d{1,3}[ -]?)?(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}(?![\d-])/g,
    (m) => ` ${m.startsWith('+') ? 'plus ' : ''}${m.split(/\D+/).filter(Boolean).map(digitsToWords).join(', ')} `,
  );

  // Times: 3:30 pm, 14:05, 3pm, 3 a.m.
  t = t.replace(
    /\b(\d{1,2}):([0-5]\d)(?::([0-5]\d))?(?:\s?([ap])\.?m\.?)?(?![\d:])/gi,
    (match: string, h: string, m: string, s: string | undefined, ap: string | undefined, offset: number, whole: string) =>
      timeWords(h, m, s, ap) + fullStopOf(match, whole.slice(offset + match.length)),
  );
  t = t.replace(
    /\b(\d{1,2})\s?([ap])\.?m\.?(?![\p{L}])/giu,
    (match: string, h: string, ap: string, offset: number, whole: string) =>
      timeWords(h, '00', undefined, ap) + fullStopOf(match, whole.slice(offset + match.length)),
  );

  // Ranges between numbers: 10–20, 10-20, 1990–95 (before minus signs are read).
  t = t.replace(/(\d)\s?[–—]\s?(?=[$£€¥₹]?\d)/g, '$1 to ');
  t = t.replace(/(?<![\d-])(\d+)-(?=[$£€¥₹]?\d+(?![\d-]))/g, '$1 to ');

  // Money: $5, $5.50, £3, €10, $1.2 million, $5bn, 10 USD, -$5.
  t = t.replace(
    MONEY,
    (_m, sign: string, symbol: string, amount: string, magnitude: string | undefined) =>
      (sign ? 'minus ' : '') + moneyWords(symbol, amount, magnitude),
  );
  t = t.replace(MONEY_CODE, (_m, amount: string, magnitude: string | undefined, code: string) =>
    moneyWords(CURRENCY_CODES[code] ?? '$', amount, magnitude),
  );

  // Decades: 1990s, 2010s, '90s, 80s.
  t = t.replace(/\b(1[1-9]|20)(\d0)'?s\b/g, (_m, c: string, d: string) => pluralOfWords(yearWords(Number(c + d))));
  t = t.replace(/(?:'|\b)([2-9]0)'?s\b/g, (_m, d: string) => pluralOfWords(cardinal(Number(d))));

  // Percentages.
  t = t.replace(PERCENT, (_m, sign: string, n: string) => `${sign ? 'minus ' : ''}${amountWords(n)} percent`);

  // Version numbers: 2.0.1, v1.2 (before decimals read them as "two point zero point one").
  t = t.replace(/\bv(?=\d)/g, 'version ');
  t = t.replace(/(?<![\d.])\d+(?:\.\d+){2,}(?![\d.]*\d)/g, (m) =>
    m
      .split('.')
      .map((part) => numberWords(part, false))
      .join(' point '),
  );

  // Counts with a magnitude letter: 20K stars, 1.5M users, 7B parameters; "4K" video stays a K.
  t = t.replace(/(?<![\p{L}\d.])([48])K(?![\p{L}\d])/gu, '$1 K');
  t = t.replace(
    MAGNITUDE_COUNT,
    (_m, n: string, m: string) => `${amountWords(n)} ${m === 'K' ? 'thousand' : m === 'M' ? 'million' : 'billion'}`,
  );

  // Sizes and multiples: 3x3, 1920×1080, 2x faster.
  t = t.replace(/(\d)\s?[x×]\s?(?=\d)/g, '$1 by ');
  t = t.replace(/(\d)\s?[x×](?![\p{L}\d])/gu, '$1 times');

  // Heights: 5'10".
  t = t.replace(/\b(\d)'\s?(\d{1,2})(?:"|'')/g, '$1 foot $2');

  // A hyphen between a name and its number: COVID-19, Boeing-747.
  t = t.replace(/(?<=\p{L})-(?=\d)/gu, ' ');

  // Units: 5 km, 10kg, 3 GB, 2 h, 5 °C, 60 km/h.
  t = t.replace(UNIT_AMOUNT, (_m, sign: string, n: string, unit: string) => {
    const [one, many] = UNITS[unit] ?? [unit, unit];
    const words = amountWords(n);
    return `${sign ? 'minus ' : ''}${words} ${words === 'one' ? one : many}`;
  });

  // Ordinals: 1st, 22nd, 103rd, 4th.
  t = t.replace(/\b(\d+(?:,\d{3})*)(st|nd|rd|th)\b/gi, (_m, n: string) => ordinal(BigInt(n.replace(/,/g, ''))));

  // Fractions: ½, 3/4 (not dates, which have two slashes).
  t = t.replace(
    /(?:(\d+)\s?)?([½⅓⅔¼¾⅕⅛⅜⅝⅞])/g,
    (_m, whole: string | undefined, f: string) => ` ${whole ? `${cardinal(BigInt(whole))} and ` : ''}${FRACTIONS[f] ?? ''} `,
  );
  t = t.replace(/\b24\/7\b/g, 'twenty-four seven');
  t = t.replace(/(?<![\d/])(\d{1,2})\/(\d{1,2})(?![\d/])/g, (_m, a: string, b: string) => fractionWords(Number(a), Number(b)));

  // Musical and language sharps: C#, F#.
  t = t.replace(/\b([A-G])#(?![\w#])/g, '$1 sharp');

  // "#1" is "number one".
  t = t.replace(/#\s?(?=\d)/g, ' number ');

  // Plain numbers: negatives, thousands separators, decimals, years.
  t = t.replace(/(^|[\s(["'])[-−](?=\.?\d)/g, '$1minus ');
  // Spaced, so a number glued to letters (MP3, H2O) is read as its own word.
  t = t.replace(/\d+(?:,\d{3})+(?:\.\d+)?/g, (m) => ` ${amountWords(m)} `);
  t = t.replace(/\d*\.\d+/g, (m) => {
    const [whole = '', fraction = ''] = m.split('.');
    return ` ${decimalWords(whole, fraction)} `;
  });
  t = t.replace(/\d+/g, (m) => ` ${numberWords(m, true)} `);

  // Symbols.
  t = t
    .replace(/\s?&\s?/g, ' and ')
    .replace(/\s?@\s?/g, ' at ')
    .replace(/%/g, ' percent ')
    .replace(/#(?=\p{L})/gu, ' hashtag ')
    .replace(/#/g, ' hash ')
    .replace(/\s?\+\s?/g, ' plus ')
    .replace(/\s?=\s?/g, ' equals ')
    .replace(/~\s?(?=\p{L})/gu, ' about ')
    .replace(/~/g, ' tilde ')
    .replace(/(?<=\p{L})\/(?=\p{L})/gu, ' or ')
    .replace(/\s[–-]+\s/g, ' — ') // a spaced dash is a pause; Kokoro knows only the em dash
    .replace(/\s[<>]\s/g, (m) => (m.includes('<') ? ' less than ' : ' greater than '))
    .replace(/[*_^|\\<>`{}[\]/]/g, ' ')
    .replace(/[(]/g, ' (')
    .replace(/[)]/g, ') ');

  // Whitespace and stray spaces before punctuation.
  return t
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.;:!?)…])/g, '$1')
    .replace(/\(\s+/g, '(')
    .trim();
}

/** "." when the dot that ends an abbreviation also ends the sentence: end of clause, or a capital next. */
function fullStopOf(match: string, rest: string): string {
  return match.endsWith('.') && (CLAUSE_END.test(rest) || /^\s+["'([]?\p{Lu}/u.test(rest)) ? '.' : '';
}

/** [month, day] of two numbers in the dialect's order, or the other order when only it is valid. */
function dateOrder(a: number, b: number, lang: G2pLang): [number, number] | undefined {
  const valid = (month: number, day: number): boolean => month >= 1 && month <= 12 && day >= 1 && day <= (MONTH_DAYS[month - 1] as number);
  const monthFirst: [number, number] | undefined = valid(a, b) ? [a, b] : undefined;
  const dayFirst: [number, number] | undefined = valid(b, a) ? [b, a] : undefined;
  return lang === 'en-gb' ? (dayFirst ?? monthFirst) : (monthFirst ?? dayFirst);
}

/** Reads a date: "December twenty-fifth, twenty twenty-four" (en-us), "the twenty-fifth of December, …" (en-gb). */
function dateWords(month: number, day: number, year: string | undefined, lang: G2pLang): string | undefined {
  const name = MONTHS[month - 1];
  if (name === undefined || day < 1 || day > (MONTH_DAYS[month - 1] as number)) return undefined;
  const date = lang === 'en-gb' ? `the ${ordinal(day)} of ${name}` : `${name} ${ordinal(day)}`;
  if (year === undefined) return date;
  const y = Number(year);
  const yearSaid = year.length === 4 ? yearWords(y) : y === 0 ? 'two thousand' : y < 10 ? `oh ${ONES[y] as string}` : underHundred(y);
  return `${date}, ${yearSaid}`;
}

/** Reads a time zone of an ISO timestamp: "Z" → "UTC", "+05:30" → "UTC plus five thirty". */
function zoneWords(zone: string): string {
  if (zone === 'Z') return 'UTC';
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours === 0 && minutes === 0) return 'UTC';
  const sign = zone.startsWith('-') ? 'minus' : 'plus';
  return `UTC ${sign} ${cardinal(hours)}${minutes === 0 ? '' : ` ${underHundred(minutes)}`}`;
}

function timeWords(h: string, m: string, s: string | undefined, ap: string | undefined): string {
  const hour = Number(h);
  const minute = Number(m);
  // "A-M" and "P-M": espeak reads "A M" as the article and "a.m." would split at its dots.
  const suffix = ap ? ` ${ap.toUpperCase()}-M` : '';
  let words: string;
  if (minute === 0) {
    // "3 PM", "three o'clock"; a 24-hour clock says "fourteen hundred", "zero hundred".
    if (ap) words = cardinal(hour);
    else if (hour === 0 || hour > 12) words = `${cardinal(hour)} hundred`;
    else words = `${cardinal(hour)} o'clock`;
  } else if (minute < 10) {
    words = `${cardinal(hour)} oh ${cardinal(minute)}`;
  } else {
    words = `${cardinal(hour)} ${cardinal(minute)}`;
  }
  if (s !== undefined && Number(s) > 0) words += ` and ${cardinal(Number(s))} seconds`;
  return ` ${words}${suffix} `;
}

function moneyWords(symbol: string, amount: string, magnitude: string | undefined): string {
  const currency = CURRENCIES[symbol] ?? (CURRENCIES.$ as Currency);
  const scale = magnitude ? MAGNITUDES[magnitude.toLowerCase()] : undefined;
  if (scale) return `${amountWords(amount)} ${scale} ${currency.many}`;
  const clean = amount.replace(/,/g, '');
  const [whole = '0', fraction] = clean.split('.');
  const units = BigInt(whole || '0');
  const unitWords = `${cardinal(units)} ${units === 1n ? currency.one : currency.many}`;
  if (fraction === undefined || fraction === '' || /^0+$/.test(fraction)) return unitWords;
  if (fraction.length > 2) return `${amountWords(clean)} ${currency.many}`;
  const cents = Number(fraction.padEnd(2, '0'));
  const centWords = `${cardinal(cents)} ${cents === 1 ? currency.centOne : currency.centMany}`;
  return units === 0n ? centWords : `${unitWords} and ${centWords}`;
}

function fractionWords(a: number, b: number): string {
  if (b === 0) return `${cardinal(a)} slash zero`;
  const denominator = DENOMINATORS[b];
  if (b === 1 || b > 10 || a > 20) return `${cardinal(a)} slash ${cardinal(b)}`;
  if (denominator) return `${cardinal(a)} ${a === 1 ? denominator[0] : denominator[1]}`;
  const ord = ordinal(b);
  return `${cardinal(a)} ${a === 1 ? ord : `${ord}s`}`;
}
