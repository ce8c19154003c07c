// Runs in the Electron main process (osascript children on macOS; parsed by tests under plain
// Node): the JavaScript for Automation scripts behind Speak Selection (see [Note: Saving the whole
// pasteboard] and [Note: Waiting for the hotkey's modifiers] in selection-effects.ts).

/** Saves every pasteboard item and type, base64, as JSON to the file named by argv[0]. */
export const SAVE_SCRIPT = `
ObjC.import('AppKit');
function run(argv) {
  const pb = $.NSPasteboard.generalPasteboard;
  const items = pb.pasteboardItems;
  const out = [];
  const count = items.isNil() ? 0 : items.count;
  for (let i = 0; i < count; i++) {
    const item = items.objectAtIndex(i);
    const types = item.types;
    const entry = {};
    for (let j = 0; j < types.count; j++) {
      const type = types.objectAtIndex(j);
      const data = item.dataForType(type);
      if (data.isNil()) continue;
      entry[type.js] = data.base64EncodedStringWithOptions(0).js;
    }
    out.push(entry);
  }
  const json = $(JSON.stringify({ items: out }));
  json.writeToFileAtomicallyEncodingError($(argv[0]), true, $.NSUTF8StringEncoding, null);
}
`;

/** Writes the items saved by SAVE_SCRIPT (file argv[0]) back to the pasteboard. */
export const RESTORE_SCRIPT = `
ObjC.import('AppKit');
function run(argv) {
  const text = $.NSString.stringWithContentsOfFileEncodingError($(argv[0]), $.NSUTF8StringEncoding, null);
  const saved = JSON.parse(text.js);
  const pb = $.NSPasteboard.generalPasteboard;
  pb.clearContents;
  if (saved.items.length === 0) return;
  const items = $.NSMutableArray.alloc.init;
  for (const entry of saved.items) {
    const item = $.NSPasteboardItem.alloc.init;
    for (const type of Object.keys(entry)) {
      const data = $.NSData.alloc.initWithBase64EncodedStringOptions($(entry[type]), 0);
      item.setDataForType(data, $(type));
    }
    items.addObject(item);
  }
  if (!pb.writeObjects(items)) throw new Error('the pasteboard refused the saved items');
}
`;

/**
 * Waits until no modifier key is held (see [Note: Waiting for the hotkey's modifiers]; masks:
 * shift, control, option, command), then presses ⌘C through System Events.
 */
export const COPY_SCRIPT = `
ObjC.import('AppKit');
function run() {
  const MODIFIERS = (1 << 17) | (1 << 18) | (1 << 19) | (1 << 20);
  const deadline = Date.now() + 1000;
  while (($.NSEvent.modifierFlags & MODIFIERS) !== 0 && Date.now() < deadline) delay(0.02);
  Application('System Events').keystroke('c', { using: 'command down' });
}
`;
