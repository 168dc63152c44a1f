/*
 * The browser suite's world: the PBX simulator (port 0), an embedded Node-RED with this package,
 * headless Chromium on its editor. Failure artifacts (screenshot, page problems, runtime log)
 * go to .e2e-artifacts/ beside dist-test/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startSimulator, type Simulator } from '../../dist/simulator';
import type { Page } from 'playwright-core';
import { launchBrowser, type Browser, type PageProblem } from './browser';
import { Editor } from './editor';
import { startNodeRed, type EmbeddedNodeRed } from './nodered';

export const ARTIFACTS = path.resolve(__dirname, '..', '..', '.e2e-artifacts');
/** The built nodes the runtime loads (html, locales, icons beside them). */
export const DIST_NODES = path.resolve(__dirname, '..', '..', 'dist', 'nodes');

export interface Stack {
  sim: Simulator;
  nodeRed: EmbeddedNodeRed;
  browser: Browser;
  editor: Editor;
  page: Page;
}

/** Starts everything; whatever started is stopped again when a later step fails. */
export async function startStack(): Promise<Stack> {
  const parts: Partial<Stack> = {};
  try {
    parts.sim = await startSimulator({ port: 0 });
    parts.nodeRed = await startNodeRed();
    parts.browser = await launchBrowser();
    parts.page = parts.browser.page;
    parts.editor = new Editor(parts.page, parts.nodeRed.url);
    await parts.editor.open();
    return parts as Stack;
  } catch (err) {
    await stopStack(parts);
    throw err;
  }
}

/** Closes browser, Node-RED and simulator, each even when another fails to close. */
export async function stopStack(parts: Partial<Stack> | undefined): Promise<void> {
  if (!parts) return;
  const errors: unknown[] = [];
  for (const close of [() => parts.browser?.close(), () => parts.nodeRed?.close(), () => parts.sim?.close()]) {
    try {
      await close();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length) throw errors[0];
}

function slug(title: string): string {
  return (
    title
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 80) || 'test'
  );
}

/** Screenshot plus what the page and the runtime said, for a failed test. */
export async function saveFailure(stack: Stack | undefined, title: string): Promise<string | null> {
  if (!stack) return null;
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const base = path.join(ARTIFACTS, slug(title));
  try {
    await stack.browser.page.screenshot({ path: `${base}.png`, fullPage: false, timeout: 10_000 });
  } catch {
    // A crashed page has no screenshot; the text below still helps.
  }
  const lines = [
    `test: ${title}`,
    `node-red: ${stack.nodeRed.version}`,
    'page problems:',
    ...stack.browser.problems.map((p) => `  ${p.kind}: ${p.text}`),
    'runtime log (warn+):',
    ...stack.nodeRed.logs.map((l) => `  [${l.level}] ${l.msg}`),
  ];
  fs.writeFileSync(`${base}.txt`, lines.join('\n') + '\n');
  return base;
}

/** Where the page's problem list and the runtime's log stand now. */
export interface Mark {
  problems: number;
  logs: number;
}

export function mark(stack: Stack): Mark {
  return { problems: stack.browser.problems.length, logs: stack.nodeRed.logs.length };
}

/**
 * What went wrong since the mark: console errors, page errors, failed requests, and runtime log
 * lines at error level or worse (Node-RED's levels: 10 fatal, 20 error, 30 warn).
 */
export function problemsSince(stack: Stack, since: Mark, allow: (p: PageProblem) => boolean = () => false): string[] {
  return [
    ...stack.browser.problems
      .slice(since.problems)
      .filter((p) => !allow(p))
      .map((p) => `${p.kind}: ${p.text}${p.url ? ` (${p.url})` : ''}`),
    ...stack.nodeRed.logs
      .slice(since.logs)
      .filter((l) => l.level <= 20)
      .map((l) => `runtime: ${l.msg}`),
  ];
}

/** A screenshot for the README, kept in .e2e-artifacts/ and copied to docs/images/ when WEBTAPI_DOCS_SCREENSHOTS=1. */
export function docScreenshot(name: string): { artifact: string; docs: string | null } {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const docsDir = path.resolve(__dirname, '..', '..', 'docs', 'images');
  return {
    artifact: path.join(ARTIFACTS, name),
    docs: process.env.WEBTAPI_DOCS_SCREENSHOTS === '1' ? path.join(docsDir, name) : null,
  };
}
