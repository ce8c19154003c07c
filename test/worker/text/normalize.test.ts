// Tests (Node): text normalisation as tables of input → expected speech text, each kind of
// rewrite with the same pattern repeated in one input (a regex without its `g` flag fails
// those), plus edge cases and the number spellers on their own.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cardinal, digitsToWords, mayHaveSpeech, normalizeText, ordinal, yearWords } from '../../../src-worker/text/normalize.ts';

const cases: [string, string, string][] = [
  // Numbers.
  ['cardinals', 'I have 7 cats and 42 dogs.', 'I have seven cats and forty-two dogs.'],
  ['hundreds', '100, 105 and 999', 'one hundred, one hundred five and nine hundred ninety-nine'],
  [
    'thousands separators twice',
    '1,234,567 and 1,000,000',
    'one million two hundred thirty-four thousand five hundred sixty-seven and one million',
  ],
  ['negatives twice', 'It was -5 then -12.', 'It was minus five then minus twelve.'],
  ['unicode minus', 'a −3 change', 'a minus three change'],
  ['leading zeros read as digits', 'Agent 007 and 0042', 'Agent zero zero seven and zero zero four two'],
  [
    'very long numbers read as digits',
    '12345678901234567',
    'one two three four five six seven eight nine zero one two three four five six seven',
  ],
  ['zero', '0 and 0', 'zero and zero'],
  // Ordinals.
  ['ordinals', 'The 1st, 2nd, 3rd and 4th.', 'The first, second, third and fourth.'],
  [
    'ordinals repeated',
    '22nd and 22nd, 11th, 12th, 13th, 101st',
    'twenty-second and twenty-second, eleventh, twelfth, thirteenth, one hundred first',
  ],
  ['ordinal with separator', 'the 1,000th visitor', 'the one thousandth visitor'],
  // Years and decades.
  ['years twice', 'In 1999 and 1999 again.', 'In nineteen ninety-nine and nineteen ninety-nine again.'],
  ['years 2000s', 'In 2005, 2000 and 2024.', 'In two thousand five, two thousand and twenty twenty-four.'],
  ['years with oh and hundred', '1905 and 1800', 'nineteen oh five and eighteen hundred'],
  ['decades', 'the 2010s, the 1990s and the 1900s', 'the twenty tens, the nineteen nineties and the nineteen hundreds'],
  ['short decades', "the '90s and the 80s", 'the nineties and the eighties'],
  ['year range', '1990–1995', 'nineteen ninety to nineteen ninety-five'],
  // Decimals and percentages.
  ['decimals twice', 'Pi is 3.14 and e is 2.718.', 'Pi is three point one four and e is two point seven one eight.'],
  ['bare decimal', 'about .5 of it', 'about point five of it'],
  ['percentages twice', '50% and 3.5% and 100 %', 'fifty percent and three point five percent and one hundred percent'],
  // Currency.
  ['dollars', '$5 and $1', 'five dollars and one dollar'],
  ['dollars and cents', '$5.50 and $5.01', 'five dollars and fifty cents and five dollars and one cent'],
  ['cents only', '$0.99', 'ninety-nine cents'],
  ['pounds and euros', '£3, £1.50 and €10', 'three pounds, one pound and fifty pence and ten euros'],
  [
    'magnitudes',
    '$1.2 million and $5bn and $100k',
    'one point two million dollars and five billion dollars and one hundred thousand dollars',
  ],
  ['currency codes', '10 USD and 5 EUR', 'ten dollars and five euros'],
  ['negative money', 'a loss of -$5', 'a loss of minus five dollars'],
  ['money range', '$10–$20', 'ten dollars to twenty dollars'],
  ['big money with separators', '$1,250,000', 'one million two hundred fifty thousand dollars'],
  // Times.
  // The dot of "a.m." that ends the sentence is also its full stop.
  ['times with am/pm', 'At 3:30 pm and 7:05 a.m.', 'At three thirty P-M and seven oh five A-M.'],
  ['a time keeps the full stop before the next sentence', '3:45pm. It costs $5.', 'three forty-five P-M. It costs five dollars.'],
  ['full stops after times twice', 'At 3pm. Then 4 p.m. Then 5:10 am. Done.', 'At three P-M. Then four P-M. Then five ten A-M. Done.'],
  ['a.m. inside a sentence keeps no stop', 'at 7 a.m. sharp', 'at seven A-M sharp'],
  // Dates (en-us order; en-gb in its own table below).
  [
    'numeric dates twice',
    '12/25/2024 and 12/25/2024',
    'December twenty-fifth, twenty twenty-four and December twenty-fifth, twenty twenty-four',
  ],
  ['a date valid only day first', 'on 25/12/2024.', 'on December twenty-fifth, twenty twenty-four.'],
  ['two-digit years and dashes', '1/5/24 or 1-5-05', 'January fifth, twenty-four or January fifth, oh five'],
  ['no such date reads as numbers', '13/13/2024', 'thirteen thirteen twenty twenty-four'],
  ['ISO dates twice', '2024-05-06 to 2024-05-07', 'May sixth, twenty twenty-four to May seventh, twenty twenty-four'],
  [
    'ISO timestamps',
    '2024-05-06T14:30:00Z and 2024-05-06T09:05:30.123+05:30',
    'May sixth, twenty twenty-four, fourteen thirty UTC and May sixth, twenty twenty-four, nine oh five and thirty seconds UTC plus five thirty',
  ],
  [
    'ISO timestamp with a negative zone',
    'at 1999-12-31T23:59-0800.',
    'at December thirty-first, nineteen ninety-nine, twenty-three fifty-nine UTC minus eight.',
  ],
  [
    'month abbreviations twice',
    'Jan. 5, Jan. 6, Feb. 29, Sept. 3rd and Dec 25',
    'January fifth, January sixth, February twenty-ninth, September third and December twenty-fifth',
  ],
  ['a month abbreviation ends a sentence', 'It was in Jan. The end came in Oct.', 'It was in January. The end came in October.'],
  ['month and day with a year', 'Jan. 5, 2024 and March 3', 'January fifth, twenty twenty-four and March third'],
  ['day before month', 'on 5 May 2024 and 1st June', 'on the fifth of May, twenty twenty-four and the first of June'],
  ['Jan the name stays', 'Jan said hi to Jan.', 'Jan said hi to Jan.'],
  [
    'ranges of days, twice',
    'closed 10-20 May 2024 and 3–4 June',
    'closed the tenth to the twentieth of May, twenty twenty-four and the third to the fourth of June',
  ],
  ['a month then a range of days', 'May 10-20 and June 1-2', 'May tenth to twentieth and June first to second'],
  ['a range that is not of days stays a number range', 'pages 10-20', 'pages ten to twenty'],
  // Text the voices cannot read (readable.ts) and junk characters are dropped in place.
  ['Arabic and Hebrew runs dropped', 'Hello مرحبا بالعالم and שלום עולם again.', 'Hello and again.'],
  ['CJK runs dropped', 'Say 你好 and こんにちは and 안녕 twice.', 'Say and and twice.'],
  ['lone Greek letters stay', 'α and π', 'α and π'],
  ['junk characters dropped', 'A\ufffdB\u0001C\ue000D', 'A B C D'],
  [
    'CJK and Arabic punctuation becomes ours, twice',
    'Hi 你好。Then「この」、ok！ Hello مرحبا، world؟ Yes، no۔',
    'Hi. Then, ok! Hello, world? Yes, no.',
  ],
  ['full-width forms and CJK squares fold', 'ＡＢＣ １２ and ㎽ and ㈱ Co', 'ABC twelve and mW and Co'],
  ["other scripts' marks vanish", 'a ־ b ־ c', 'a b c'],
  ['24-hour times', '14:05 and 09:30', 'fourteen oh five and nine thirty'],
  ['on the hour', '12:00, 14:00 and 3pm and 3 pm', "twelve o'clock, fourteen hundred and three P-M and three P-M"],
  // Units.
  ['distance and weight', '5 km, 10 kg and 1 km', 'five kilometers, ten kilograms and one kilometer'],
  ['data and time', '3 GB, 500 MB, 2 h and 10 ms', 'three gigabytes, five hundred megabytes, two hours and ten milliseconds'],
  ['temperatures', '5 °C, 5°C and 50 °F', 'five degrees Celsius, five degrees Celsius and fifty degrees Fahrenheit'],
  ['speed', '60 km/h and 30 mph', 'sixty kilometers per hour and thirty miles per hour'],
  ['units without a space', '10kg and 3GB', 'ten kilograms and three gigabytes'],
  ['decimal units', '1.5 km', 'one point five kilometers'],
  // Abbreviations.
  [
    'titles twice',
    'Mr. Smith and Mr. Jones met Mrs. Brown and Ms. Green.',
    'Mister Smith and Mister Jones met Missus Brown and Miz Green.',
  ],
  ['doctor and drive', 'Dr. Who lives on Elm Dr.', 'Doctor Who lives on Elm Drive.'],
  ['saint and street', 'St. Louis is on Main St. and St. Paul on Oak St.', 'Saint Louis is on Main Street and Saint Paul on Oak Street.'],
  [
    'e.g. and i.e. twice',
    'e.g. this, e.g. that, i.e. these, i.e. those',
    'for example, this, for example, that, that is, these, that is, those',
  ],
  ['etc. mid-clause and at the end', 'cats, dogs, etc. and birds, etc.', 'cats, dogs, et cetera and birds, et cetera.'],
  ['versus twice', 'red vs. blue vs green', 'red versus blue versus green'],
  ['companies', 'Acme Ltd. and Foo Inc.', 'Acme Limited and Foo Incorporated.'],
  ['number sign', 'No. 5 and #1 and #2', 'number five and number one and number two'],
  // URLs and e-mail.
  ['url', 'Visit https://www.example.com/docs/page?x=1 now.', 'Visit w w w dot example dot com slash docs slash page now.'],
  ['bare domains twice', 'See example.com and kokoro.dev.', 'See example dot com and kokoro dot dev.'],
  ['e-mail', 'Mail john.smith@example.org or a_b@c.io.', 'Mail john dot smith at example dot org or a underscore b at c dot io.'],
  // Symbols.
  ['ampersand and at twice', 'A & B & C @ home @ noon', 'A and B and C at home at noon'],
  ['arithmetic', '5 + 3 = 8 and 1+1=2', 'five plus three equals eight and one plus one equals two'],
  ['tilde', '~5 minutes and ~ten', 'about five minutes and about ten'],
  ['hashtags and sharps', '#kokoro and C# and F#', 'hashtag kokoro and C sharp and F sharp'],
  ['slash between words', 'and/or, his/her', 'and or, his or her'],
  ['comparison', 'x > 5 and y < 3', 'x greater than five and y less than three'],
  ['unspeakable symbols vanish', 'a * b | c ^ d', 'a b c d'],
  // Ranges and fractions.
  ['ranges twice', '10–20 and 30-40 pages', 'ten to twenty and thirty to forty pages'],
  ['scores are ranges too', 'It ended 3-2.', 'It ended three to two.'],
  ['fractions', '½ cup, 1½ cups, 3/4 and 2/3', 'one half cup, one and one half cups, three quarters and two thirds'],
  ['24/7', 'open 24/7', 'open twenty-four seven'],
  [
    'phone numbers',
    'Call 555-1234 or (555) 123-4567.',
    'Call five five five, one two three four or five five five, one two three, four five six seven.',
  ],
  ['international phone number', 'Dial +1 555 123 4567.', 'Dial plus one, five five five, one two three, four five six seven.'],
  // Numbers inside names and counts.
  ['numbers glued to letters, twice', 'MP3 and H2O, Q3 and Q3', 'MP three and H two O, Q three and Q three'],
  ['a hyphen between a name and its number', 'COVID-19 and Boeing-747', 'COVID nineteen and Boeing seven hundred forty-seven'],
  [
    'magnitude letters',
    '1.5M users, 20K stars, 7B parameters',
    'one point five million users, twenty thousand stars, seven billion parameters',
  ],
  ['4K and 8K stay letters', '4K video and 8K screens', 'four K video and eight K screens'],
  ['multiples and sizes', '2x faster, 10x, a 3x3 grid', 'two times faster, ten times, a three by three grid'],
  [
    'version numbers',
    'version 2.0.1 and v1.2 and 10.15.7',
    'version two point zero point one and version one point two and ten point fifteen point seven',
  ],
  ['heights', `5'10" tall`, 'five foot ten tall'],
  // Typography, emoji, edge cases.
  ['curly quotes', '‘Hi’ and “there”', `'Hi' and "there"`],
  ['marks', '© 2024 Acme™ and Foo®', 'copyright twenty twenty-four Acme and Foo'],
  ['inverted marks', '¿Qué? ¡Hola!', 'Qué? Hola!'],
  ['emoji removed', 'Great 🎉 job 👍🏽 team 🇬🇧!', 'Great job team!'],
  ['zero-width characters', 'in\u200bvisible soft\u00adhyphen', 'invisible softhyphen'],
  ['whitespace collapsed everywhere', 'a  b \n\n c\t\td', 'a b c d'],
  ['spaced dashes become em dashes, twice', 'late - too late – so late -- yes', 'late — too late — so late — yes'],
  ['punctuation kept', 'Hello, world! Is it? Yes; no: maybe… (fine) — ok.', 'Hello, world! Is it? Yes; no: maybe… (fine) — ok.'],
  ['empty', '', ''],
  ['whitespace only', ' \n\t ', ''],
  ['emoji only', '🎉👍🏽', ''],
  ['no speakable symbols', '*** ||| ^^^', ''],
];

