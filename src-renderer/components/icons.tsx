// Runs in the renderer: the transport's glyphs as small inline SVGs drawn in currentColor, so
// they look the same in every font and follow light and dark.

const SIZE = 14;

function Glyph({ children }: { children: React.ReactNode }) {
  return (
    <svg className="glyph" width={SIZE} height={SIZE} viewBox="0 0 14 14" aria-hidden="true" focusable="false">
      {children}
    </svg>
  );
}

/** Previous sentence: a bar and a triangle pointing left. */
export const PreviousIcon = () => (
  <Glyph>
    <rect x="2" y="2.5" width="1.8" height="9" rx="0.6" fill="currentColor" />
    <path d="M12 2.8v8.4a.5.5 0 0 1-.78.42L5.1 7.42a.5.5 0 0 1 0-.84l6.12-4.2A.5.5 0 0 1 12 2.8z" fill="currentColor" />
  </Glyph>
);

/** Next sentence: a triangle pointing right and a bar. */
export const NextIcon = () => (
  <Glyph>
    <path d="M2 2.8v8.4a.5.5 0 0 0 .78.42l6.12-4.2a.5.5 0 0 0 0-.84L2.78 2.38A.5.5 0 0 0 2 2.8z" fill="currentColor" />
    <rect x="10.2" y="2.5" width="1.8" height="9" rx="0.6" fill="currentColor" />
  </Glyph>
);

/** Pause: two bars. */
export const PauseIcon = () => (
  <Glyph>
    <rect x="3" y="2.5" width="2.8" height="9" rx="0.8" fill="currentColor" />
    <rect x="8.2" y="2.5" width="2.8" height="9" rx="0.8" fill="currentColor" />
  </Glyph>
);

/** Play or resume: a triangle. */
export const PlayIcon = () => (
  <Glyph>
    <path d="M3.5 2.4v9.2a.6.6 0 0 0 .9.52l7.5-4.6a.6.6 0 0 0 0-1.04l-7.5-4.6a.6.6 0 0 0-.9.52z" fill="currentColor" />
  </Glyph>
);

/** Stop: a rounded square. */
export const StopIcon = () => (
  <Glyph>
    <rect x="3" y="3" width="8" height="8" rx="1.4" fill="currentColor" />
  </Glyph>
);

/** A small chevron for a pop-up button. */
export const ChevronIcon = () => (
  <svg className="chevron" width="9" height="9" viewBox="0 0 9 9" aria-hidden="true" focusable="false">
    <path d="M1.5 3.2 4.5 6.2 7.5 3.2" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" strokeLinejoin="round" />
  </svg>
);
