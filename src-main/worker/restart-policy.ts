// Runs in the Electron main process (and tests, under plain Node): when to restart a crashed
// worker. Pure: the supervisor feeds it crash and start times and asks how long to wait.
//
// [Note: Restart with backoff]
// A worker that crashes once (a bad model file fixed later, an out-of-memory on a huge text)
// should be back at once; one that crashes at every start must not spin the CPU. So the wait
// doubles with each crash in a row, from RESTART_BASE_MS up to RESTART_MAX_MS, and a worker that
// stayed up for STABLE_UPTIME_MS counts as healthy: its next crash starts from the base again.
// The supervisor never gives up (the app must stay usable once the cause is fixed), but after
// NOTIFY_AFTER_CRASHES crashes in a row it tells the user.

/** First restart delay. */
export const RESTART_BASE_MS = 250;

/** Longest restart delay. */
export const RESTART_MAX_MS = 30_000;

/** Uptime after which a worker counts as healthy and the backoff resets. */
export const STABLE_UPTIME_MS = 60_000;

/** Crashes in a row after which the user is told the engine keeps failing. */
export const NOTIFY_AFTER_CRASHES = 3;

/** Tunables of the policy (tests shrink them). */
export interface RestartOptions {
  baseMs: number;
  maxMs: number;
  stableMs: number;
}

/** The production tunables. */
export const DEFAULT_RESTART_OPTIONS: RestartOptions = {
  baseMs: RESTART_BASE_MS,
  maxMs: RESTART_MAX_MS,
  stableMs: STABLE_UPTIME_MS,
};

/** The policy's memory: how many crashes in a row so far. */
export interface RestartState {
  consecutiveCrashes: number;
}

/** What to do after a crash. */
export interface RestartDecision {
  state: RestartState;
  delayMs: number;
  /** True when the user should hear that the engine keeps crashing. */
  notify: boolean;
}

/** The state before any crash. */
export function initialRestartState(): RestartState {
  return { consecutiveCrashes: 0 };
}

/**
 * Decides the wait before restarting a worker that ran for `uptimeMs` and then crashed
 * (see [Note: Restart with backoff]).
 */
export function onCrash(state: RestartState, uptimeMs: number, options: RestartOptions = DEFAULT_RESTART_OPTIONS): RestartDecision {
  const previous = uptimeMs >= options.stableMs ? 0 : state.consecutiveCrashes;
  const consecutiveCrashes = previous + 1;
  const delayMs = Math.min(options.maxMs, options.baseMs * 2 ** (consecutiveCrashes - 1));
  return {
    state: { consecutiveCrashes },
    delayMs,
    notify: consecutiveCrashes === NOTIFY_AFTER_CRASHES,
  };
}
