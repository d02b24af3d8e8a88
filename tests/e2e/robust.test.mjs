// Bad input never costs the user their work: after a garbage upload, an over-limit file and
// a cancelled large load, the map, step, mode, zoom window, selection and knobs are as they were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, openSync, closeSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { appSuite } from './lib/suite.mjs';
import { openApp, ROOT } from './lib/browser.mjs';
import { syntheticMap } from './lib/maps.mjs';

const suite = appSuite();
const S02 = join(ROOT, 'crate-web/samples/s02-esrt-middle.txt');

// Everything the user set up, read from the page as a user (or a screen reader) sees it.
const snapshot = (page) =>
  page.evaluate(() => {
    const text = (selector) => document.querySelector(selector)?.textContent ?? null;
    return {
      file: text('#file-name'),
      entries: text('#entry-count'),
      step: text('#step-index'),
      mode: [...document.querySelectorAll('.modes button[aria-pressed="true"]')].map((b) => b.id),
      window: [...document.querySelectorAll('.ticks .tick')].map((t) => t.textContent).join(' '),
      selection: text('#details-range'),
      knobs: [...document.querySelectorAll('#knobs input')].map((i) =>
        i.type === 'checkbox' ? `${i.id}:${i.checked}` : `${i.id}:${i.value}`,
      ),
      reservations: text('#reservations'),
    };
  });

// Loads S02 and changes everything a user can: step, mode, zoom, selection, a knob.
async function workedOn(page) {
  await page.setInputFiles('#file-input', S02);
  await page.waitForFunction(() => document.querySelector('#entry-count')?.textContent === '11');
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('3');
  await page.keyboard.press('+');
  await page.keyboard.press('d');
  await page.keyboard.press(']');
  await page.check('#knob-efi-debug');
  await page.waitForFunction(() => !document.querySelector('#load-progress'));
  const before = await snapshot(page);
  assert.equal(before.step, 'Step 2 of 7');
  assert.deepEqual(before.mode, ['mode-compare']);
  assert.ok(before.selection, 'a region is selected');
  assert.ok(before.knobs.includes('knob-efi-debug:true'));
  return before;
}

test('a garbage upload shows an error and keeps the map, step, mode, zoom, selection and knobs', async () => {
  const { page, problems } = await openApp(suite.browser, suite.server.url);
  const before = await workedOn(page);
  const garbage = Buffer.alloc(64 * 1024);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 256;
  await page.setInputFiles('#file-input', { name: 'garbage.bin', mimeType: 'application/octet-stream', buffer: garbage });
  await page.waitForSelector('#load-error');
  assert.match(await page.textContent('#load-error'), /No EFI memory map found in garbage\.bin/);
  assert.deepEqual(await snapshot(page), before);
  assert.deepEqual(problems, []);
});

test('a file over the size limit is refused before it is read, naming its size and the limit', async () => {
  const { page, problems } = await openApp(suite.browser, suite.server.url);
  const before = await workedOn(page);
  // A sparse 300 MiB file: the app must refuse it from File.size alone.
  const dir = join(ROOT, 'target', 'e2e-tmp');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'journal-300M.log');
  const fd = openSync(path, 'w');
  ftruncateSync(fd, 300 * 1024 * 1024);
  closeSync(fd);
  await page.setInputFiles('#file-input', path);
  await page.waitForSelector('#load-error');
  assert.equal(
    await page.textContent('#load-error'),
    'journal-300M.log is 300.0 MiB (314572800 bytes), over the 256.0 MiB limit of what efiviz reads. ' +
      'Cut the log down to one boot (for example `journalctl -k -b`) and load that.',
  );
  assert.equal(await page.$('#load-progress'), null, 'no job was started');
  assert.deepEqual(await snapshot(page), before);
  assert.deepEqual(problems, []);
});

test('cancelling a large load keeps everything, and the next load works', async () => {
  const { page, problems } = await openApp(suite.browser, suite.server.url);
  const before = await workedOn(page);
  await page.setInputFiles('#file-input', { name: 'map-100k.txt', mimeType: 'text/plain', buffer: Buffer.from(syntheticMap(100_000)) });
  await page.waitForSelector('#load-progress');
  assert.match(await page.textContent('#load-progress'), /Loading map-100k\.txt: (reading|parsing|simulating)…/);
  await page.click('#cancel-load');
  await page.waitForSelector('#load-progress', { state: 'detached' });
  assert.deepEqual(await snapshot(page), before);
  // Nothing from the cancelled job arrives later.
  await page.waitForTimeout(500);
  assert.deepEqual(await snapshot(page), before);
  // A fresh worker takes the next job.
  await page.setInputFiles('#file-input', { name: 'map-250.txt', mimeType: 'text/plain', buffer: Buffer.from(syntheticMap(250)) });
  await page.waitForFunction(() => document.querySelector('#entry-count')?.textContent === '250');
  assert.deepEqual(problems, []);
});
