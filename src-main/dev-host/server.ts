// Runs in the browser dev host (plain Node, no Electron): serves the built renderer on
// 127.0.0.1, runs the real engine in a worker thread, and bridges the KokoroBridge over one
// WebSocket per page (see [Note: One bridge] in protocol/messages.ts).
//
// [Note: Dev host stands in for main and preload]
// In the app, main owns settings, the clipboard and hotkey commands, and the
// preload hands the page a MessagePort to the worker. Here one Node process does all of that:
// - worker: the plain-Node worker entry (src-worker/serve/entry-node.ts) in a worker thread, so
//   synthesis never blocks this process's event loop, kept alive by main's supervisor with the
//   same restart policy (see [Note: Supervising the worker]). Each page gets its own channel to
//   it, exactly as each Electron window gets its own port. If the worker dies, pages hear
//   'down', the worker is restarted with backoff and every page is reconnected and hears 'up'.
// - settings: src-main/settings/settings.ts, the same module main uses, on a folder of our own (a temp
//   folder unless --data-dir is given); patches are validated by its `applyPatch`.
// - clipboard: the dev host cannot read the desktop's clipboard portably, so it holds a text of
//   its own: the --clipboard option, else a sample sentence; `POST /__test/clipboard` replaces it
//   (tests only, see below).
// - bench history: none here; the page asks the worker (`bench-history`), which keeps the store.
// - commands: `POST /__test/command` with an AppCommand as JSON sends it to every page, standing
//   in for global hotkeys and the tray menu (tests only, see below).
// - notices: what main would show in the popover (a settings file that had to be reset, a voice
//   in the settings that is not installed) goes to the first page as a `notice` command, once
//   that page has asked for its settings (so its command listener is in place).
// It listens on 127.0.0.1 only, answers only to loopback Host names and origins, and serves the
// test endpoints only when started for tests and given that run's token (see [Note: The dev host
// trusts only itself] in guards.ts), so a web page elsewhere cannot drive the engine.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import { WebSocketServer, type WebSocket } from 'ws';
import { isWorkerEvent, type AppCommand, type PlatformInfo, type Settings } from '../../src-worker/protocol/messages.ts';
import { WORKER_ENV } from '../../src-worker/protocol/worker-env.ts';
import { applyPatch, fallBackToKnownVoice, loadSettings, writeSettings, type LoadResult } from '../settings/settings.ts';
import {
  TEST_TOKEN_HEADER,
  WS_MAX_PAYLOAD_BYTES,
  allowedHosts,
  isAllowedHost,
  isAllowedOrigin,
  isValidTestToken,
  newTestToken,
  parseClientFrame,
  parseTestCommand,
} from './guards.ts';
import { BRIDGE_PATH, encodeChunk, type ServerFrame } from '../../src-worker/protocol/wire.ts';
import { createSupervisor } from '../worker/supervisor.ts';
import { spawnWorkerThread, type ThreadWorker } from '../worker/worker-thread.ts';

/** Where the dev host listens unless told otherwise. */
export const DEFAULT_HOST = '127.0.0.1';
/** Where the test endpoints live. */
const TEST_PATH_PREFIX = '/__test/';
/** Largest request body accepted on the test endpoints. */
const MAX_BODY_BYTES = 1_000_000;
/** Longest a page's first notices wait for the voice check (the engine may be slow to start). */
const VOICE_CHECK_WAIT_MS = 15_000;
/** The worker entry the dev host runs (see [Note: Dev host stands in for main and preload]). */
const WORKER_ENTRY = new URL('../../src-worker/serve/entry-node.ts', import.meta.url);

/** The clipboard text a fresh dev host offers. */
export const SAMPLE_CLIPBOARD = 'Kokoro Bar reads text aloud on your own machine. Copy something, press the hotkey, and listen.';

/** How to start a dev host. */
export interface DevHostOptions {
  /** Folder holding the built renderer (index.html). */
  rendererDir: string;
  /** Folder for the settings. */
  dataDir: string;
  port?: number;
  host?: string;
  clipboard?: string;
  /** Serve `POST /__test/*` behind a fresh random token (see [Note: The dev host trusts only itself]). */
  testEndpoints?: boolean;
  /**
   * The settings of `dataDir` as the caller loaded them, notices included; loaded here when
   * absent. A second load would lose the notices: the first one has already moved a corrupt
   * file aside or rewritten a repaired one.
   */
  settings?: LoadResult;
}

