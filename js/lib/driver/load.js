// Compiles the wasm from what `init` was given; the glue then instantiates it synchronously
// (`initSync`), so the glue's own async loader (and its texts) stays out of the bundle.

/**
 * The compiled module of `input` (`InitInput`): a URL or string (fetched), a `Request`, a
 * `Response` (compiled as it streams in when served as `application/wasm`), bytes, a module, or
 * a promise of one of these. A failed fetch rejects with an `Error` naming the status and URL.
 */
export async function compile(input) {
  input = await input;
  if (input instanceof WebAssembly.Module) return input;
  if (typeof input === "string" || input instanceof URL || input instanceof Request) input = await fetch(input);
  if (!(input instanceof Response)) return WebAssembly.compile(input);
  if (!input.ok) throw new Error(`failed to fetch the wasm: HTTP ${input.status} ${input.url}`);
  // Streaming compilation needs the wasm MIME type; any other is compiled from the bytes.
  return /^application\/wasm\b/.test(input.headers.get("Content-Type"))
    ? WebAssembly.compileStreaming(input)
    : WebAssembly.compile(await input.arrayBuffer());
}
