// End to end: the Trunk-built app in headless Chromium, driven like a user would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appSuite } from './lib/suite.mjs';
import { openApp, ROOT, SHARED, SCREENSHOTS } from './lib/browser.mjs';

const suite = appSuite();

const QEMU_SERIAL = join(SHARED, 'fixtures/real/04-qemu-ovmf-5.6rc3-padded-serial-runtime-map.txt');
const S02 = join(ROOT, 'crate-web/samples/s02-esrt-middle.txt');

// Distinct colours on a canvas: proof that something was really drawn.
async function colours(page, selector) {
  return page.$eval(selector, (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
    return seen.size;
  });
}

// The descriptor ranges of a dmesg text, read independently of the app's parser.
function descriptorRanges(text) {
  return [...text.matchAll(/range=\[0x([0-9a-f]+)-0x([0-9a-f]+)\]/g)].map((m) => [
    BigInt(`0x${m[1]}`),
    BigInt(`0x${m[2]}`) + 1n,
  ]);
}

test('uploading a real QEMU/OVMF serial log shows its 46 boot-map entries and draws them', async () => {
  const { page, problems } = await openApp(suite.browser, suite.server.url);
  await page.setInputFiles('#file-input', QEMU_SERIAL);
  // The fixture's header says the boot map has 46 entries (the runtime map, 38, is separate).
  await page.waitForSelector('#entry-count');
  assert.equal(await page.textContent('#entry-count'), '46');
  assert.equal(await page.textContent('#file-name'), '04-qemu-ovmf-5.6rc3-padded-serial-runtime-map.txt');
  assert.equal(await page.textContent('#detected-format'), 'dmesg');
  assert.ok((await colours(page, '#map-strip')) >= 3, 'the overview strip shows several states');
  assert.ok((await colours(page, '#timeline')) >= 3, 'the timeline shows several states');
  await page.screenshot({ path: join(SCREENSHOTS, 'upload-qemu-serial.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test('a file with no memory map shows an error and keeps the previous map', async () => {
  const { page, problems } = await openApp(suite.browser, suite.server.url);
  await page.setInputFiles('#file-input', QEMU_SERIAL);
  await page.waitForSelector('#entry-count');
  await page.keyboard.press('+');
  const before = await page.$$eval('.tick', (ticks) => ticks.map((t) => t.textContent));
  await page.setInputFiles('#file-input', {
    name: 'notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('these are my notes\nnothing about memory here\n'),
  });
  await page.waitForSelector('#load-error');
  assert.match(await page.textContent('#load-error'), /No EFI memory map found in notes\.txt/);
  assert.equal(await page.textContent('#entry-count'), '46');
  assert.equal(await page.textContent('#file-name'), '04-qemu-ovmf-5.6rc3-padded-serial-runtime-map.txt');
  const after = await page.$$eval('.tick', (ticks) => ticks.map((t) => t.textContent));
  assert.deepEqual(after, before, 'the zoomed view is kept');
  await page.screenshot({ path: join(SCREENSHOTS, 'error-keeps-previous.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test('dropping a file anywhere on the page loads it', async () => {
  const { page, problems } = await openApp(suite.browser, suite.server.url);
  const text = readFileSync(S02, 'utf8');
  const transfer = await page.evaluateHandle((contents) => {
    const dt = new DataTransfer();
    dt.items.add(new File([contents], 's02-esrt-middle.txt', { type: 'text/plain' }));
    return dt;
  }, text);
  await page.dispatchEvent('.page', 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent('.page', 'drop', { dataTransfer: transfer });
  await page.waitForSelector('#entry-count');
  // S02 has 11 descriptors (scenarios.json), one `efi: memNN` line each.
  assert.equal(await page.textContent('#entry-count'), String(descriptorRanges(text).length));
  assert.equal(await page.textContent('#entry-count'), '11');
  assert.equal(await page.textContent('#file-name'), 's02-esrt-middle.txt');
  assert.deepEqual(problems, []);
});

test('pasting text loads it, from the text box and with Ctrl+V on the page', async () => {
  const { page, problems } = await openApp(suite.browser, suite.server.url);
  const text = readFileSync(S02, 'utf8');
  await page.click('.paste-box summary');
  await page.fill('#paste-text', text);
  await page.click('#paste-load');
  await page.waitForSelector('#entry-count');
  assert.equal(await page.textContent('#entry-count'), '11');
  assert.equal(await page.textContent('#file-name'), 'pasted text');

  const fresh = await openApp(suite.browser, suite.server.url);
  await fresh.page.evaluate((contents) => {
    const data = new DataTransfer();
    data.setData('text/plain', contents);
    document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
  }, text);
  await fresh.page.waitForSelector('#entry-count');
  assert.equal(await fresh.page.textContent('#entry-count'), '11');
  assert.deepEqual([...problems, ...fresh.problems], []);
});

test('the gallery offers at least 8 samples and each one loads a map', async () => {
  const { page, problems } = await openApp(suite.browser, suite.server.url);
  const ids = await page.$$eval('.sample', (buttons) => buttons.map((b) => b.dataset.sample));
  assert.ok(ids.length >= 8, `${ids.length} samples`);
  await page.screenshot({ path: join(SCREENSHOTS, 'welcome-gallery.png'), fullPage: true });
  for (const id of ids) {
    await page.click(`.gallery [data-sample="${id}"]`, { force: true }).catch(async () => {
      await page.click('.samples-menu summary');
      await page.click(`.samples-menu [data-sample="${id}"]`);
    });
    await page.waitForSelector('#entry-count');
    const count = Number(await page.textContent('#entry-count'));
    assert.ok(count > 0, `${id} loads a map`);
    assert.equal(await page.$('#load-error'), null, `${id} loads without error`);
  }
  assert.deepEqual(problems, []);
});

test('keyboard alone: load a sample, step with arrows/Home/End, zoom, pan, fit, compare', async () => {
  const { page, problems } = await openApp(suite.browser, suite.server.url);
  // Tab to the first sample and press Enter.
  let focused = '';
  for (let i = 0; i < 10 && focused !== 'sample'; i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement?.className ?? '');
  }
  assert.equal(focused, 'sample', 'a sample is reachable with Tab');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#step-index');
  const total = Number((await page.textContent('#step-index')).match(/of (\d+)/)[1]);
  await page.locator('body').focus();
  await page.keyboard.press('Home');
  assert.equal(await page.textContent('#step-index'), `Step 1 of ${total}`);
  const names = [await page.textContent('#step-name')];
  for (let step = 2; step <= total; step++) {
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.textContent('#step-index'), `Step ${step} of ${total}`);
    names.push(await page.textContent('#step-name'));
    await page.screenshot({ path: join(SCREENSHOTS, `step-${step}.png`) });
  }
  assert.equal(new Set(names).size, total, `every step has its own name: ${names}`);
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.textContent('#step-index'), `Step ${total} of ${total}`);
  await page.keyboard.press('Home');
  assert.equal(await page.textContent('#step-index'), `Step 1 of ${total}`);
  await page.keyboard.press('End');
  assert.equal(await page.textContent('#step-index'), `Step ${total} of ${total}`);

  const ticks = () => page.$$eval('.tick', (t) => t.map((e) => e.textContent).join(' '));
  const fit = await ticks();
  await page.keyboard.press('+');
  await page.keyboard.press('+');
  const zoomed = await ticks();
  assert.notEqual(zoomed, fit, 'zooming changes the labels');
  await page.keyboard.press('d');
  assert.notEqual(await ticks(), zoomed, 'panning changes the labels');
  await page.keyboard.press('f');
  assert.equal(await ticks(), fit, 'F fits the whole map again');

  const lanes = await page.$$eval('.lane-label', (l) => l.length);
  await page.keyboard.press('3');
  assert.equal(await page.$$eval('.lane-label', (l) => l.length), 2 * lanes, 'compare mode interleaves OLD and NEW');
  assert.equal(await page.getAttribute('#mode-compare', 'aria-pressed'), 'true');
  await page.keyboard.press(']');
  assert.match(await page.textContent('#details h2'), /^Selected: /, '] selects a region');
  const first = await page.textContent('#details-range');
  await page.keyboard.press(']');
  assert.notEqual(await page.textContent('#details-range'), first, '] moves to the next region');
  await page.screenshot({ path: join(SCREENSHOTS, 'compare.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test('hovering a region shows its details; clicking selects it and the table follows', async () => {
  const { page, problems } = await openApp(suite.browser, suite.server.url);
  const text = readFileSync(S02, 'utf8');
  const ranges = descriptorRanges(text);
  await page.setInputFiles('#file-input', S02);
  await page.waitForSelector('#timeline');
  const box = await page.locator('#timeline').boundingBox();
  // The bottom lane is the current (last) step.
  const y = box.y + box.height - 10;
  await page.mouse.move(box.x + box.width * 0.5, y);
  await page.waitForSelector('#details-range');
  const shown = await page.textContent('#details-range');
  const [, start, end] = shown.match(/\[0x([0-9a-f]+), 0x([0-9a-f]+)\)/);
  const found = ranges.find(([s, e]) => s === BigInt(`0x${start}`) && e === BigInt(`0x${end}`));
  assert.ok(found, `${shown} is one of the file's descriptors`);
  const bytes = found[1] - found[0];
  assert.match(await page.textContent('#details-size'), new RegExp(`\\(${bytes.toLocaleString('en-US')} bytes\\)`));
  assert.match(await page.textContent('#details h2'), /^Hovered: /);
  await page.mouse.click(box.x + box.width * 0.5, y);
  assert.match(await page.textContent('#details h2'), /^Selected: /);
  const row = await page.textContent('#data-table tr.selected td:nth-child(2)');
  assert.equal(BigInt(row), BigInt(`0x${start}`), 'the table row of the selected region is marked');
  await page.screenshot({ path: join(SCREENSHOTS, 'details.png'), fullPage: true });
  await page.keyboard.press('Escape');
  assert.equal(await page.$('#data-table tr.selected'), null);
  assert.deepEqual(problems, []);
});

test('knobs re-run both kernels: efi=debug and an added BGRT change what compare mode reports', async () => {
  const { page, problems } = await openApp(suite.browser, suite.server.url);
  await page.click('[data-sample="s01"]');
  await page.waitForSelector('#knobs');
  await page.keyboard.press('3');
  // S01 is the plain baseline: scenarios.json gives both kernels a freeing message.
  const messages = () => page.textContent('.free-messages');
  assert.match(await messages(), /OLD: Freeing EFI boot services memory: \d+K/);
  const plain = await page.$$eval('#differences th', (ths) => ths.map((t) => t.textContent));

  // A BGRT image in the Boot Code descriptor B0 (0x40000000, as in S12): OLD frees it (D5).
  await page.selectOption('.add-reservation select', 'BGRT');
  await page.fill('#reservation-addr', '0x40004000');
  await page.fill('#reservation-size', '0x3000');
  await page.click('.add-reservation button');
  await page.waitForFunction(() => document.querySelector('#reservations')?.textContent.includes('BGRT'));
  const withBgrt = await page.$$eval('#differences th', (ths) => ths.map((t) => t.textContent));
  assert.ok(withBgrt.includes('D5'), `D5 after adding a BGRT in Boot Code: ${withBgrt} (before: ${plain})`);

  await page.check('#knob-efi-debug');
  await page.waitForFunction(() => !document.querySelector('.free-messages')?.textContent.includes('OLD: Freeing'));
  assert.match(await messages(), /OLD: \(no freed-memory line\)/);
  await page.screenshot({ path: join(SCREENSHOTS, 'knobs-efi-debug.png'), fullPage: true });

  // A bad reservation is refused with a message, and nothing else changes.
  await page.fill('#reservation-addr', 'nowhere');
  await page.click('.add-reservation button');
  assert.match(await page.textContent('.knobs .error'), /needs an address/);
  assert.deepEqual(problems, []);
});

test('the efi.memmap view shows OLD splitting the ESRT descriptor and NEW leaving the map alone', async () => {
  const { page, problems } = await openApp(suite.browser, suite.server.url);
  const spec = JSON.parse(readFileSync(join(SHARED, 'fixtures/scenarios.json'), 'utf8')).S02_esrt_middle;
  const oldMap = spec.old.map_after_reserve_boot_services;
  const pieces = oldMap.filter((d) => /^B0[a-z]$/.test(d.id)).length;
  await page.click('[data-sample="s02"]');
  await page.waitForSelector('#memmap-view');
  await page.keyboard.press('1');
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.textContent('#step-name'), 'reserve (end of setup_arch)');
  // scenarios.json: 13 entries after efi_reserve_boot_services, B0 cut into B0a, B0b, B0c.
  assert.equal(await page.$$eval('#memmap-view .cell:not(.stale)', (c) => c.length), oldMap.length);
  assert.equal(await page.$$eval('#memmap-view .cell.split', (c) => c.length), pieces);
  assert.equal(pieces, 3);
  await page.screenshot({ path: join(SCREENSHOTS, 'memmap-old-split.png'), fullPage: true });
  await page.keyboard.press('2');
  assert.equal(await page.$$eval('#memmap-view .cell.split', (c) => c.length), 0);
  assert.equal(await page.$$eval('#memmap-view .cell:not(.stale)', (c) => c.length), spec.descs.length);
  assert.deepEqual(problems, []);
});
