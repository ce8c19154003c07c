// Runs in Node (tests): puts the renderer's zustand stores back to their initial state, so tests
// that share a process (and so the module-level stores) do not depend on each other's order.

import { useReadiness } from '../../../src-renderer/first-run/readiness-store.ts';
import { useStore } from '../../../src-renderer/store/store.ts';

/** Replaces the app store and the readiness store with their initial states (actions included). */
export function resetStores(): void {
  useStore.setState(useStore.getInitialState(), true);
  useReadiness.setState(useReadiness.getInitialState(), true);
}
