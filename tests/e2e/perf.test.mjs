// Performance figures, measured with the app's own performance marks and printed, never
// asserted against a time budget (timing on a shared machine is not a test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appSuite } from './lib/suite.mjs';
import { openApp, ROOT, SCREENSHOTS } from './lib/browser.mjs';
import { syntheticMap } from './lib/maps.mjs';

const suite = appSuite();

const measures = (page, name) =>
  page.evaluate((n) => performance.getEntriesByName(n, 'measure').map((e) => e.duration), name);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const markTime = (page, name) =>
  page.evaluate((n) => performance.getEntriesByName(n, 'mark')[0]?.startTime ?? null, name);

// Records every main-thread long task (> 50 ms) from page load on.
const watchLongTasks = (page) =>
  page.addInitScript(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.longTasks.push(entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  });

test('upload to first paint of a 250-entry map', async () => {
  const { page, problems } = await openApp(suite.browser, suite.server.url);
  // A user's first upload comes seconds after the page appears (a file dialog, a drag), by
  // when the app has warmed up: the worker loaded a sample and the page rendered its result
  // off screen (components/rehearsal.rs).
  await page.waitForFunction(() => performance.getEntriesByName('efiviz-warm').length > 0);
  // The user's moment of choosing a file, while V8 finishes optimising in the background.
  await page.waitForTimeout(1000);
  const spawn = await markTime(page, 'efiviz-worker-spawn');
  const ready = await markTime(page, 'efiviz-worker-ready');
  const workerWarm = await markTime(page, 'efiviz-worker-warm');
  const warmedUp = await markTime(page, 'efiviz-warm');
  const runs = [];
  for (let i = 0; i < 9; i++) {
    await page.setInputFiles('#file-input', {
      name: `map-250-${i}.txt`,
      mimeType: 'text/plain',
      buffer: Buffer.from(syntheticMap(250)),
    });
    await page.waitForFunction((n) => document.querySelector('#file-name')?.textContent === n, `map-250-${i}.txt`);
    assert.equal(await page.textContent('#entry-count'), '250');
    await page.waitForFunction(() => performance.getEntriesByName('efiviz-upload-to-paint').length > 0);
    const [duration] = await measures(page, 'efiviz-upload-to-paint');
    runs.push(duration);
    await page.evaluate(() => performance.clearMeasures('efiviz-upload-to-paint'));
  }
  const [cold, ...warm] = runs;
  console.log(`PERF worker start (page's spawn → worker ready): ${(ready - spawn).toFixed(1)} ms, ready ${ready.toFixed(0)} ms after navigation, its warm-up result back ${workerWarm.toFixed(0)} ms and rendered off screen ${warmedUp.toFixed(0)} ms after navigation`);
  console.log(`PERF upload→first paint, 250 entries: first upload ${cold.toFixed(1)} ms; then median ${median(warm).toFixed(1)} ms, min ${Math.min(...warm).toFixed(1)} ms (runs ${runs.map((r) => r.toFixed(1)).join(', ')} ms)`);
  assert.deepEqual(problems, []);
});

