// Synthetic maps for the end-to-end suite, written as kernel `efi=debug` lines so they go
// through the same parser as a real dmesg. Entry counts are known by construction.

const TYPES = ['Conventional', 'Boot Data   ', 'Boot Code   ', 'Loader Data ', 'Runtime Data'];

function line(index, type, start, pages, runtime) {
  const end = start + BigInt(pages) * 4096n - 1n;
  const attrs = `|${runtime ? 'RUN' : '   '}|  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]`;
  const hex = (v) => `0x${v.toString(16).padStart(16, '0')}`;
  const idx = String(index).padStart(2, '0');
  return `efi: mem${idx}: [${type}${attrs} range=[${hex(start)}-${hex(end)}] (${pages >> 8}MB)`;
}

// `count` adjacent descriptors from 1 MiB up, cycling through a few types and sizes.
export function syntheticMap(count) {
  const lines = [];
  let start = 0x100000n;
  for (let i = 0; i < count; i++) {
    const type = TYPES[i % TYPES.length];
    const pages = 1 + ((i * 7) % 64);
    lines.push(line(i, type.padEnd(12), start, pages, type.startsWith('Runtime')));
    start += BigInt(pages) * 4096n;
  }
  return `${lines.join('\n')}\n`;
}