for (const [name, input, expected] of cases) {
  test(`normalizeText: ${name}`, () => {
    assert.equal(normalizeText(input), expected);
  });
}

const britishCases: [string, string, string][] = [
  [
    'day first when valid, twice',
    '05/06/2024 and 05/06/2024',
    'the fifth of June, twenty twenty-four and the fifth of June, twenty twenty-four',
  ],
  ['month first when only that is valid', '12/25/2024', 'the twenty-fifth of December, twenty twenty-four'],
  ['ISO dates', '2024-05-06T14:30Z', 'the sixth of May, twenty twenty-four, fourteen thirty UTC'],
];
for (const [name, input, expected] of britishCases) {
  test(`normalizeText en-gb: ${name}`, () => {
    assert.equal(normalizeText(input, 'en-gb'), expected);
  });
}

test('normalizeText is idempotent on its own output', () => {
  for (const [, input] of cases) {
    const once = normalizeText(input);
    assert.equal(normalizeText(once), once, `for ${JSON.stringify(input)}`);
  }
});

test('normalised text has no digits left', () => {
  for (const [, input] of cases) assert.doesNotMatch(normalizeText(input), /\d/, `for ${JSON.stringify(input)}`);
});

const cardinals: [number | bigint, string][] = [
  [0, 'zero'],
  [13, 'thirteen'],
  [20, 'twenty'],
  [21, 'twenty-one'],
  [100, 'one hundred'],
  [110, 'one hundred ten'],
  [1001, 'one thousand one'],
  [20_020, 'twenty thousand twenty'],
  [1_000_000, 'one million'],
  [1_002_003_004n, 'one billion two million three thousand four'],
  [
    999_999_999_999_999n,
    'nine hundred ninety-nine trillion nine hundred ninety-nine billion nine hundred ninety-nine million nine hundred ninety-nine thousand nine hundred ninety-nine',
  ],
  [-7, 'minus seven'],
];

