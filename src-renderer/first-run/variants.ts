// Runs in the renderer: which model variants Settings offers, from the worker's readiness (see
// [Note: Honest readiness] in src-worker/assets/readiness.ts): an option is enabled only when its files
// are installed or a source here can deliver them, and says how much it would download.

import type { ModelVariant, VariantOption } from '../../src-worker/protocol/messages.ts';
import { formatBytes } from './progress.ts';
import { useReadiness } from './readiness-store.ts';

const NO_VARIANTS: VariantOption[] = [];

/** The variants as the worker last reported them (empty until known). */
export function useVariantOptions(): VariantOption[] {
  return useReadiness((s) => s.engine?.variants ?? NO_VARIANTS);
}

/** True when `variant` may be chosen: the one in use, or one that can be had. */
export function variantOffered(options: readonly VariantOption[], variant: ModelVariant, current: ModelVariant): boolean {
  if (variant === current) return true;
  return options.find((o) => o.variant === variant)?.available ?? false;
}

/** "fp16 (download 205.7 MB)", "fp32 (not available here)", or the label as it is. */
export function variantLabel(label: string, option: VariantOption | undefined): string {
  if (!option || option.installed) return label;
  return option.available ? `${label} (download ${formatBytes(option.downloadBytes)})` : `${label} (not available here)`;
}

/** The line under the choice: why some are not offered, or how a new one is applied. */
export function variantHint(options: readonly VariantOption[]): string {
  const missing = options.find((o) => !o.available);
  const how = 'A new variant is downloaded with progress if needed, then used at once.';
  return missing?.reason ? `${how} ${missing.variant}: ${missing.reason}` : how;
}
