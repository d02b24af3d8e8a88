// Issue 6 in the browser: dark mode, links, embedding and export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { appSuite } from './lib/suite.mjs';
import { openApp, watchPage, ROOT, SCREENSHOTS } from './lib/browser.mjs';
import { contrast, luminance, parseRgb } from './lib/colour.mjs';
import { syntheticMap } from './lib/maps.mjs';

const suite = appSuite();

// The most frequent colour of a canvas, as [r, g, b].
async function dominantColour(page, selector) {
  return page.$eval(selector, (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const counts = new Map();
    for (let i = 0; i < data.length; i += 4) {
      const key = `${data[i]},${data[i + 1]},${data[i + 2]}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1])[0][0].split(',').map(Number);
  });
}

// Loads the first sample and goes to the first step, where most lanes are still empty.
async function loadFirstStep(page) {
  await page.click('.gallery .sample');
  await page.waitForSelector('#entry-count');
  await page.keyboard.press('Home');
  await page.waitForFunction(() => document.querySelector('#step-index')?.textContent.startsWith('Step 1 '));
}

// The page's main text and background colours, and the chart's dominant colour.
async function themeColours(page) {
  const [fg, bg] = await page.$eval('body', (body) => {
    const style = getComputedStyle(body);
    return [style.color, style.backgroundColor];
  });
  return { fg: parseRgb(fg), bg: parseRgb(bg), chart: await dominantColour(page, '#timeline') };
}

test('dark mode follows the system, both themes are legible, and the toggle is remembered', async () => {
  const seen = {};
  for (const scheme of ['light', 'dark']) {
    const { page } = await openApp(suite.browser, suite.server.url, { colorScheme: scheme });
    await loadFirstStep(page);
    assert.equal(await page.getAttribute('html', 'data-theme'), scheme);
    seen[scheme] = await themeColours(page);
    await page.screenshot({ path: join(SCREENSHOTS, `theme-${scheme}.png`), fullPage: true });
    // WCAG AA for body text.
    const ratio = contrast(seen[scheme].fg, seen[scheme].bg);
    assert.ok(ratio >= 4.5, `${scheme}: main text contrast ${ratio.toFixed(2)}`);
    console.log(`THEME ${scheme}: text ${seen[scheme].fg} on ${seen[scheme].bg}, contrast ${ratio.toFixed(2)}:1, chart ${seen[scheme].chart}`);
    await page.close();
  }
  assert.notDeepEqual(seen.light.bg, seen.dark.bg);
  assert.notDeepEqual(seen.light.fg, seen.dark.fg);
  // The canvas follows the page: empty lanes are light on light, dark on dark.
  assert.ok(luminance(seen.light.chart) > 0.7, `light chart ${seen.light.chart}`);
  assert.ok(luminance(seen.dark.chart) < 0.1, `dark chart ${seen.dark.chart}`);

  // The toggle overrides the system and survives a reload.
  const { page } = await openApp(suite.browser, suite.server.url, { colorScheme: 'light' });
  await page.click('#theme-toggle');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
  assert.equal(await page.getAttribute('#theme-toggle', 'aria-pressed'), 'true');
  await page.reload();
  await page.waitForSelector('#file-input', { state: 'attached' });
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  await loadFirstStep(page);
  assert.ok(luminance(await dominantColour(page, '#timeline')) < 0.1);
});

const CLIPBOARD = { permissions: ['clipboard-read', 'clipboard-write'] };
const DOWNLOADS = join(ROOT, 'target', 'e2e-downloads');
mkdirSync(DOWNLOADS, { recursive: true });

// Everything a shared view must reproduce, read from the page as a user sees it.
async function viewOf(page) {
  return page.evaluate(() => {
    const text = (selector) => document.querySelector(selector)?.textContent ?? null;
    const pressed = [...document.querySelectorAll('.modes button[aria-pressed="true"]')].map((b) => b.id);
    const knobs = [...document.querySelectorAll('#knobs input[type="checkbox"]')].map((c) => `${c.id}=${c.checked}`);
    return {
      name: text('#file-name'),
      step: text('#step-index'),
      mode: pressed,
      ticks: [...document.querySelectorAll('.tick')].map((t) => t.textContent),
      selected: text('#details-range'),
      knobs,
      reservations: text('#reservations'),
    };
  });
}

// S02 in compare mode at step 4 (SetVirtualAddressMap), zoomed in, a region selected,
// efi=debug switched on: every part of the view differs from what a fresh load shows.
async function arrangeView(page) {
  await page.click('.gallery [data-sample="s02"]');
  await page.waitForSelector('#entry-count');
  await page.click('#knob-efi-debug');
  await page.click('#mode-compare');
  await page.keyboard.press('Home');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  await page.keyboard.press('+');
  await page.keyboard.press('+');
  await page.keyboard.press(']');
  await page.keyboard.press(']');
  await page.waitForSelector('#details-range');
  const view = await viewOf(page);
  assert.equal(view.step, 'Step 4 of 7');
  assert.deepEqual(view.mode, ['mode-compare']);
  assert.ok(view.knobs.includes('knob-efi-debug=true'), `${view.knobs}`);
  return view;
}

async function waitForMap(page) {
  await page.waitForSelector('#entry-count');
  await page.waitForSelector('#timeline');
}

test('Copy link opens exactly the same view in a new page, with no server involved', async () => {
  const { page } = await openApp(suite.browser, suite.server.url, CLIPBOARD);
  const before = await arrangeView(page);
  await page.click('#copy-link');
  await page.waitForSelector('#share-status');
  assert.match(await page.textContent('#share-status'), /link copied to the clipboard/);
  const link = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(await page.inputValue('#share-text'), link, 'the link is also shown');
  assert.ok(link.startsWith(`${suite.server.url}#v=2&`), link);
  console.log(`LINK ${link.length} characters for s02 (compare, zoomed, selection, knobs)`);

  const { page: other } = await openApp(suite.browser, link);
  await waitForMap(other);
  await other.waitForSelector('#details-range');
  assert.deepEqual(await viewOf(other), before);

  // hashchange: pasting another link into the same tab opens that view.
  await other.evaluate(() => {
    location.hash = location.hash.replace('step=3', 'step=1');
  });
  await other.waitForFunction(() => document.querySelector('#step-index')?.textContent === 'Step 2 of 7');
});

test('a frozen version-1 link from share-core still opens', async () => {
  const frozen = readFileSync(join(ROOT, 'crate-core/tests/data/share/v1-virtualbox.link'), 'utf8').trim();
  const { page } = await openApp(suite.browser, `${suite.server.url}${frozen}`);
  await waitForMap(page);
  // v1 carried mode=compare, step=3 and the VirtualBox log (42 entries, its fixture notes).
  assert.equal(await page.textContent('#entry-count'), '42');
  assert.equal(await page.textContent('#step-index'), 'Step 4 of 7');
  assert.equal(await page.getAttribute('#mode-compare', 'aria-pressed'), 'true');
  assert.equal(await page.textContent('#file-name'), '34-virtualbox-efi-vbox64-fedora14.txt');
});

test('a damaged link says which field is wrong', async () => {
  const { page } = await openApp(suite.browser, `${suite.server.url}#v=2&k=sideways&in=AAAA`);
  await page.waitForSelector('#load-error');
  assert.match(await page.textContent('#load-error'), /^This link could not be opened: link field `/);
});

// A page on another origin (another port) that frames the app.
async function hostPage(frameSrc, frameHeight) {
  const html = `<!DOCTYPE html><title>docs</title><h1>Host docs page</h1>
<iframe id="efiviz" src="${frameSrc}" width="960" height="${frameHeight}" style="border:0"></iframe>`;
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) };
}

test('embed mode works in a cross-origin iframe: timeline, stepping, read-only, never leaves the frame', async () => {
  const { page } = await openApp(suite.browser, suite.server.url, CLIPBOARD);
  await arrangeView(page);
  await page.click('#embed-snippet');
  await page.waitForSelector('#share-text');
  const snippet = await page.inputValue('#share-text');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), snippet);
  const src = snippet.match(/^<iframe src="([^"]+)"/)[1].replaceAll('&amp;', '&');
  const frameHeight = Number(snippet.match(/height="(\d+)"/)[1]);
  assert.ok(src.startsWith(`${suite.server.url}?embed#v=2&`), src);

  const host = await hostPage(src, frameHeight);
  try {
    // A reader with a dark system setting: the embedded view follows it too.
    const outer = await suite.browser.newPage({ viewport: { width: 1100, height: frameHeight + 120 }, colorScheme: 'dark' });
    await watchPage(outer, [new URL(host.url).origin, new URL(suite.server.url).origin]);
    await outer.goto(host.url);
    const frame = outer.frameLocator('#efiviz');
    await frame.locator('#timeline').waitFor();
    assert.equal(await frame.locator('#step-index').textContent(), 'Step 4 of 7');
    assert.equal(await frame.locator('html').getAttribute('data-theme'), 'dark');
    // Read-only: no upload, no knobs, no sharing tools; only stepper and timeline.
    for (const absent of ['#file-input', '#knobs', '#copy-link', '#paste-text', '.sidebar']) {
      assert.equal(await frame.locator(absent).count(), 0, `${absent} is not in embed mode`);
    }
    const cells = await frame.locator('#timeline').evaluate((canvas) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      const seen = new Set();
      for (let i = 0; i < data.length; i += 4) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
      return seen.size;
    });
    assert.ok(cells >= 3, `the timeline draws inside the frame (${cells} colours)`);
    await frame.locator('#step-next').click();
    assert.equal(await frame.locator('#step-index').textContent(), 'Step 5 of 7');
    await frame.locator('#step-prev').click();
    await frame.locator('#step-prev').click();
    assert.equal(await frame.locator('#step-index').textContent(), 'Step 3 of 7');
    // Fits the frame the snippet asks for: no scrolling inside, either way.
    const overflow = await frame.locator('html').evaluate((e) => [e.scrollWidth - e.clientWidth, e.scrollHeight - e.clientHeight]);
    assert.deepEqual(overflow.map((o) => Math.max(o, 0)), [0, 0], `scrolls by ${overflow} px`);
    await outer.screenshot({ path: join(SCREENSHOTS, 'embed-cross-origin.png') });

    const open = frame.locator('#open-in-efiviz');
    assert.equal(await open.getAttribute('target'), '_blank');
    const [popup] = await Promise.all([outer.waitForEvent('popup'), open.click()]);
    await popup.waitForSelector('#entry-count');
    assert.equal(await popup.textContent('#step-index'), 'Step 3 of 7');
    assert.ok(await popup.$('#file-input'), 'the full app, not the embed');
    assert.equal(outer.url(), host.url, 'the host page never navigated');
    await popup.close();
  } finally {
    await host.close();
  }
});

test('SVG export downloads a real SVG that reopens the same view when dropped back', async () => {
  const { page } = await openApp(suite.browser, suite.server.url);
  const before = await arrangeView(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-svg')]);
  // Named after the input (the sample's title).
  assert.equal(download.suggestedFilename(), 'Spec-S02--ESRT-split.svg');
  const path = join(DOWNLOADS, download.suggestedFilename());
  await download.saveAs(path);
  const svg = readFileSync(path, 'utf8');
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      root: doc.documentElement.localName,
      namespace: doc.documentElement.namespaceURI,
      width: doc.documentElement.getAttribute('width'),
      view: doc.getElementsByTagNameNS('urn:efiviz:view', 'view').length,
      rects: doc.getElementsByTagName('rect').length,
    };
  }, svg);
  assert.equal(parsed.error, null);
  assert.equal(parsed.root, 'svg');
  assert.equal(parsed.namespace, 'http://www.w3.org/2000/svg');
  assert.equal(parsed.width, '1600', 'the width field sets the figure width');
  assert.equal(parsed.view, 1, 'the view is in <metadata>');
  assert.ok(parsed.rects > 10, `${parsed.rects} rects`);
  console.log(`SVG ${svg.length} bytes, ${parsed.rects} rects`);

  const { page: fresh } = await openApp(suite.browser, suite.server.url);
  await fresh.setInputFiles('#file-input', path);
  await waitForMap(fresh);
  await fresh.waitForSelector('#details-range');
  assert.deepEqual(await viewOf(fresh), before);
});

