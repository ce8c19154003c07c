// Runs in the renderer (and Node tests): reads and writes the protocol's voice strings, one voice
// ("af_heart") or a blend of two ("af_heart:0.7,af_bella:0.3").

/** Share of the first voice in a new blend. */
export const DEFAULT_BLEND_WEIGHT = 0.7;
const PERCENT = 100;

/** A parsed voice setting: one voice, or two with the first one's weight. */
export interface VoiceMix {
  primary: string;
  secondary: string | null;
  weight: number;
}

/** Reads "af_heart" or "af_heart:0.7,af_bella:0.3" into a mix. */
export function parseVoice(voice: string): VoiceMix {
  const parts = voice.split(',').map((p) => p.trim().split(':'));
  const [first, second] = parts;
  const primary = first?.[0] ?? voice;
  if (!second || !second[0]) return { primary, secondary: null, weight: 1 };
  const a = Number(first?.[1] ?? 1);
  const b = Number(second[1] ?? 1);
  const weight = a + b > 0 ? a / (a + b) : DEFAULT_BLEND_WEIGHT;
  return { primary, secondary: second[0], weight };
}

/** Writes a mix back to the protocol's voice string. */
export function formatVoice(mix: VoiceMix): string {
  if (!mix.secondary || mix.weight >= 1) return mix.primary;
  const w = Math.round(mix.weight * PERCENT) / PERCENT;
  return `${mix.primary}:${w},${mix.secondary}:${Math.round((1 - w) * PERCENT) / PERCENT}`;
}
