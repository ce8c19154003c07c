// Runs in a worker_threads thread inside the worker process: owns one onnxruntime-node
// InferenceSession and runs it, so the worker's own thread stays free (see [Note: Inference
// thread] in session.ts). Plain JavaScript on purpose: a worker thread does not inherit the
// TypeScript loader registered by the CLI or a bundler's module graph, and this file needs none.
//
// Messages in:  { type: 'create', id, path, options }
//               { type: 'run', id, feeds: { [name]: { type, data, dims } }, output, durations? }
//               { type: 'release', id }
// Messages out: { id, ok: true, ...result } or { id, ok: false, message }

import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

/** @type {ort.InferenceSession | undefined} */
let session;

if (!parentPort) throw new Error('inference-thread.js must run as a worker thread.');
const port = parentPort;

port.on('message', async (/** @type {any} */ message) => {
  const { id } = message;
  try {
    if (message.type === 'create') {
      session = await ort.InferenceSession.create(message.path, message.options);
      const describe = (/** @type {readonly string[]} */ names, /** @type {readonly any[] | undefined} */ meta) =>
        names.map((name, i) => ({ name, type: meta?.[i]?.isTensor ? meta[i].type : undefined }));
      port.postMessage({
        id,
        ok: true,
        inputs: describe(session.inputNames, session.inputMetadata),
        outputs: describe(session.outputNames, session.outputMetadata),
      });
    } else if (message.type === 'run') {
      if (!session) throw new Error('No session has been created in this thread.');
      /** @type {Record<string, ort.Tensor>} */
      const feeds = {};
      for (const [name, { type, data, dims }] of Object.entries(message.feeds)) feeds[name] = new ort.Tensor(type, data, dims);
      const started = performance.now();
      const fetches = message.durations ? [message.output, message.durations] : [message.output];
      const result = await session.run(feeds, fetches);
      const ms = performance.now() - started;
      const data = result[message.output]?.data;
      if (!(data instanceof Float32Array)) throw new Error(`The model returned no float32 "${message.output}".`);
      // Fresh, exactly sized buffers, moved (not copied) to the worker's thread.
      const pcm = data.slice();
      const durations = message.durations
        ? Float32Array.from(/** @type {Iterable<number | bigint>} */ (result[message.durations]?.data ?? []), Number)
        : undefined;
      for (const tensor of Object.values(result)) tensor.dispose?.();
      port.postMessage({ id, ok: true, pcm, durations, ms }, durations ? [pcm.buffer, durations.buffer] : [pcm.buffer]);
    } else if (message.type === 'release') {
      await session?.release();
      session = undefined;
      port.postMessage({ id, ok: true });
    } else {
      throw new Error(`Unknown message type ${String(message.type)}.`);
    }
  } catch (error) {
    port.postMessage({ id, ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
