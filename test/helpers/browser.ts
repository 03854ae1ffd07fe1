import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
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

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

let axeSource: Promise<string> | undefined;
/** axe-core's browser build, injected into the page under test by evaluation (no script tag, no CSP exception). */
function axeScript(): Promise<string> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

/** One person with their own browser context (own storage: one browser), looking at the page. */
export class BrowserPlayer {
  readonly errors: string[] = [];
  page: Page;

  private constructor(
    readonly name: string,
    page: Page,
    private readonly look: { viewport: { width: number; height: number }; colorScheme: 'light' | 'dark' },
  ) {
    this.page = page;
    this.watch(page);
  }

  static async open(
    browser: Browser,
    name: string,
    viewport: { width: number; height: number } = PHONE,
    colorScheme: 'light' | 'dark' = 'light',
  ): Promise<BrowserPlayer> {
    const context = await browser.newContext({ viewport, colorScheme });
    return new BrowserPlayer(name, await context.newPage(), { viewport, colorScheme });
  }

  private watch(page: Page): void {
    page.on('pageerror', (error) => this.errors.push(error.message));
  }

  /** Closes this tab and opens a new one in the same browser (same localStorage). */
  async reopenTab(url: string): Promise<void> {
    const context = this.page.context();
    await this.page.close();
    this.page = await context.newPage();
    this.watch(this.page);
    await this.page.goto(url);
  }

  /**
   * Screenshots of what this person sees, on a phone and a desktop, light and dark
   * (`<file>-phone-light.png` …), and an axe-core pass in both schemes: serious or critical
   * violations fail the test. The person's own size and scheme are restored afterwards.
   */
  async review(file: string): Promise<void> {
    const page = this.page;
    try {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const [device, size] of [
          ['phone', PHONE],
          ['desktop', DESKTOP],
        ] as const) {
          await page.setViewportSize(size);
          await page.screenshot({ path: `${ARTIFACTS}/${file}-${device}-${scheme}.png`, fullPage: true });
        }
        const problems = await this.accessibilityProblems();
        if (problems.length > 0) {
          throw new Error(
            `${this.name} (${file}, ${scheme}): accessibility violations:\n${problems.join('\n')}`,
          );
        }
      }
    } finally {
      await page.emulateMedia({ colorScheme: this.look.colorScheme });
      await page.setViewportSize(this.look.viewport);
    }
  }

  /** axe-core's serious and critical violations on the page as it is now, one line each. */
  async accessibilityProblems(): Promise<string[]> {
    // Runs in the page: its globals are reached through globalThis (this file has no DOM types).
    const loaded = await this.page.evaluate(() => 'axe' in globalThis);
    if (!loaded) await this.page.evaluate(await axeScript());
    const violations = await this.page.evaluate(async () => {
      const page = globalThis as unknown as {
        axe: { run(context: unknown, options: object): Promise<any> };
        document: unknown;
      };
      const result = await page.axe.run(page.document, { resultTypes: ['violations'] });
      return (result.violations as any[])
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map(
          (v) =>
            `${v.impact} ${v.id}: ${v.help} — ${v.nodes
              .slice(0, 3)
              .map((n: any) => `${n.target.join(' ')} ${n.failureSummary?.split('\n')[1] ?? ''}`)
              .join('; ')}`,
        );
    });
    return violations as string[];
  }

  /** Opens a join link, gives the name and waits for the seat. */
  async join(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.getByLabel('Your name').fill(this.name);
    await this.page.getByRole('button', { name: 'Join' }).click();
    await this.waitForStatus('connected');
  }

  async waitForStatus(status: string, timeoutMs = 10_000): Promise<void> {
    await this.waitForText(this.page.getByTestId('status'), new RegExp(`^${status}$`), timeoutMs);
  }

  /** Polls a locator's text until it matches (the page changes by itself as the game goes on). */
  async waitForText(locator: Locator, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    let last = '';
    const found = await waitUntil(
      async () => {
        const text =
          (await locator
            .first()
            .textContent({ timeout: 1000 })
            .catch(() => null)) ?? '';
        last = text;
        // Wrapped: an empty text that matches (an error that went away) is a match too.
        return pattern.test(text) ? { text } : null;
      },
      timeoutMs,
      () =>
        `${this.name}: ${pattern} in ${locator.toString()} (last seen: ${JSON.stringify(last.slice(0, 200))})`,
    );
    return found.text;
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
