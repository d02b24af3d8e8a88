// The overview strip under the timeline: drag its frame to pan, click elsewhere to centre.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appSuite } from './lib/suite.mjs';
import { openApp, ROOT } from './lib/browser.mjs';

const suite = appSuite();
const S02 = join(ROOT, 'crate-web/samples/s02-esrt-middle.txt');

// The visible window [start, end) as the overview reports it.
const windowOf = async (page) =>
  (await page.getAttribute('#map-strip', 'data-window')).split(' ').map((v) => BigInt(v));

// The lowest and highest address of the sample's map, read from its text, not from the app.
function mapExtent(text) {
  const ranges = [...text.matchAll(/range=\[0x([0-9a-f]+)-0x([0-9a-f]+)\]/g)];
  const starts = ranges.map((m) => BigInt(`0x${m[1]}`));
  const ends = ranges.map((m) => BigInt(`0x${m[2]}`) + 1n);
  return [starts.reduce((a, b) => (a < b ? a : b)), ends.reduce((a, b) => (a > b ? a : b))];
}

test('dragging the overview frame pans; clicking elsewhere centres the view there', async () => {
  const { page, problems } = await openApp(suite.browser, suite.server.url);
  await page.setInputFiles('#file-input', S02);
  await page.waitForFunction(() => document.querySelector('#entry-count')?.textContent === '11');
  for (let i = 0; i < 6; i++) await page.keyboard.press('+');
  await page.keyboard.press('a');
  const box = await page.locator('#map-strip').boundingBox();
  const [lo, hi] = mapExtent(readFileSync(S02, 'utf8'));
  // Pixel x of an address on the linear overview, and the address at a pixel.
  const xOf = (addr) => box.x + (Number(addr - lo) / Number(hi - lo)) * box.width;
  const addrAt = (x) => lo + BigInt(Math.round(((x - box.x) / box.width) * Number(hi - lo)));

  // Grab the frame in its middle and drag it right: the window moves to higher addresses.
  const [start, end] = await windowOf(page);
  const grabX = (xOf(start) + xOf(end)) / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(grabX, y);
  await page.mouse.down();
  await page.mouse.move(grabX + box.width * 0.2, y, { steps: 5 });
  await page.mouse.up();
  const [dragStart, dragEnd] = await windowOf(page);
  assert.ok(dragStart > start && dragEnd > end, `dragging right moves the window right (${start}→${dragStart})`);
  const heldCentre = addrAt(grabX + box.width * 0.2);
  assert.ok(dragStart <= heldCentre && heldCentre < dragEnd, 'the frame stays under the pointer');

  // Click far from the frame, near the left end: the view is centred on that address.
  const clickX = box.x + box.width * 0.05;
  await page.mouse.click(clickX, y);
  const [clickStart, clickEnd] = await windowOf(page);
  const target = addrAt(clickX);
  assert.ok(clickEnd < dragStart, 'the window jumped left');
  assert.ok(clickStart <= target && target < clickEnd, `the clicked address ${target.toString(16)} is in view`);
  assert.deepEqual(problems, []);
});
