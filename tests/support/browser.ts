/**
 * A real browser for tests: playwright-core driving the Chromium that ships inside the npm package
 * @sparticuz/chromium, so `npm install` brings it and nothing is downloaded at run time. The binary
 * is unpacked into the temporary directory on first use (a few seconds), then reused.
 */
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser } from 'playwright-core';

export async function launchBrowser(): Promise<Browser> {
  return playwright.launch({
    executablePath: await chromium.executablePath(),
    // The package's flags are tuned for a sandboxed server; this network is closed, so Chromium's
    // own background traffic is switched off too.
    args: [...chromium.args, '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    headless: true,
  });
}