test('loading (in the worker) and drawing 100 000 regions', async () => {
  const page = await suite.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await watchLongTasks(page);
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  await page.goto(suite.server.url);
  await page.waitForFunction(() => performance.getEntriesByName('efiviz-warm').length > 0);
  await page.evaluate(() => { window.longTasks = []; });
  // From a file on disk: a buffer would be built inside the page by the test harness, in one
  // long task of its own that is not the app's.
  const dir = join(ROOT, 'target', 'e2e-tmp');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'map-100k.txt');
  writeFileSync(path, syntheticMap(100_000));
  await page.setInputFiles('#file-input', path);
  await page.waitForSelector('#load-progress');
  const stages = new Set();
  while (await page.$('#load-progress')) {
    const stage = await page.getAttribute('#load-progress', 'data-stage').catch(() => null);
    if (stage) stages.add(stage);
    await page.waitForTimeout(20);
  }
  await page.waitForFunction(() => document.querySelector('#entry-count')?.textContent === '100000', null, { timeout: 300_000 });
  await page.waitForFunction(() => performance.getEntriesByName('efiviz-upload-to-paint').length > 0);
  const upload = (await measures(page, 'efiviz-upload-to-paint'))[0];
  const [decode] = await measures(page, 'efiviz-decode');
  const [receive] = await measures(page, 'efiviz-receive');
  const longTasks = await page.evaluate(() => window.longTasks);
  const messages = await measures(page, 'efiviz-message');
  console.log(`PERF 100k load: ${messages.length} messages from the worker, the page's longest ${Math.max(...messages).toFixed(0)} ms, median ${median(messages).toFixed(1)} ms`);
  const longest = Math.max(0, ...longTasks);
  console.log(`PERF 100k load: upload→first paint ${upload.toFixed(0)} ms; the page decoded the result in ${decode.toFixed(0)} ms (pieces arrived over ${receive.toFixed(0)} ms); main-thread long tasks: ${longTasks.length}, longest ${longest.toFixed(0)} ms (${longTasks.map((t) => t.toFixed(0)).join(', ')}); stages seen: ${[...stages].join(', ')}`);
  assert.ok(stages.has('parsing') || stages.has('simulating'), `the progress indicator showed the work (${[...stages]})`);
  await page.evaluate(() => performance.clearMeasures('efiviz-draw'));
  // Redraw at several zoom levels (each key changes the view, so each one draws once).
  const draws = [];
  for (const key of ['+', '+', 'd', 'a', '-', '+', 'f', '3', '2']) {
    const before = (await measures(page, 'efiviz-draw')).length;
    await page.keyboard.press(key);
    await page.waitForFunction((n) => performance.getEntriesByName('efiviz-draw').length > n, before, { timeout: 60_000 });
    const all = await measures(page, 'efiviz-draw');
    draws.push(`${key}:${all[all.length - 1].toFixed(1)}`);
  }
  const times = draws.map((d) => Number(d.split(':')[1]));
  const cells = Number(await page.getAttribute('#timeline', 'data-cells'));
  assert.ok(cells > 0 && cells < 100_000, `level of detail packs 100k regions into ${cells} rectangles`);
  console.log(`PERF 100k regions × 7 steps: upload→first paint ${upload?.toFixed(0)} ms (parse + both simulations); draw median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms (${draws.join(' ')}; ${cells} rectangles at fit)`);
  await page.screenshot({ path: join(SCREENSHOTS, 'perf-100k.png') });
  assert.deepEqual(problems, []);
});

test('the chart of a first upload is drawn and painted before the panels under it are built', async () => {
  const { page, problems } = await openApp(suite.browser, suite.server.url);
  await page.waitForFunction(() => performance.getEntriesByName('efiviz-warm').length > 0);
  // The start-up rehearsal rendered a whole workspace, but never into the page.
  assert.equal(await page.$$eval('#timeline, .workspace', (found) => found.length), 0);
  assert.equal(await page.$$eval('main.welcome', (found) => found.length), 1);
  // Records, in order, when the chart got its cells and when the table and sidebar appeared,
  // and whether a frame was painted between (a requestAnimationFrame callback ran).
  await page.evaluate(() => {
    window.order = [];
    let frames = 0;
    const count = () => {
      frames += 1;
      requestAnimationFrame(count);
    };
    requestAnimationFrame(count);
    new MutationObserver(() => {
      const seen = new Set(window.order.map((e) => e.what));
      const note = (what) => !seen.has(what) && window.order.push({ what, frames });
      if (document.querySelector('#timeline[data-cells]')) note('chart drawn');
      if (document.querySelector('#data-table')) note('table built');
      if (document.querySelector('#entry-count')) note('sidebar built');
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await page.setInputFiles('#file-input', { name: 'map-250.txt', mimeType: 'text/plain', buffer: Buffer.from(syntheticMap(250)) });
  await page.waitForSelector('#data-table');
  await page.waitForSelector('#entry-count');
  const order = await page.evaluate(() => window.order);
  assert.equal(order[0].what, 'chart drawn', JSON.stringify(order));
  for (const later of order.slice(1)) {
    assert.ok(later.frames > order[0].frames, `${later.what} came after a painted frame: ${JSON.stringify(order)}`);
  }
  assert.equal(await page.$$eval('.after-paint', (placeholders) => placeholders.length), 0);
  assert.deepEqual(problems, []);
});
