// Runs under node:test: the protocol's runtime checks for the bench-history request and event
// (the benchmark history the renderer asks the worker for), as tables of input → expected.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isWorkerEvent, parseRequest } from '../../../src-worker/protocol/messages.ts';

test('parseRequest takes a bench-history request with an id and names what is wrong otherwise', () => {
  const cases: Array<[unknown, { ok: true } | { ok: false; id: string; message: RegExp }]> = [
    [{ type: 'bench-history', id: 'h1' }, { ok: true }],
    [{ type: 'bench-history', id: 'h2', extra: 1 }, { ok: true }],
    [
      { type: 'bench-history', id: '' },
      { ok: false, id: '', message: /"id"/ },
    ],
    [{ type: 'bench-history' }, { ok: false, id: '', message: /"id"/ }],
    [
      { type: 'bench-histories', id: 'h3' },
      { ok: false, id: 'h3', message: /Malformed request/ },
    ],
  ];
  for (const [raw, expected] of cases) {
    const parsed = parseRequest(raw);
    assert.equal(parsed.ok, expected.ok, JSON.stringify(raw));
    if (parsed.ok) assert.deepEqual(parsed.value, { type: 'bench-history', id: (raw as { id: string }).id }, 'unknown keys are dropped');
    else if (!expected.ok) {
      assert.equal(parsed.id, expected.id, JSON.stringify(raw));
      assert.match(parsed.message, expected.message, JSON.stringify(raw));
    }
  }
});

test('isWorkerEvent takes a bench-history event only with a list of results', () => {
  const cases: Array<[unknown, boolean]> = [
    [{ type: 'bench-history', id: 'h', results: [] }, true],
    [{ type: 'bench-history', id: 'h', results: [{ startedAt: 'x' }] }, true],
    [{ type: 'bench-history', id: 'h' }, false],
    [{ type: 'bench-history', id: 'h', results: {} }, false],
    [{ type: 'bench-history', id: 'h', results: null }, false],
    [{ type: 'bench-history', results: [] }, false],
  ];
  for (const [raw, expected] of cases) assert.equal(isWorkerEvent(raw), expected, JSON.stringify(raw));
});
