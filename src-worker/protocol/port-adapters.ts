// Runs wherever the protocol is served or spoken (worker entries, Electron main): adapters from
// each transport to the protocol's PortLike. Dependency-free on purpose, so that main can use the
// MessagePortMain adapter without bundling the engine.

import type { PortLike } from './messages.ts';

/** The parts of a worker_threads MessagePort the adapter uses (typed here: no node:* import). */
export interface NodePortLike {
  postMessage(message: unknown): void;
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

/** The parts of a Node process with an IPC channel the adapter uses. */
export interface ProcessLike {
  send?: ((message: unknown) => boolean) | undefined;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'disconnect', listener: () => void): unknown;
}

/** A worker_threads MessagePort as a PortLike (it takes transfer lists). */
export function fromNodePort(port: NodePortLike): PortLike {
  return {
    postMessage: (message, transfer) => (transfer ? port.postMessage(message, transfer) : port.postMessage(message)),
    onMessage(listener) {
      port.on('message', listener);
      return () => port.off('message', listener);
    },
    onClose(listener) {
      port.on('close', listener);
      return () => port.off('close', listener);
    },
  };
}

/**
 * A child process's IPC channel to its parent as a PortLike. The parent must fork with
 * `serialization: 'advanced'` so Float32Array PCM survives (JSON would turn it into an object);
 * IPC cannot transfer, so PCM is copied once.
 */
export function fromProcess(proc: ProcessLike): PortLike {
  if (!proc.send) throw new Error('fromProcess: this process has no IPC channel (start it with fork()).');
  const send = proc.send.bind(proc);
  return {
    postMessage: (message) => void send(message),
    onMessage(listener) {
      proc.on('message', listener);
      return () => proc.off('message', listener);
    },
    onClose(listener) {
      proc.on('disconnect', listener);
      return () => proc.off('disconnect', listener);
    },
  };
}

/** The parts of Electron's MessagePortMain the adapter uses (typed here: no electron import). */
export interface MessagePortMainLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
  off(event: 'message', listener: (event: { data: unknown }) => void): void;
  off(event: 'close', listener: () => void): void;
  start(): void;
}

/**
 * Electron's MessagePortMain (main process or utility process) as a PortLike. It takes no
 * transfer list, so PCM goes as a structured clone.
 */
export function fromMessagePortMain(port: MessagePortMainLike): PortLike {
  return {
    postMessage: (message) => port.postMessage(message),
    onMessage(listener) {
      const handler = (event: { data: unknown }): void => listener(event.data);
      port.on('message', handler);
      port.start();
      return () => port.off('message', handler);
    },
    onClose(listener) {
      port.on('close', listener);
      return () => port.off('close', listener);
    },
  };
}