/** A running dev host. */
export interface DevHost {
  url: string;
  port: number;
  /** The token `POST /__test/*` needs in the x-kokoro-test-token header; null when they are off. */
  testToken: string | null;
  /** Replaces the clipboard text the page reads. */
  setClipboard(text: string): void;
  /** Sends an app command to every connected page. */
  sendCommand(command: AppCommand): void;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** One page's link: its socket and its own port to the worker. */
interface Client {
  socket: WebSocket;
  port: MessagePort | undefined;
}

/** The dev host's own client of the worker, as main is one in the app (it checks the voices). */
const HOST_CLIENT = 'dev-host';

/** Starts the dev host; resolves once it is listening. */
export async function startDevHost(options: DevHostOptions): Promise<DevHost> {
  const host = options.host ?? DEFAULT_HOST;
  const rendererDir = path.resolve(options.rendererDir);
  const dataDir = path.resolve(options.dataDir);
  await fs.mkdir(dataDir, { recursive: true });
  const loaded = options.settings ?? (await loadSettings(dataDir));
  let settings: Settings = loaded.settings;
  let clipboard = options.clipboard ?? SAMPLE_CLIPBOARD;
  const testToken = options.testEndpoints === true ? newTestToken() : null;
  // Set once listening; no request arrives before.
  let hosts = new Set<string>();
  const clients = new Set<Client>();
  // Notices for the user, held until a page can show them (see `deliverNotices`).
  const notices: string[] = [...loaded.notices];
  // The installed voices once the worker has listed them; until then any well-formed id is taken.
  let knownVoices: ReadonlySet<string> | undefined;
  const readyClients = new Set<Client>();
  // Settled once the worker's voices have been checked against the settings (or could not be),
  // so that a page gets the load notices and a voice fallback as one notice, not one over the other.
  let voicesChecked: () => void = () => undefined;
  const voiceCheck = new Promise<void>((resolve) => (voicesChecked = resolve));
  let closing = false;
  const platform: PlatformInfo = {
    os: 'browser',
    arch: process.arch,
    shell: 'browser',
    appVersion: await packageVersion(),
  };

  // --- the worker ------------------------------------------------------------------------------
  // Every thread not yet ended, the one being replaced included: closing waits for them all.
  const threads = new Set<ThreadWorker>();
  const supervisor = createSupervisor<ThreadWorker, Client | typeof HOST_CLIENT>({
    spawn: () => {
      const worker = spawnWorkerThread({
        entry: WORKER_ENTRY,
        // The engine loads the settings' model variant, as the app's worker does (WORKER_ENV).
        env: { ...process.env, [WORKER_ENV.modelVariant]: settings.modelVariant },
      });
      threads.add(worker);
      void worker.ended.then(() => threads.delete(worker));
      return worker;
    },
    connect: (worker, client) => {
      if (client === HOST_CLIENT) checkVoices(worker.openChannel());
      else connectPage(client, worker.openChannel());
    },
    workerDown: (client, reason) => {
      if (client === HOST_CLIENT) {
        hostPort?.close();
        if (!closing) console.error(`[dev-host] worker down (${reason}); restarting`);
        return;
      }
      client.port?.close();
      client.port = undefined;
      sendFrame(client.socket, { t: 'worker', state: 'down' });
    },
    notify: (message) => {
      console.error(`[dev-host] ${message}`);
      notices.push(message);
      deliverNotices();
    },
    setTimer: (callback, ms) => {
      const timer = setTimeout(callback, ms);
      return () => clearTimeout(timer);
    },
    now: () => Date.now(),
  });

  // The host's own port to the worker, as main has one: it learns the installed voices and puts
  // a settings voice that is not among them back to the default, with a notice.
  let hostPort: MessagePort | undefined;
  const checkVoices = (port: MessagePort) => {
    hostPort?.close();
    hostPort = port;
    port.on('message', (raw: unknown) => {
      if (!isWorkerEvent(raw)) return;
      if (raw.type === 'hello') port.postMessage({ type: 'list-voices', id: 'dev-host-voices' });
      else if (raw.type === 'voices') {
        void onVoices(raw.voices.map((voice) => voice.id)).finally(() => {
          voicesChecked();
          port.close();
        });
      } else if (raw.type === 'error') {
        // No voices to check (e.g. none installed): the request that needs them says why.
        voicesChecked();
        port.close();
      }
    });
  };

  const onVoices = async (known: string[]) => {
    knownVoices = new Set(known);
    const fallback = fallBackToKnownVoice(settings, knownVoices);
    if (fallback === null) return;
    settings = fallback.settings;
    await writeSettings(dataDir, settings).catch((error: unknown) => {
      console.error(`[dev-host] could not save settings: ${(error as Error).message}`);
    });
    broadcast({ t: 'command', command: { type: 'settings-changed', settings } });
    notices.push(fallback.notice);
    deliverNotices();
  };

  // Every page that has asked for its settings gets the notices; with none yet, they wait for one.
  const deliverNotices = () => {
    if (notices.length === 0 || readyClients.size === 0) return;
    const message = notices.splice(0).join(' ');
    for (const client of readyClients) {
      sendFrame(client.socket, { t: 'command', command: { type: 'notice', level: 'warning', message } });
    }
  };

  const connectPage = (client: Client, port: MessagePort) => {
    client.port = port;
    port.on('message', (raw: unknown) => {
      if (!isWorkerEvent(raw)) return;
      if (raw.type === 'chunk') {
        client.socket.send(encodeChunk(raw));
        return;
      }
      if (raw.type === 'hello') sendFrame(client.socket, { t: 'worker', state: 'up' });
      sendFrame(client.socket, { t: 'event', event: raw });
    });
  };

  // --- bridge calls ----------------------------------------------------------------------------
  const call = async (method: string, arg: unknown): Promise<unknown> => {
    switch (method) {
      case 'getSettings':
        return settings;
      case 'updateSettings': {
        const result = applyPatch(settings, arg, knownVoices);
        if (result.ok) {
          await writeSettings(dataDir, result.settings);
          const variantChanged = result.settings.modelVariant !== settings.modelVariant;
          settings = result.settings;
          // As main does: the worker reads the variant at start, so a new one gets a new worker
          // (pages hear 'down', then 'up', and ask for readiness again).
          if (variantChanged) supervisor.restart(`switching to the ${settings.modelVariant} model`);
        }
        return result;
      }
      case 'readClipboard':
        return clipboard;
      default:
        throw new Error(`Unknown bridge method "${method}"`);
    }
  };

  // --- HTTP ------------------------------------------------------------------------------------
  const server = createServer((request, response) => {
    handleHttp(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`Dev host error: ${(error as Error).message}\n`);
    });
  });

  const handleHttp = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!isAllowedHost(request.headers.host, hosts)) {
      refuse(response, 403, `Host "${request.headers.host ?? ''}" is not this dev host; open http://${host}:${port}/`);
      return;
    }
    if (url.pathname.startsWith(TEST_PATH_PREFIX)) {
      await handleTest(request, response, url.pathname);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { 'content-type': 'text/plain' }).end('Only GET is served here\n');
      return;
    }
    const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = path.resolve(rendererDir, `.${relative}`);
    if (!file.startsWith(rendererDir + path.sep)) {
      response.writeHead(403, { 'content-type': 'text/plain' }).end('Outside the renderer folder\n');
      return;
    }
    let body: Buffer;
    try {
      body = await fs.readFile(file);
    } catch {
      const hint =
        relative === '/index.html'
          ? `No built renderer in ${rendererDir}: run \`npm run build:renderer\` first.\n`
          : `Not found: ${relative}\n`;
      response.writeHead(404, { 'content-type': 'text/plain' }).end(hint);
      return;
    }
    response.writeHead(200, {
      'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  };

  // The test endpoints (see [Note: The dev host trusts only itself]): off unless started for
  // tests, then only with the token, from no origin or our own, with a valid body.
  const handleTest = async (request: IncomingMessage, response: ServerResponse, pathname: string) => {
    if (testToken === null) {
      refuse(response, 404, 'The test endpoints are off; start the dev host with --test-endpoints to use them');
      return;
    }
    if (!isValidTestToken(request.headers[TEST_TOKEN_HEADER], testToken)) {
      refuse(response, 403, `The test endpoints need this run's token in the ${TEST_TOKEN_HEADER} header`);
      return;
    }
    if (!isAllowedOrigin(request.headers.origin, hosts)) {
      refuse(response, 403, `Origin "${request.headers.origin ?? ''}" may not use the test endpoints`);
      return;
    }
    if (request.method !== 'POST') {
      refuse(response, 405, 'The test endpoints take POST');
      return;
    }
    const body = await readBody(request);
    if (body === null) {
      // Answered, not reset: a test that sends too much should hear why.
      response.setHeader('connection', 'close');
      refuse(response, 413, `The request body is over ${MAX_BODY_BYTES} bytes; send less text`);
      return;
    }
    if (pathname === '/__test/clipboard') {
      clipboard = body;
      response.writeHead(204).end();
      return;
    }
    if (pathname === '/__test/command') {
      const parsed = parseTestCommand(body);
      if (!parsed.ok) {
        refuse(response, 400, parsed.message);
        return;
      }
      broadcast({ t: 'command', command: parsed.value });
      response.writeHead(204).end();
      return;
    }
    refuse(response, 404, `No test endpoint ${pathname}; there are /__test/clipboard and /__test/command`);
  };

  // --- WebSocket -------------------------------------------------------------------------------
  const sockets = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD_BYTES });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const allowed = isAllowedHost(request.headers.host, hosts) && isAllowedOrigin(request.headers.origin, hosts);
    if (url.pathname !== BRIDGE_PATH || !allowed) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => accept(ws));
  });

  const accept = (socket: WebSocket) => {
    const client: Client = { socket, port: undefined };
    clients.add(client);
    sendFrame(socket, { t: 'hello', platform });
    supervisor.addClient(client);
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = parseClientFrame(String(data));
      if (frame === null) return;
      if (frame.t === 'req') {
        // Checked by the worker's host (parseRequest), which answers malformed ones itself.
        client.port?.postMessage(frame.request);
      } else {
        call(frame.method, frame.arg).then(
          (value) => {
            sendFrame(socket, { t: 'reply', n: frame.n, ok: true, value });
            // Its first getSettings means the page's store is listening for commands.
            if (frame.method === 'getSettings' && !readyClients.has(client)) {
              const wait = new Promise<void>((resolve) => setTimeout(resolve, VOICE_CHECK_WAIT_MS).unref());
              void Promise.race([voiceCheck, wait]).then(() => {
                if (!clients.has(client)) return;
                readyClients.add(client);
                deliverNotices();
              });
            }
          },
          (error: unknown) => sendFrame(socket, { t: 'reply', n: frame.n, ok: false, message: (error as Error).message }),
        );
      }
    });
    // A frame over maxPayload (or any protocol error) fails this socket only: ws then closes it
    // (1009), and without a listener the error would take the whole dev host down.
    socket.on('error', (error: Error) => console.error(`[dev-host] page connection closed: ${error.message}`));
    socket.on('close', () => {
      clients.delete(client);
      readyClients.delete(client);
      supervisor.removeClient(client);
      if (client.port) {
        // Stop whatever this page had in flight, then let the port go.
        client.port.postMessage({ type: 'stop', id: 'dev-host-disconnect' });
        client.port.close();
      }
    });
  };

  const broadcast = (frame: ServerFrame) => {
    for (const client of clients) sendFrame(client.socket, frame);
  };

  supervisor.addClient(HOST_CLIENT);
  supervisor.start();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  hosts = allowedHosts(port, host);

  return {
    url: `http://${host}:${port}/`,
    port,
    testToken,
    setClipboard: (text) => {
      clipboard = text;
    },
    sendCommand: (command) => broadcast({ t: 'command', command }),
    close: async () => {
      if (closing) return;
      closing = true;
      for (const client of clients) client.socket.terminate();
      hostPort?.close();
      sockets.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Each thread finishes its run in flight and ends (see [Note: Ending a worker thread]).
      const ending = [...threads].map((worker) => worker.ended);
      supervisor.stop();
      await Promise.all(ending);
    },
  };
}

function refuse(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
}

function sendFrame(socket: WebSocket, frame: ServerFrame): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
}

/**
 * The request's body as text, or null when it is over MAX_BODY_BYTES. A declared length over the
 * limit is refused before reading; otherwise the rest is read and dropped (not kept), so that
 * the caller can still answer 413 on a connection that was not reset under the client.
 */
function readBody(request: IncomingMessage): Promise<string | null> {
  if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
    request.resume();
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    let size = 0;
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => {
      size += part.length;
      if (size <= MAX_BODY_BYTES) parts.push(part);
      else parts.length = 0;
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(parts).toString('utf8')));
    request.on('error', reject);
  });
}

async function packageVersion(): Promise<string> {
  try {
    const file = new URL('../../package.json', import.meta.url);
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as { version?: unknown };
    return typeof parsed.version === 'string' ? `${parsed.version} (dev host)` : 'dev';
  } catch {
    return 'dev';
  }
}
