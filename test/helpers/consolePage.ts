import type { Browser, Locator, Page } from 'playwright-core';
import { BrowserPlayer, DESKTOP } from './browser.js';

/** An operator looking at `/console` in their own browser, with the key typed into the page. */
export class ConsolePage {
  private constructor(readonly person: BrowserPlayer) {}

  static async open(
    browser: Browser,
    baseUrl: string,
    key: string,
    viewport = DESKTOP,
  ): Promise<ConsolePage> {
    const person = await BrowserPlayer.open(browser, 'Operator', viewport);
    const view = new ConsolePage(person);
    await person.page.goto(`${baseUrl}/console`);
    await person.page.getByLabel('Rooms API key').fill(key);
    await person.page.getByRole('button', { name: 'Open the console' }).click();
    await person.waitForText(view.page.getByTestId('console-status'), /^live$/);
    // The key went in a header: never into the address bar.
    if (view.page.url().includes(key)) throw new Error('the key is in the URL');
    return view;
  }

  get page(): Page {
    return this.person.page;
  }

  roomRow(code: string): Locator {
    return this.page.locator(`[data-testid="rooms"] tr[data-room="${code}"]`);
  }

  async openRoom(code: string): Promise<void> {
    await this.roomRow(code).waitFor();
    await this.page.getByRole('button', { name: `Open room ${code}` }).click();
    await this.page.getByTestId('room-facts').waitFor();
  }

  /** Clicks an action, then confirms it on the bar that asks. */
  async confirm(action: string, confirmation: string): Promise<void> {
    await this.page.getByRole('button', { name: action, exact: true }).click();
    const bar = this.page.getByRole('alertdialog');
    await bar.waitFor();
    await bar.getByRole('button', { name: confirmation, exact: true }).click();
    await this.person.waitForText(this.page.getByTestId('message'), /^Done/);
  }

  waitFor(testId: string, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    return this.person.waitForText(this.page.getByTestId(testId), pattern, timeoutMs);
  }
}
