import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { waitUntil } from './wait.js';

/** Debian's chromium: playwright-core drives it, nothing is downloaded. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Without the background-networking switches Chromium's own connections get refused on a closed
// network and can stall pages; the fake devices give WebRTC a camera and microphone.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ARTIFACTS = `${ROOT}test-artifacts/browser`;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** Builds the web client from its sources into a folder of its own, so a test never sees a stale page. */
export async function buildWeb(): Promise<string> {
  const outDir = `${ARTIFACTS}/web`;
  await mkdir(ARTIFACTS, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        `${ROOT}node_modules/vite/bin/vite.js`,
        'build',
        '--outDir',
        outDir,
        '--emptyOutDir',
        '--logLevel',
        'warn',
      ],
      { cwd: `${ROOT}web`, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`vite build exited with ${code}`)),
    );
  });
  return outDir;
}

/** One person with their own browser context (own sessionStorage), looking at the page. */
export class BrowserPlayer {
  readonly errors: string[] = [];

  private constructor(
    readonly name: string,
    readonly page: Page,
  ) {
    page.on('pageerror', (error) => this.errors.push(error.message));
  }

  static async open(
    browser: Browser,
    name: string,
    viewport: { width: number; height: number } = { width: 390, height: 844 },
  ): Promise<BrowserPlayer> {
    const context = await browser.newContext({ viewport });
    return new BrowserPlayer(name, await context.newPage());
  }

  /** Opens a join link, gives the name and waits for the seat. */
  async join(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.getByLabel('Your name').fill(this.name);
    await this.page.getByRole('button', { name: 'Join' }).click();
    await this.waitForStatus('connected');
  }

  async waitForStatus(status: string): Promise<void> {
    await this.waitForText(this.page.getByTestId('status'), new RegExp(`^${status}$`));
  }

  /** Polls a locator's text until it matches (the page changes by itself as the game goes on). */
  async waitForText(locator: Locator, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    return waitUntil(
      async () => {
        const text =
          (await locator
            .first()
            .textContent({ timeout: 1000 })
            .catch(() => null)) ?? '';
        return pattern.test(text) ? text : null;
      },
      timeoutMs,
      `${this.name}: ${pattern} in ${locator.toString()}`,
    );
  }

  game(): Locator {
    return this.page.getByTestId('game');
  }

  async gameText(): Promise<string> {
    return (await this.game().textContent()) ?? '';
  }

  button(name: string | RegExp): Locator {
    return this.game().getByRole('button', { name });
  }

  async isVisible(locator: Locator): Promise<boolean> {
    return (await locator.count()) > 0 && (await locator.first().isVisible());
  }

  async screenshot(file: string): Promise<void> {
    await this.page.screenshot({ path: `${ARTIFACTS}/${file}.png`, fullPage: true });
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}
