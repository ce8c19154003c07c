// Runs in the worker (and the CLI, tests, benchmark): derives, from the verified Kokoro model, the
// graph the engine runs, and caches it beside the model. Pure graph surgery on the decoded
// protobuf (npm onnx-proto, protobufjs): no onnxruntime here.
//
// [Note: Derived graph]
// onnxruntime 1.30 (the last onnxruntime-node on npm) has its fast im2col path for `ConvInteger`
// only for 2-D kernels, and every ConvInteger of the int8 Kokoro export is 1-D: 88 % of a run was
// spent there. Lifting each one to a height-1 2-D convolution computes exactly the same sums
// (bit-identical audio, checked by the tests) 2-2.5x faster. The lift, per 1-D ConvInteger:
//   x [N, C, L] --Unsqueeze(axis 2)--> [N, C, 1, L]   (once per distinct x)
//   w [O, I, k] --reshaped initializer--> [O, I, 1, k]
//   kernel_shape [k] → [1, k]; strides [s] → [1, s]; dilations [d] → [1, d]; pads [b, e] → [0, b, 0, e]
//   y [N, O, 1, L'] --Squeeze(axis 2)--> [N, O, L']    (under the original output name)
// The same derivation also exposes the per-token durations the graph already computes (the
// Round → Clip feeding the alignment CumSum; `/encoder/Clip_output_0` in this export) as a
// second output named `durations`, found by structure so another export's names do not matter.
// The derivation is deterministic (same source bytes, same library → same bytes), so its sha256
// is recorded in models/manifest.json per source model (`derived`) and checked after each
// derivation; a mismatch, a graph without the structure, or any other failure leaves the engine
// on the original graph with the reason shown in doctor, the dashboard and the benchmark.

import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';
import { defaultCacheDir } from '../assets/cache.ts';
import { loadManifest, type Manifest } from '../assets/manifest.ts';
import type { GraphState } from '../protocol/messages.ts';

const { onnx } = onnxProto;
type Int = number | { toNumber(): number };

// What this file reads of decoded messages. protobufjs decodes into instances of the generated
// classes, whose repeated fields are always arrays and strings always set; the generated types
// say optional everywhere, so the graph is viewed through these.
interface AttributeView {
  name: string;
  ints: Int[];
}
interface NodeView {
  name: string;
  opType: string;
  domain: string;
  input: string[];
  output: string[];
  attribute: AttributeView[];
}
interface TensorView {
  name: string;
  dims: Int[];
}
interface ValueInfoView {
  name: string;
  type?: unknown;
}
interface GraphView {
  node: NodeView[];
  initializer: TensorView[];
  input: ValueInfoView[];
  output: ValueInfoView[];
  valueInfo: ValueInfoView[];
}
type NodeProto = NodeView;
type TensorProto = TensorView;
type GraphProto = GraphView;
const asNode = (node: unknown): NodeView => node as NodeView;
const asTensor = (tensor: unknown): TensorView => tensor as TensorView;

/** Name of the per-token duration output the derived graph adds. */
export const DURATIONS_OUTPUT = 'durations';

/** Version of the derivation recipe; a new recipe gives new bytes and needs a new manifest hash. */
export const DERIVE_RECIPE = 1;

/** Metadata key the derived graph carries, naming the recipe. */
export const DERIVED_METADATA_KEY = 'kokoro_bar.derived';

/** The axis inserted by the lift (height, between channels and length). */
const LIFT_AXIS = 2;

/** From this default-domain opset on, Unsqueeze and Squeeze take `axes` as an input, before as an attribute. */
const AXES_AS_INPUT_OPSET = 13;

/** Ops that may sit between the durations Clip and the CumSum (casts, indexing, reshapes). */
const DURATION_PATH_OPS = new Set(['Cast', 'Gather', 'Squeeze', 'Unsqueeze', 'Reshape', 'Identity', 'Flatten', 'Expand']);

/** How far upstream of a CumSum the durations Clip is looked for. */
const DURATION_SEARCH_DEPTH = 6;