for (const [n, words] of cardinals) {
  test(`cardinal(${n})`, () => assert.equal(cardinal(n), words));
}

test('ordinal, yearWords and digitsToWords', () => {
  assert.equal(ordinal(1), 'first');
  assert.equal(ordinal(12), 'twelfth');
  assert.equal(ordinal(20), 'twentieth');
  assert.equal(ordinal(99), 'ninety-ninth');
  assert.equal(ordinal(1_000_000), 'one millionth');
  assert.equal(yearWords(1999), 'nineteen ninety-nine');
  assert.equal(yearWords(2005), 'two thousand five');
  assert.equal(yearWords(2010), 'twenty ten');
  assert.equal(yearWords(1900), 'nineteen hundred');
  assert.equal(yearWords(1907), 'nineteen oh seven');
  assert.equal(yearWords(1000), 'one thousand');
  assert.equal(digitsToWords('0900'), 'zero nine zero zero');
});

test('mayHaveSpeech is false only for text with nothing to say, and never refuses a symbol espeak may name', () => {
  const table: [string, boolean][] = [
    ['Hello.', true],
    ['42', true],
    ['&', true], // "and"
    ['%', true], // "percent"
    ['$', true], // a symbol: left to espeak
    ['§ ¶', false], // punctuation to espeak: it reads nothing
    ['½', true], // "one half"
    ['...', false],
    ['、。', false],
    ['😀 ♥', false],
    ['— !? …', false],
    ['...', false], // repeated: no state kept between calls
  ];
  for (const [text, expected] of table) assert.equal(mayHaveSpeech(text), expected, JSON.stringify(text));
});
