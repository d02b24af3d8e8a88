// End to end: the Trunk-built app in headless Chromium, driven like a user would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serveDist } from './lib/server.mjs';
import { launch, openApp, ROOT, SHARED, SCREENSHOTS } from './lib/browser.mjs';

let server;
let browser;

before(async () => {
  server = await serveDist(join(ROOT, 'dist'));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const QEMU_SERIAL = join(SHARED, 'fixtures/real/04-qemu-ovmf-5.6rc3-padded-serial-runtime-map.txt');

test('uploading a real QEMU/OVMF serial log shows its 46 boot-map entries and draws them', async () => {
  const { page, problems } = await openApp(browser, server.url);
  await page.setInputFiles('#file-input', QEMU_SERIAL);
  // The fixture's header says the boot map has 46 entries (the runtime map, 38, is separate).
  await page.waitForSelector('#entry-count');
  assert.equal(await page.textContent('#entry-count'), '46');
  assert.equal(await page.textContent('#file-name'), '04-qemu-ovmf-5.6rc3-padded-serial-runtime-map.txt');

  // Something was really drawn: the strip has pixels in more than one colour.
  const colours = await page.$eval('#map-strip', (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
    return seen.size;
  });
  assert.ok(colours >= 3, `expected several memory-type colours, saw ${colours}`);

  await page.screenshot({ path: join(SCREENSHOTS, 'upload-qemu-serial.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test('a file with no memory map shows an error and keeps the previous map', async () => {
  const { page, problems } = await openApp(browser, server.url);
  await page.setInputFiles('#file-input', QEMU_SERIAL);
  await page.waitForSelector('#entry-count');
  await page.setInputFiles('#file-input', {
    name: 'notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('these are my notes\nnothing about memory here\n'),
  });
  await page.waitForSelector('#load-error');
  assert.match(await page.textContent('#load-error'), /No EFI memory map found in notes\.txt/);
  assert.equal(await page.textContent('#entry-count'), '46');
  assert.equal(await page.textContent('#file-name'), '04-qemu-ovmf-5.6rc3-padded-serial-runtime-map.txt');
  await page.screenshot({ path: join(SCREENSHOTS, 'error-keeps-previous.png'), fullPage: true });
  assert.deepEqual(problems, []);
});
