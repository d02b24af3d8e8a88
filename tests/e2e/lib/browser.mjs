// Launches Debian's Chromium through playwright-core (never a downloaded browser), with the
// flags that keep it from dialling out on this machine's closed network.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SHARED = join(ROOT, '..', 'shared');
export const SCREENSHOTS = join(ROOT, 'target', 'e2e-screenshots');

export async function launch() {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

// Every watched page's problems, until the suite's afterEach takes them (lib/suite.mjs): any
// console error, uncaught exception, HTTP error, Content-Security-Policy violation or request
// to another origin fails the test that caused it, whether or not the test looks.
const watched = [];

export function takeProblems() {
  return watched.splice(0).flatMap((problems) => problems);
}

// Reports CSP violations as console errors, so they land in the page's problems even when the
// browser would only count them (Chromium also logs a "Refused to …" error of its own).
const REPORT_CSP = `document.addEventListener('securitypolicyviolation', (e) =>
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));`;

// Records `page`'s problems; requests may go only to `origins` (plus data: and blob: URLs).
export async function watchPage(page, origins) {
  const problems = [];
  watched.push(problems);
  await page.addInitScript(REPORT_CSP);
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  page.on('request', (request) => {
    const target = request.url();
    const own = origins.some((origin) => target.startsWith(`${origin}/`));
    if (!own && !target.startsWith('data:') && !target.startsWith('blob:')) {
      problems.push(`request outside the app: ${target}`);
    }
  });
  return problems;
}

// Opens the app at `url` in a fresh page and waits until it has started.
// `options` are Playwright context options (colorScheme, permissions, …).
export async function openApp(browser, url, options = {}) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, ...options });
  const problems = await watchPage(page, [new URL(url).origin]);
  await page.goto(url);
  await page.waitForSelector('#file-input', { state: 'attached' });
  return { page, problems };
}
