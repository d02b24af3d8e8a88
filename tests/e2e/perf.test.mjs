// Performance figures, measured with the app's own performance marks and printed, never
// asserted against a time budget (timing on a shared machine is not a test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { appSuite } from './lib/suite.mjs';
import { openApp, SCREENSHOTS } from './lib/browser.mjs';
import { syntheticMap } from './lib/maps.mjs';

const suite = appSuite();

const measures = (page, name) =>
  page.evaluate((n) => performance.getEntriesByName(n, 'measure').map((e) => e.duration), name);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

test('upload to first paint of a 250-entry map', async () => {
  const { page, problems } = await openApp(suite.browser, suite.server.url);
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
  console.log(`PERF upload→first paint, 250 entries: median ${median(runs).toFixed(1)} ms, min ${Math.min(...runs).toFixed(1)} ms, runs ${runs.map((r) => r.toFixed(1)).join(', ')} ms`);
  assert.deepEqual(problems, []);
});

test('drawing 100 000 regions (level of detail)', async () => {
  const { page, problems } = await openApp(suite.browser, suite.server.url);
  await page.setInputFiles('#file-input', {
    name: 'map-100k.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from(syntheticMap(100_000)),
  });
  await page.waitForSelector('#entry-count', { timeout: 300_000 });
  assert.equal(await page.textContent('#entry-count'), '100000');
  const upload = (await measures(page, 'efiviz-upload-to-paint'))[0];
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
