// Runs nowhere (types only): Vite's import forms used by the renderer.

declare module '*?worker&url' {
  const url: string;
  export default url;
}

declare module '*.css';
