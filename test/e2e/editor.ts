/*
 * Driving the Node-RED editor like a user: palette filter, drag and drop, double-click, the edit
 * tray, the import dialog, Deploy, inject buttons, the debug sidebar.
 *
 * Node-RED version specifics live here, in these helpers (checked with 4.1 and 5.0):
 * - configAddButton/configEditButton: the buttons beside a config select are
 *   `#node-input-btn-<p>-add` / `-edit` since 4.1, one `#node-input-lookup-<p>` before;
 * - showDebug: debug is a tab of the right sidebar in 4 and a panel of its own in 5;
 *   `RED.sidebar.show('debug')` brings it forward in both;
 * - open: 5 on a Node.js it does not support (< 22) keeps an error notification over the trays'
 *   buttons (deploy and import notifications do so for a few seconds in both): clicks pass through;
 * - the palette sits at the top of the left edge in 4 and under the explorer in 5: the README
 *   crop measures it (editor.test.ts) instead of assuming a place.
 * Ids used everywhere else (palette search and nodes, edit tray, Done/Cancel, Deploy, flow node
 * groups, import dialog) are the same in both.
 */
import type { Locator, Page } from 'playwright-core';

// These run in the page, where the editor defines them.
declare const RED: any;
declare const $: any;
declare function getComputedStyle(el: unknown): { right: string };

export interface FlowNode {
  id: string;
  type: string;
  [k: string]: unknown;
}

const TIMEOUT = 15_000;
/** The Done button of a flow node's tray, and the Add/Update button of a config node's tray. */
export const NODE_TRAY = 'node-dialog-ok';
export const CONFIG_TRAY = 'node-config-dialog-ok';

export class Editor {
  constructor(
    readonly page: Page,
    readonly url: string,
  ) {}

  /** Load the editor and wait until palette, flows and toolbar are there. */
  async open(): Promise<void> {
    await this.page.goto(this.url);
    await this.page.waitForFunction(
      () =>
        typeof RED === 'object' &&
        RED.nodes &&
        RED.nodes.getType('webtapi-call') !== undefined &&
        RED.workspaces.active() &&
        $('#red-ui-palette-search').is(':visible') &&
        !$('#red-ui-loading-progress').is(':visible') &&
        $('.red-ui-header-toolbar').is(':visible'),
      null,
      { timeout: 60_000 },
    );
    // Notifications (deployed, imported, runtime warnings) sit over the top of the trays: let
    // clicks meant for Done or Cancel go through them; they still show in failure screenshots.
    await this.page.addStyleTag({ content: '#red-ui-notifications { pointer-events: none !important; }' });
  }