// Width and height from a PNG's IHDR chunk (bytes 16–23, big-endian).
function pngSize(bytes) {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(bytes.subarray(12, 16).toString('latin1'), 'IHDR');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

test('PNG export has the requested pixel size', async () => {
  const { page } = await openApp(suite.browser, suite.server.url);
  await arrangeView(page);
  for (const [width, height] of [[640, 360], [2400, 1000]]) {
    await page.fill('#png-width', String(width));
    await page.fill('#png-height', String(height));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
    const path = join(DOWNLOADS, `view-${width}x${height}.png`);
    await download.saveAs(path);
    const bytes = readFileSync(path);
    assert.deepEqual(pngSize(bytes), [width, height]);
    console.log(`PNG ${width}x${height}: ${bytes.length} bytes (${path})`);
  }
  await page.fill('#png-width', '0');
  await page.click('#export-png');
  assert.match(await page.textContent('#share-status'), /width and height must be whole numbers/);
});

test('copy as text: kernel-style log lines and a markdown table of the current step', async () => {
  const { page } = await openApp(suite.browser, suite.server.url, CLIPBOARD);
  await page.click('.gallery [data-sample="s02"]');
  await page.waitForSelector('#entry-count');
  await page.click('#copy-log');
  await page.waitForSelector('#share-text');
  const log = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(log, /^efiviz: NEW kernel, step 7 /);
  // One efi=debug line per efi.memmap entry the memmap panel shows.
  const cells = await page.$$eval('#memmap-view .cells > li:not(.stale)', (items) => items.length);
  assert.equal([...log.matchAll(/^efi: mem\d+: \[/gm)].length, cells);

  await page.keyboard.press('f');
  await page.click('#copy-table');
  await page.waitForFunction(() => document.querySelector('#share-status')?.textContent.includes('markdown table'));
  const table = await page.evaluate(() => navigator.clipboard.readText());
  const rows = table.trim().split('\n').filter((l) => l.startsWith('|'));
  assert.match(rows[1], /^\|( -+:? \|)+$/, 'a markdown header rule');
  // With the whole map in view, the regions table lists every region of the step.
  const listed = await page.$$eval('#data-table tbody tr', (trs) => trs.length);
  assert.equal(rows.length - 2, listed);
});

test('an input too large for any link is explained and offered as a file instead', async () => {
  const { page } = await openApp(suite.browser, suite.server.url, CLIPBOARD);
  // 6000 distinct descriptors: even the parsed model deflates far past the 32 KiB limit.
  const text = syntheticMap(6000);
  await page.setInputFiles('#file-input', { name: 'huge.txt', mimeType: 'text/plain', buffer: Buffer.from(text) });
  await page.waitForSelector('#entry-count');
  assert.equal(await page.textContent('#entry-count'), '6000');
  await page.click('#copy-link');
  await page.waitForSelector('#share-status.error');
  assert.match(
    await page.textContent('#share-status'),
    /Cannot make a link: this input is too large for a link \(\d+ KiB of link text, the limit is 32 KiB\); export a file instead\./,
  );
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-input')]);
  assert.equal(download.suggestedFilename(), 'huge.txt');
  const path = join(DOWNLOADS, 'huge.txt');
  await download.saveAs(path);
  assert.equal(readFileSync(path, 'utf8'), text, 'the exported file is the input, byte for byte');
});
