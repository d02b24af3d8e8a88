// Static hosting: the Content-Security-Policy holds (nothing but the page's own files), and a
// build made with `--public-url` works when served from that sub-path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { appSuite } from './lib/suite.mjs';
import { openApp, takeProblems, ROOT } from './lib/browser.mjs';
import { serveDist } from './lib/server.mjs';

const suite = appSuite();
const SUB_PATH = '/docs/tools/efiviz/';
const SUB_DIST = join(ROOT, 'target', 'e2e-subpath-dist');

// The policy index.html declares, directive by directive.
async function policy(page) {
  const content = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  return Object.fromEntries(
    content.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]),
  );
}

test('the page declares a strict policy: own origin only, no inline script', async () => {
  const { page } = await openApp(suite.browser, suite.server.url);
  const csp = await policy(page);
  assert.deepEqual(csp['default-src'], ["'self'"]);
  assert.deepEqual(csp['script-src'], ["'self'", "'wasm-unsafe-eval'"]);
  assert.deepEqual(csp['connect-src'], ["'self'"]);
  assert.deepEqual(csp['object-src'], ["'none'"]);
  // The built page has no inline script for the policy to allow.
  const inline = await page.$$eval('script:not([src])', (scripts) => scripts.length);
  assert.equal(inline, 0);
  await page.click('.gallery .sample');
  await page.waitForSelector('#entry-count');
  assert.equal(await page.$('#load-error'), null);
});

test('the policy blocks a request to another origin, and the suite notices', async () => {
  const { page } = await openApp(suite.browser, suite.server.url);
  const other = await serveDist(join(ROOT, 'dist'));
  try {
    const outcome = await page.evaluate(
      (url) => fetch(url).then(() => 'fetched', (e) => `blocked: ${e.name}`),
      other.url,
    );
    assert.equal(outcome, 'blocked: TypeError');
    await page.waitForTimeout(100);
    const problems = takeProblems();
    assert.ok(
      problems.some((p) => p.includes('CSP violation: connect-src')),
      `the violation is reported: ${problems.join('\n')}`,
    );
  } finally {
    await other.close();
  }
});

// Builds dist/ again for a sub-path, unless a build newer than dist/ is already there.
function subPathDist() {
  const fresh =
    existsSync(join(SUB_DIST, 'index.html')) &&
    statSync(join(SUB_DIST, 'index.html')).mtimeMs >= statSync(join(ROOT, 'dist', 'index.html')).mtimeMs;
  if (!fresh) {
    execFileSync(
      join(ROOT, 'scripts', 'wasm-env'),
      ['trunk', 'build', '--release', '--public-url', SUB_PATH, '--dist', SUB_DIST],
      { cwd: ROOT, stdio: 'inherit' },
    );
  }
  return SUB_DIST;
}

test('a --public-url build works from its sub-path', { timeout: 1_200_000 }, async () => {
  const root = subPathDist();
  assert.match(readFileSync(join(root, 'index.html'), 'utf8'), new RegExp(`src="${SUB_PATH}loader\\.js"`));
  const hosted = await serveDist(root, { base: SUB_PATH });
  try {
    const { page } = await openApp(suite.browser, hosted.url);
    await page.click('.gallery .sample');
    await page.waitForSelector('#entry-count');
    assert.ok(Number(await page.textContent('#entry-count')) > 0);
    // Every asset the page fetched came from under the sub-path (the server 404s the rest,
    // which the suite would report as a problem).
    const assets = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
    assert.ok(assets.some((p) => p.endsWith('.wasm')), `wasm loaded: ${assets}`);
    assert.ok(assets.every((p) => p.startsWith(SUB_PATH)), `${assets}`);

    // Opened without the trailing slash, page-relative URLs would point one directory up:
    // the app and its worker must still come from the sub-path and load a map.
    const bare = await openApp(suite.browser, hosted.url.replace(/\/$/, ''));
    await bare.page.waitForFunction(() => performance.getEntriesByName('efiviz-worker-ready').length > 0);
    await bare.page.click('.gallery .sample');
    await bare.page.waitForSelector('#entry-count');
    assert.ok(Number(await bare.page.textContent('#entry-count')) > 0);
  } finally {
    await hosted.close();
  }
});
