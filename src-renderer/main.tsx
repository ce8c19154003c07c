// Runs in the renderer: the entry point. Finds the bridge (the Electron preload's, or one built
// over the dev host's WebSocket), connects the store to it and renders the app.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { KokoroBridge } from '../src-worker/protocol/messages.ts';
import { App } from './app.tsx';
import { connectWsBridge } from './bridge/ws-bridge.ts';
import { connectMediaSession, createMediaAnchor } from './media-session.ts';
import { probePlayer, start, updateSettings } from './store/actions.ts';
import { startReadiness, useReadiness } from './first-run/readiness-store.ts';
import { useStore } from './store/store.ts';
import workletUrl from './audio/player-worklet.ts?worker&url';
import './styles.css';

async function findBridge(): Promise<KokoroBridge> {
  if (window.kokoro) return window.kokoro;
  if (location.protocol === 'file:') {
    throw new Error('No bridge: this page must be opened by Kokoro Bar or its dev host.');
  }
  const bridge = await connectWsBridge();
  window.kokoro = bridge;
  return bridge;
}

// The store and a worklet probe on `window` for the devtools console and the end-to-end tests;
// they hold nothing the page could not already see.
Object.assign(window, { __kokoroStore: useStore, __kokoroProbe: probePlayer, __kokoroReadiness: useReadiness });

const root = createRoot(document.getElementById('root') as HTMLElement);
root.render(
  <StrictMode>
    <App />
  </StrictMode>,
);

if ('mediaSession' in navigator) {
  connectMediaSession(navigator.mediaSession, (info) => new MediaMetadata(info), createMediaAnchor());
}

findBridge()
  .then((bridge) => {
    startReadiness(bridge, updateSettings);
    return start(bridge, workletUrl);
  })
  .catch((error: unknown) => {
    useStore.setState((s) => ({
      ui: { ...s.ui, notice: { level: 'error', message: (error as Error).message } },
      metrics: { ...s.metrics, worker: 'down' },
    }));
  });