  /** Type into the palette's search box and wait until the palette shows exactly what matches. */
  async filterPalette(text: string): Promise<void> {
    const box = this.page.locator('#red-ui-palette-search input');
    await box.fill(text);
    // The box reacts to keyup, not to input events: a key press hands it the filled text.
    await box.press('End');
    // The box applies the filter after a short delay: wait for its effect, not for the delay.
    await this.page.waitForFunction(
      (filter) => {
        const re = new RegExp(filter.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&'), 'i');
        const nodes = $('#red-ui-palette-container .red-ui-palette-node').toArray();
        return (
          nodes.length > 0 &&
          nodes.every((el: any) => {
            const match =
              filter === '' || re.test(el.getAttribute('data-palette-type')) || re.test(el.getAttribute('data-palette-label') || '');
            return match ? $(el).is(':visible') : !$(el).is(':visible');
          })
        );
      },
      text,
      { timeout: TIMEOUT },
    );
  }

  paletteNode(type: string): Locator {
    return this.page.locator(`#red-ui-palette-container .red-ui-palette-node[data-palette-type="${type}"]`);
  }

  /** Drag a palette node onto the workspace at (x, y) relative to the workspace's top left; answers the new node's id. */
  async dragToWorkspace(type: string, x: number, y: number): Promise<string> {
    const existing = await this.page.evaluate((t) => RED.nodes.filterNodes({ type: t }).map((n: FlowNode) => n.id), type);
    const source = this.paletteNode(type);
    await source.scrollIntoViewIfNeeded();
    const from = await source.boundingBox();
    const chart = await this.page.locator('#red-ui-workspace-chart').boundingBox();
    if (!from || !chart) throw new Error(`palette node ${type} or workspace not visible`);
    const mouse = this.page.mouse;
    await mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await mouse.down();
    // jQuery UI starts a drag only after the pointer moved a little; the steps give it move events.
    await mouse.move(from.x + from.width / 2 + 20, from.y + from.height / 2 + 5, { steps: 4 });
    await mouse.move(chart.x + x, chart.y + y, { steps: 10 });
    await mouse.up();
    const handle = await this.page.waitForFunction(
      ({ t, known }) => {
        const added = RED.nodes.filterNodes({ type: t }).filter((n: FlowNode) => known.indexOf(n.id) === -1);
        return added.length === 1 ? added[0].id : null;
      },
      { t: type, known: existing },
      { timeout: TIMEOUT },
    );
    return (await handle.jsonValue()) as string;
  }

  /** The node's shape in the workspace (its group carries the node id). */
  flowNode(id: string): Locator {
    return this.page.locator(`g.red-ui-flow-node-group[id="${id}"]`);
  }

  /** Double-click a node in the workspace and wait for its edit tray to be open and still. */
  async openNodeEditor(id: string): Promise<Locator> {
    // Node-RED counts a double click only if the presses are > 0 and < 650 ms apart (Date.now()):
    // two presses in the same millisecond are one click. 20 ms down-to-up puts them ~40 ms apart.
    await this.flowNode(id).locator('rect.red-ui-flow-node').first().dblclick({ delay: 20 });
    return this.waitForTray(NODE_TRAY);
  }

  /**
   * Wait until the tray on top is the one with button `buttonId` (trays below it are detached
   * from the page) and it has finished sliding in: its computed `right` is 0 only once the CSS
   * transition from a negative value is over.
   */
  async waitForTray(buttonId: string): Promise<Locator> {
    await this.page.waitForFunction(
      (button) => {
        const trays = $('#red-ui-editor-stack > .red-ui-tray').toArray();
        const top = trays[trays.length - 1];
        return top !== undefined && $(top).find(`#${button}`).length === 1 && getComputedStyle(top).right === '0px';
      },
      buttonId,
      { timeout: TIMEOUT },
    );
    return this.page.locator('#red-ui-editor-stack > .red-ui-tray').last();
  }

  /** Press a tray's button (Done, Add, Update, Cancel); waits for the tray below (by its button id) or for no tray. */
  async closeTray(buttonId: string, next: string | null): Promise<void> {
    await this.page.locator(`#red-ui-editor-stack > .red-ui-tray #${buttonId}`).click();
    if (next === null) {
      await this.page.waitForFunction(() => $('#red-ui-editor-stack > .red-ui-tray').length === 0, null, { timeout: TIMEOUT });
    } else {
      await this.waitForTray(next);
    }
  }

  /**
   * The "add a new config node" button beside a config property's select: `-btn-<p>-add` since
   * Node-RED 4.1, `-lookup-<p>` (a pencil that adds when nothing is selected) before.
   */
  configAddButton(property: string): Locator {
    return this.page.locator(`#node-input-btn-${property}-add, #node-input-lookup-${property}`).first();
  }

  /** The "edit this config node" button beside a config property's select (see configAddButton). */
  configEditButton(property: string): Locator {
    return this.page.locator(`#node-input-btn-${property}-edit, #node-input-lookup-${property}`).first();
  }

  /**
   * Menu > Import > Examples > <module> > <title>, into a new flow tab. Answers the ids of all
   * nodes added.
   */
  async importExample(module: string, title: string): Promise<string[]> {
    return this.importThroughDialog(
      'core:show-examples-import-dialog',
      async (dialog) => {
        const row = (label: string) => dialog.locator('.red-ui-treeList-label').filter({ hasText: label }).first();
        await row(module).click();
        await row(title).click();
      },
      true,
    );
  }

  /** Menu > Import > Clipboard with the flow pasted as text, into the current flow. */
  async importNodes(nodes: FlowNode[]): Promise<string[]> {
    return this.importThroughDialog(
      'core:show-import-dialog',
      async (dialog) => {
        const text = dialog.locator('#red-ui-clipboard-dialog-import-text');
        await text.fill(JSON.stringify(nodes));
        // The dialog validates on keyup (and paste), not on input events.
        await text.press('End');
      },
      false,
    );
  }

  /** The import dialog, then a click on the workspace drops the nodes that hang on the pointer. */
  private async importThroughDialog(action: string, choose: (dialog: Locator) => Promise<void>, newFlow: boolean): Promise<string[]> {
    const page = this.page;
    const existing = await this.nodeIds();
    await page.evaluate((a) => RED.actions.invoke(a), action);
    const dialog = page.locator('#red-ui-clipboard-dialog');
    await dialog.waitFor({ state: 'visible' });
    await choose(dialog);
    await page.waitForFunction(() => !$('#red-ui-clipboard-dialog-ok').button('option', 'disabled'), null, { timeout: TIMEOUT });
    await page.locator(newFlow ? '#red-ui-clipboard-dialog-import-opt-new' : '#red-ui-clipboard-dialog-import-opt-current').click();
    await page.locator('#red-ui-clipboard-dialog-ok').click();
    await dialog.waitFor({ state: 'hidden' });
    const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
    if (!chart) throw new Error('no workspace');
    await page.mouse.move(chart.x + 60, chart.y + 40, { steps: 4 });
    await page.mouse.click(chart.x + 60, chart.y + 40);
    await page.waitForFunction(() => RED.view.state() === RED.state.DEFAULT && RED.nodes.dirty(), null, { timeout: TIMEOUT });
    const now = await this.nodeIds();
    return now.filter((id) => !existing.includes(id));
  }

  /** Ids of every flow and config node in the editor (not tabs). */
  async nodeIds(): Promise<string[]> {
    return this.page.evaluate(() => {
      const ids: string[] = [];
      RED.nodes.eachNode((n: FlowNode) => {
        ids.push(n.id);
      });
      RED.nodes.eachConfig((n: FlowNode) => {
        ids.push(n.id);
      });
      return ids;
    });
  }

  /** Node properties as the editor holds them. */
  async nodeProps(id: string): Promise<Record<string, unknown> | null> {
    return this.page.evaluate((nid) => {
      const n = RED.nodes.node(nid);
      if (!n) return null;
      const out: Record<string, unknown> = { valid: n.valid, changed: n.changed };
      for (const k of Object.keys(n._def.defaults)) out[k] = n[k];
      return out;
    }, id);
  }

  /** Press Deploy (full) and wait for the runtime's answer and the button to settle. */
  async deploy(): Promise<void> {
    const button = this.page.locator('#red-ui-header-button-deploy');
    await this.page.waitForFunction(() => !$('#red-ui-header-button-deploy').hasClass('disabled'), null, { timeout: TIMEOUT });
    const answer = this.page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/flows'), {
      timeout: TIMEOUT,
    });
    await button.click();
    const res = await answer;
    if (res.status() !== 200) throw new Error(`deploy answered ${res.status()}: ${await res.text()}`);
    await this.page.waitForFunction(() => $('#red-ui-header-button-deploy').hasClass('disabled') && !RED.nodes.dirty(), null, {
      timeout: TIMEOUT,
    });
  }

  /** Click an inject-like node's button; waits for the runtime to accept it. */
  async clickNodeButton(id: string): Promise<void> {
    const answer = this.page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith(`/inject/${id}`),
      { timeout: TIMEOUT },
    );
    await this.flowNode(id).locator('.red-ui-flow-node-button-button').click();
    const res = await answer;
    if (res.status() !== 200) throw new Error(`inject ${id} answered ${res.status()}`);
  }

  /** Bring the debug messages forward (a sidebar tab in 4, a panel in 5). */
  async showDebug(): Promise<void> {
    await this.page.evaluate(() => RED.sidebar.show('debug'));
    await this.page.locator('.red-ui-debug-content').first().waitFor({ state: 'visible', timeout: TIMEOUT });
  }

  /** The debug messages shown in the sidebar. */
  debugMessages(): Locator {
    return this.page.locator('.red-ui-debug-msg');
  }

  /** The page rectangle around every node drawn in the active flow. */
  async flowExtent(): Promise<{ x: number; y: number; width: number; height: number }> {
    return this.page.evaluate(() => {
      const boxes = $('#red-ui-workspace-chart g.red-ui-flow-node-group')
        .toArray()
        .map((el: any) => el.getBoundingClientRect());
      const left = Math.min(...boxes.map((b: any) => b.left));
      const top = Math.min(...boxes.map((b: any) => b.top));
      const right = Math.max(...boxes.map((b: any) => b.right));
      const bottom = Math.max(...boxes.map((b: any) => b.bottom));
      return { x: left, y: top, width: right - left, height: bottom - top };
    });
  }

  /** Resolve an i18n key of this package as the editor does. */
  async t(key: string): Promise<string> {
    return this.page.evaluate((k) => RED._(k), key);
  }
}
