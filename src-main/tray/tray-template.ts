// Runs in the Electron main process (and tests, under plain Node): turns the tray menu model into
// the template Electron's Menu.buildFromTemplate takes. Type-only Electron import: no runtime one.

import type { MenuItemConstructorOptions } from 'electron';
import type { MenuItemModel, TrayAction } from './tray-menu.ts';

/**
 * Builds the Electron menu template for `items`; clicks call `onAction`, and `acceleratorOf`
 * names the global shortcut shown beside an item ('' for none; shown only, never registered
 * by the menu, since the global shortcuts are registered on their own).
 */
export function toMenuTemplate(
  items: MenuItemModel[],
  onAction: (action: TrayAction) => void,
  acceleratorOf: (action: TrayAction) => string,
): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'label':
        return { label: item.label, enabled: false };
      case 'submenu':
        return { label: item.label, submenu: toMenuTemplate(item.items, onAction, acceleratorOf) };
      case 'radio':
        return {
          type: 'radio',
          label: item.label,
          checked: item.checked,
          enabled: item.enabled,
          click: () => onAction(item.action),
        };
      case 'action': {
        const accelerator = acceleratorOf(item.action);
        return {
          label: item.label,
          enabled: item.enabled,
          click: () => onAction(item.action),
          ...(accelerator === '' ? {} : { accelerator, registerAccelerator: false }),
        };
      }
    }
  });
}
