// Runs nowhere (types only): the few globals the contract room may use, because Node, browsers
// and Electron all provide them. Only tsconfig.protocol.json reads this file (it has neither
// Node's nor the DOM's types); every other project gets the real declarations from one of those.

/** UTF-8 encoder (WHATWG Encoding), as far as wire.ts uses it. */
declare class TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}

/** UTF-8 decoder (WHATWG Encoding), as far as wire.ts uses it. */
declare class TextDecoder {
  decode(input?: ArrayBufferView | ArrayBuffer): string;
}
