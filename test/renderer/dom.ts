// Runs in Node (tests): a browser DOM (happy-dom) on globalThis for the renderer's view tests.
// Import it first: React DOM and the views read `window`, `document` and `navigator` when they
// load. Views import stylesheets (Vite bundles them), which Node cannot load: a loader hook turns
// a .css import into an empty module, for the modules imported after this one ran, so a test
// imports the views with `await import(…)`. `cleanup` must run after each test (node:test has no
// global afterEach for Testing Library to hook into by itself).

import { register } from 'node:module';
import { GlobalRegistrator } from '@happy-dom/global-registrator';

const CSS_AS_EMPTY_MODULE = `export async function load(url, context, next) {
  if (url.endsWith('.css')) return { format: 'module', source: '', shortCircuit: true };
  return next(url, context);
}`;

register(`data:text/javascript,${encodeURIComponent(CSS_AS_EMPTY_MODULE)}`);
if (!GlobalRegistrator.isRegistered) GlobalRegistrator.register({ url: 'http://localhost/' });
// React's act() warns unless it knows it runs in a test environment.
(globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