/** What the derivation did. */
export interface DerivedGraph {
  bytes: Uint8Array;
  /** 1-D ConvInteger nodes lifted to 2-D. */
  lifted: number;
  /** Unsqueeze nodes added (one per distinct quantized input). */
  unsqueezed: number;
  /** The tensor exposed as `durations`. */
  durationsFrom: string;
}

/** A derivation that cannot be done; `message` says why, in words for doctor and the dashboard. */
export class GraphDeriveError extends Error {}

/**
 * Derives the graph of [Note: Derived graph] from the bytes of an ONNX model; throws
 * GraphDeriveError naming what is missing or wrong.
 */
export function deriveGraph(source: Uint8Array): DerivedGraph {
  let model;
  try {
    model = onnx.ModelProto.decode(source);
  } catch (error) {
    throw new GraphDeriveError(
      `the model file is not a readable ONNX protobuf (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  // Decoded messages are instances of their classes (arrays present, defaults filled in).
  const graph = model.graph as unknown as GraphView | null | undefined;
  if (!graph || graph.node.length === 0) throw new GraphDeriveError('the model file has no graph');
  const opset = model.opsetImport.find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
  if (!opset) throw new GraphDeriveError('the model declares no default-domain opset');
  const axesAsInput = toNumber(opset.version) >= AXES_AS_INPUT_OPSET;

  const names = new NameSource(graph);
  const durationsFrom = findDurations(graph);
  if (names.taken(DURATIONS_OUTPUT)) throw new GraphDeriveError(`the graph already has a tensor named "${DURATIONS_OUTPUT}"`);

  const initializers = new Map(graph.initializer.map((t) => [t.name, t]));
  const uses = new Map<string, number>();
  for (const node of graph.node) for (const input of node.input) uses.set(input, (uses.get(input) ?? 0) + 1);

  // The shared axes tensor of every added Unsqueeze/Squeeze (opset ≥ 13 only).
  let axesName: string | undefined;
  const axesInput = (): string[] => {
    if (!axesAsInput) return [];
    if (axesName === undefined) {
      axesName = names.fresh('kokoro_bar/lift2d_axes');
      const raw = new Uint8Array(8);
      new DataView(raw.buffer).setBigInt64(0, BigInt(LIFT_AXIS), true);
      graph.initializer.push(
        asTensor(onnx.TensorProto.create({ name: axesName, dataType: onnx.TensorProto.DataType.INT64, dims: [1], rawData: raw })),
      );
    }
    return [axesName];
  };
  const axesAttribute = () =>
    axesAsInput ? [] : [onnx.AttributeProto.create({ name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [LIFT_AXIS] })];

  const out: NodeProto[] = [];
  const unsqueezedOf = new Map<string, string>();
  let lifted = 0;
  const unsqueeze = (tensor: string, at: string): string => {
    const existing = unsqueezedOf.get(tensor);
    if (existing !== undefined) return existing;
    const name = names.fresh(`${tensor}_lift2d`);
    out.push(
      asNode(
        onnx.NodeProto.create({
          name: names.fresh(`${at}/Unsqueeze_lift2d`),
          opType: 'Unsqueeze',
          input: [tensor, ...axesInput()],
          output: [name],
          attribute: axesAttribute(),
        }),
      ),
    );
    unsqueezedOf.set(tensor, name);
    return name;
  };

  for (const node of graph.node) {
    const isDefaultDomain = (node.domain ?? '') === '' || node.domain === 'ai.onnx';
    const weight = node.input[1] === undefined ? undefined : initializers.get(node.input[1]);
    const kernel = node.attribute.find((a) => a.name === 'kernel_shape');
    const oneD = weight ? weight.dims.length === 3 : kernel !== undefined && kernel.ints.length === 1;
    if (node.opType !== 'ConvInteger' || !isDefaultDomain || !oneD || node.input.length < 2 || node.output.length !== 1) {
      out.push(node);
      continue;
    }
    const [x, w, ...zeroPoints] = node.input as [string, string, ...string[]];
    const y = node.output[0] as string;
    const x2d = unsqueeze(x, node.name);
    let w2d: string;
    if (weight) {
      // A weight used by this node alone is reshaped in place; a shared one gets a 4-D copy.
      const target = (uses.get(w) ?? 0) === 1 ? weight : cloneInitializer(graph, weight, names.fresh(`${w}_lift2d`));
      const [o, i, k] = weight.dims.map(toNumber) as [number, number, number];
      target.dims = [o, i, 1, k];
      w2d = target.name;
    } else {
      w2d = unsqueeze(w, node.name);
    }
    const y2d = names.fresh(`${y}_lift2d`);
    node.input = [x2d, w2d, ...zeroPoints];
    node.output = [y2d];
    for (const attribute of node.attribute) liftAttribute(attribute);
    out.push(node);
    out.push(
      asNode(
        onnx.NodeProto.create({
          name: names.fresh(`${node.name}/Squeeze_lift2d`),
          opType: 'Squeeze',
          input: [y2d, ...axesInput()],
          output: [y],
          attribute: axesAttribute(),
        }),
      ),
    );
    lifted += 1;
  }

  // The durations, under their own name, as a second output (an Identity keeps the tensor's
  // original name intact for the nodes that read it).
  out.push(
    asNode(
      onnx.NodeProto.create({
        name: names.fresh('kokoro_bar/durations'),
        opType: 'Identity',
        input: [durationsFrom],
        output: [DURATIONS_OUTPUT],
      }),
    ),
  );
  const known = graph.valueInfo.find((v) => v.name === durationsFrom)?.type as OnnxTypes.ITypeProto | undefined;
  graph.output.push(
    onnx.ValueInfoProto.create({
      name: DURATIONS_OUTPUT,
      type: known ?? {
        tensorType: {
          elemType: onnx.TensorProto.DataType.FLOAT,
          shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'tokens' }] },
        },
      },
    }),
  );
  graph.node = out;
  model.metadataProps.push(
    onnx.StringStringEntryProto.create({
      key: DERIVED_METADATA_KEY,
      value: `recipe ${DERIVE_RECIPE}: 1-D ConvInteger lifted to 2-D; durations output`,
    }),
  );
  return { bytes: onnx.ModelProto.encode(model).finish(), lifted, unsqueezed: unsqueezedOf.size, durationsFrom };
}

/** 1-D conv attributes as their height-1 2-D equivalents. */
function liftAttribute(attribute: AttributeView): void {
  const ints = attribute.ints.map(toNumber);
  switch (attribute.name) {
    case 'kernel_shape':
    case 'strides':
    case 'dilations':
      if (ints.length === 1) attribute.ints = [1, ints[0] as number];
      break;
    case 'pads':
      if (ints.length === 2) attribute.ints = [0, ints[0] as number, 0, ints[1] as number];
      break;
    default:
      break;
  }
}

function cloneInitializer(graph: GraphProto, weight: TensorProto, name: string): TensorProto {
  const copy = asTensor(onnx.TensorProto.decode(onnx.TensorProto.encode(weight as OnnxTypes.ITensorProto).finish()));
  copy.name = name;
  graph.initializer.push(copy);
  return copy;
}

/**
 * The tensor holding the per-token durations: the output of a Clip of a Round that feeds (through
 * casts, gathers and reshapes only) the first input of a CumSum. Exactly one must exist.
 */
export function findDurations(graph: GraphProto): string {
  const producer = new Map<string, NodeProto>();
  for (const node of graph.node) for (const output of node.output) producer.set(output, node);
  const found = new Set<string>();
  for (const cumsum of graph.node.filter((n) => n.opType === 'CumSum')) {
    const queue: { tensor: string; depth: number }[] = [{ tensor: cumsum.input[0] ?? '', depth: 0 }];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const { tensor, depth } = queue.shift() as { tensor: string; depth: number };
      const node = producer.get(tensor);
      if (!node || seen.has(tensor)) continue;
      seen.add(tensor);
      if (node.opType === 'Clip' && producer.get(node.input[0] ?? '')?.opType === 'Round') {
        found.add(tensor);
      } else if (DURATION_PATH_OPS.has(node.opType) && depth < DURATION_SEARCH_DEPTH) {
        // Only the data input: indices, shapes and axes are not the durations.
        queue.push({ tensor: node.input[0] ?? '', depth: depth + 1 });
      }
    }
  }
  const [first, ...others] = [...found];
  if (first === undefined) {
    throw new GraphDeriveError(
      'the graph has no per-token durations (no Round → Clip feeding a CumSum); it is not the Kokoro export this app knows',
    );
  }
  if (others.length > 0) throw new GraphDeriveError(`the graph has several candidate duration tensors (${[first, ...others].join(', ')})`);
  return first;
}

/** Fresh, deterministic tensor and node names that collide with nothing in the graph. */
class NameSource {
  readonly #taken = new Set<string>();
  constructor(graph: GraphProto) {
    for (const node of graph.node) {
      this.#taken.add(node.name);
      for (const name of [...node.input, ...node.output]) this.#taken.add(name);
    }
    for (const v of [...graph.input, ...graph.output, ...graph.valueInfo]) this.#taken.add(v.name);
    for (const t of graph.initializer) this.#taken.add(t.name);
  }
  taken(name: string): boolean {
    return this.#taken.has(name);
  }
  fresh(base: string): string {
    let name = base;
    for (let n = 1; this.#taken.has(name); n++) name = `${base}_${n}`;
    this.#taken.add(name);
    return name;
  }
}

function toNumber(value: Int | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

// ---------------------------------------------------------------------------------------------
// The cached derived file
//
// [Note: Derived graph cache]
// The derived file lives beside its source model in the cache directory, under the manifest's
// `derived.path` (in the user's cache directory instead when the model's folder is read-only), with a small stamp (`<file>.verified.json`: size, mtime, sha256) written once its
// bytes matched the manifest's `derived.sha256`. A start then only `stat`s it (as the fetcher's
// stamps do, see [Note: Verified stamps] in assets/cache.ts); a missing, changed or unstamped file
// is derived again from the source, written under a temporary name and renamed, so a concurrent
// start never reads half a file. Only models whose manifest entry has `derived` are derived: the
// fp16/fp32 variants have none, because the lift is unmeasured there.

/** Which graph to run: the derived one when it can be had (default), or the original. */
export type GraphPreference = 'derived' | 'original';

/** Where the derived graph of a source model is expected, and its recorded hash. */
export interface DerivedEntry {
  path: string;
  size: number;
  sha256: string;
}

/** The graph a session should load, and why it is that one. */
export interface GraphResolution {
  /** The file to load. */
  modelPath: string;
  state: GraphState;
}

type DerivedStamp = { size: number; mtimeMs: number; sha256: string; recipe: number };

/** Suffix of the stamp written beside a verified derived file. */
const STAMP_SUFFIX = '.verified.json';

/** The manifest's derived entry for the source model at `modelPath` (matched by file name, then by size). */
export async function derivedEntryFor(modelPath: string, manifest: Manifest = loadManifest()): Promise<DerivedEntry | undefined> {
  const models = Object.values(manifest.models);
  let entry = models.find((m) => path.posix.basename(m.path) === path.basename(modelPath));
  if (!entry) {
    // A copy under another name (a development checkout): the derived hash still proves the bytes.
    const size = (await fsp.stat(modelPath).catch(() => undefined))?.size;
    entry = models.find((m) => m.size === size && m.derived !== undefined);
  }
  const derived = entry?.derived;
  if (!derived) return undefined;
  return { path: path.join(path.dirname(modelPath), path.posix.basename(derived.path)), size: derived.size, sha256: derived.sha256 };
}

/** Options of resolveGraph. */
export interface ResolveOptions {
  preference?: GraphPreference;
  /** The expected derived file (default: from the manifest); null = none recorded. */
  entry?: DerivedEntry | null;
  /** Where the derived file goes when the model's folder is not writable (default: the user's cache; null = nowhere). */
  fallbackDir?: string | null;
}

/**
 * The graph to load for the source model at `modelPath`: the cached derived graph, derived now
 * if needed (see [Note: Derived graph cache]), or the original with the reason. Never throws.
 */
export async function resolveGraph(modelPath: string, opts: ResolveOptions = {}): Promise<GraphResolution> {
  const original = (reason: string | undefined): GraphResolution => ({
    modelPath,
    state: reason === undefined ? { kind: 'original' } : { kind: 'original', reason },
  });
  if ((opts.preference ?? 'derived') === 'original') return original(undefined);
  let entry: DerivedEntry | undefined;
  try {
    entry = opts.entry === undefined ? await derivedEntryFor(modelPath) : (opts.entry ?? undefined);
  } catch (error) {
    return original(`the derived graph could not be looked up: ${messageOf(error)}`);
  }
  if (!entry)
    return original(`no derived graph is recorded for ${path.basename(modelPath)} (the 2-D lift is applied to the int8 model only)`);
  // Beside the model, or in the user's cache when the model's folder is read-only (an app bundle).
  const fallbackDir = opts.fallbackDir === undefined ? defaultCacheDir() : opts.fallbackDir;
  const places = [
    entry,
    ...(fallbackDir !== null && path.resolve(fallbackDir) !== path.dirname(path.resolve(entry.path))
      ? [{ ...entry, path: path.join(fallbackDir, path.basename(entry.path)) }]
      : []),
  ];
  for (const place of places) {
    if (await isVerified(place)) return { modelPath: place.path, state: { kind: 'derived', fromCache: true } };
  }
  try {
    const started = performance.now();
    const source = await fsp.readFile(modelPath);
    const derived = deriveGraph(source);
    const sha256 = createHash('sha256').update(derived.bytes).digest('hex');
    if (derived.bytes.length !== entry.size || sha256 !== entry.sha256) {
      return original(
        `the derived graph is not the recorded one (sha256 ${sha256.slice(0, 12)}…, ${derived.bytes.length} bytes; expected ${entry.sha256.slice(0, 12)}…, ${entry.size} bytes): the source model or the onnx-proto library differs`,
      );
    }
    let written: string | undefined;
    let lastError: unknown;
    for (const place of places) {
      try {
        await fsp.mkdir(path.dirname(place.path), { recursive: true });
        await writeAtomically(place.path, derived.bytes);
        const stat = await fsp.stat(place.path);
        const stamp: DerivedStamp = { size: stat.size, mtimeMs: stat.mtimeMs, sha256, recipe: DERIVE_RECIPE };
        await writeAtomically(`${place.path}${STAMP_SUFFIX}`, new TextEncoder().encode(`${JSON.stringify(stamp)}\n`));
        written = place.path;
        break;
      } catch (error) {
        lastError = error; // Not writable here: the next place.
      }
    }
    if (written === undefined) throw lastError;
    return { modelPath: written, state: { kind: 'derived', fromCache: false, deriveMs: performance.now() - started } };
  } catch (error) {
    const reason = error instanceof GraphDeriveError ? error.message : `the derived graph could not be made: ${messageOf(error)}`;
    return original(reason);
  }
}

async function isVerified(entry: DerivedEntry): Promise<boolean> {
  try {
    const [stat, raw] = await Promise.all([fsp.stat(entry.path), fsp.readFile(`${entry.path}${STAMP_SUFFIX}`, 'utf8')]);
    const stamp = JSON.parse(raw) as Partial<DerivedStamp>;
    return (
      stat.size === entry.size &&
      stamp.size === stat.size &&
      stamp.mtimeMs === stat.mtimeMs &&
      stamp.sha256 === entry.sha256 &&
      stamp.recipe === DERIVE_RECIPE
    );
  } catch {
    return false; // Missing or unreadable: derived again.
  }
}

async function writeAtomically(target: string, bytes: Uint8Array): Promise<void> {
  const temp = `${target}.${process.pid}.${threadId}.tmp`;
  try {
    await fsp.writeFile(temp, bytes);
    await fsp.rename(temp, target);
  } catch (error) {
    await fsp.rm(temp, { force: true });
    throw error;
  }
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? message).trim();
}
