// Runs in the Electron main process (and tests, under plain Node): the tray icon, its tooltip and
// menu, and what each menu item does. The menu itself is plain data (tray-menu.ts) turned into an
// Electron template (tray-template.ts); no Electron import at run time: the tray, its icons and
// the menu are made by the functions the caller passes.

import type { MenuItemConstructorOptions } from 'electron';
import type { AppView, ProviderChoice } from '../../src-worker/protocol/messages.ts';
import type { Commands } from '../app/commands.ts';
import { buildTrayMenu, trayTooltip, type TrayAction, type TrayState } from './tray-menu.ts';
import { toMenuTemplate } from './tray-template.ts';

/** The parts of an Electron Tray we use. */
export interface TrayLike<Image, Menu> {
  setImage(image: Image): void;
  setToolTip(text: string): void;
  on(event: 'click' | 'right-click', listener: () => void): unknown;
  popUpContextMenu(menu: Menu): void;
}

/** What the tray needs from the app. */
export interface TrayDeps<Image, Menu> {
  createTray(image: Image): TrayLike<Image, Menu>;
  /** The icon for the state ("Template" images, see [Note: Template icons]). */
  icon(speaking: boolean): Image;
  /** Menu.buildFromTemplate. */
  buildMenu(template: MenuItemConstructorOptions[]): Menu;
  /** Everything the menu shows, now. */
  state(): TrayState;
  commands: Commands;
  /** Applies a settings patch from the tray (a refused one is told to the user). */
  updateSettings(patch: unknown): Promise<void>;
  /** The provider the settings hold now (a provider item keeps its CoreML options). */
  provider(): ProviderChoice;
  /** Asks the worker to switch to `provider`. */
  setProvider(provider: ProviderChoice): void;
  showView(view: AppView): void;
  quit(): void;
  /** Milliseconds since the epoch, sub-millisecond (the `actionAt` of speech). */
  now(): number;
}

/** The running tray. */
export interface AppTray<Menu> {
  /** Updates the icon and tooltip to the state. */
  refresh(): void;
  /** The menu as it would pop up now. */
  menu(): Menu;
  /** Does what a menu item does. */
  act(action: TrayAction): Promise<void>;
}

/** Creates the tray icon: a click shows the popover, a right-click the menu. */
export function setupTray<Image, Menu>(deps: TrayDeps<Image, Menu>): AppTray<Menu> {
  const acceleratorOf = (action: TrayAction): string => {
    const { hotkeys } = deps.state();
    if (action.type === 'speak-clipboard') return hotkeys.speakClipboard;
    if (action.type === 'speak-selection') return hotkeys.speakSelection;
    if (action.type === 'stop') return hotkeys.stop;
    return '';
  };

  const act = async (action: TrayAction): Promise<void> => {
    const actionAt = deps.now();
    const { commands } = deps;
    switch (action.type) {
      case 'speak-clipboard':
        return commands.speakClipboard(actionAt);
      case 'speak-selection':
        return commands.speakSelection(actionAt);
      case 'toggle-pause':
        return commands.togglePause();
      case 'stop':
        return commands.stopAll();
      case 'set-voice':
        return deps.updateSettings({ voice: action.voice });
      case 'set-speed':
        return deps.updateSettings({ speed: action.speed });
      case 'set-provider': {
        const provider = { ...deps.provider(), provider: action.provider };
        await deps.updateSettings({ provider });
        deps.setProvider(provider);
        return;
      }
      case 'show-view':
        return deps.showView(action.view);
      case 'quit':
        deps.quit();
        return;
    }
  };

  const menu = (): Menu => deps.buildMenu(toMenuTemplate(buildTrayMenu(deps.state()), (action) => void act(action), acceleratorOf));

  const tray = deps.createTray(deps.icon(false));
  const refresh = (): void => {
    const state = deps.state();
    tray.setImage(deps.icon(state.playback === 'speaking'));
    tray.setToolTip(trayTooltip(state));
  };
  tray.on('click', () => deps.showView('speak'));
  tray.on('right-click', () => tray.popUpContextMenu(menu()));
  refresh();
  return { refresh, menu, act };
}
