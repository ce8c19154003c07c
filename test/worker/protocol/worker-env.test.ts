// Runs under node:test: the worker's control messages (src-worker/protocol/worker-env.ts): what
// parseWorkerControl accepts and rejects, and that the messages the starters send pass it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import {
  CONNECT_MESSAGE,
  SHUTDOWN_MESSAGE,
  connectMessage,
  describeControl,
  parseWorkerControl,
} from '../../../src-worker/protocol/worker-env.ts';

const CASES: { raw: unknown; expected: unknown }[] = [
  { raw: { type: 'connect' }, expected: { type: 'connect' } },
  { raw: { type: 'connect', port: 'p' }, expected: { type: 'connect', port: 'p' } },
  { raw: { type: 'shutdown' }, expected: { type: 'shutdown' } },
  { raw: { type: 'shutdown', extra: 1 }, expected: { type: 'shutdown' } },
  { raw: { type: 'Connect' }, expected: undefined },
  { raw: { type: 'speak', id: 'a' }, expected: undefined },
  { raw: { port: 'p' }, expected: undefined },
  { raw: 'connect', expected: undefined },
  { raw: null, expected: undefined },
  { raw: undefined, expected: undefined },
];

test('parseWorkerControl: connect and shutdown pass, anything else is undefined', () => {
  for (const { raw, expected } of CASES) assert.deepEqual(parseWorkerControl(raw), expected, JSON.stringify(raw));
});

test('the messages the starters send pass, and a connect keeps its port itself', () => {
  assert.deepEqual(parseWorkerControl(CONNECT_MESSAGE), { type: 'connect' });
  assert.deepEqual(parseWorkerControl(SHUTDOWN_MESSAGE), { type: 'shutdown' });
  const { port1, port2 } = new MessageChannel();
  const parsed = parseWorkerControl(connectMessage(port1));
  assert.ok(parsed?.type === 'connect' && parsed.port === port1, 'the same port object, not a copy');
  port1.close();
  port2.close();
});

test('describeControl names the type only', () => {
  const table: [unknown, string][] = [
    [{ type: 'reboot', secret: 'x' }, 'type "reboot"'],
    [{ secret: 'x' }, 'an object without a type'],
    ['text', 'string'],
    [null, 'null'],
    [{ type: 'x'.repeat(100) }, `type "${'x'.repeat(40)}"`],
  ];
  for (const [raw, expected] of table) assert.equal(describeControl(raw), expected);
});
