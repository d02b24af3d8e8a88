// Starts the app. It replaces the inline module script Trunk would write, so the
// Content-Security-Policy in index.html needs neither 'unsafe-inline' nor a per-build hash.
// Trunk fills in the hashed file names on this script tag (Trunk.toml `pattern_script`);
// they carry the public URL, so the app also runs from a sub-path.
const tag = document.querySelector('script[data-efiviz-wasm]');
const { default: init } = await import(tag.dataset.efivizJs);
await init({ module_or_path: tag.dataset.efivizWasm });
