// Set-Cookie headers as a test reads them (node's fetch keeps no cookie jar).

/** One Set-Cookie header: { name, value, attrs } with attribute names lower-cased. */
export function parseSetCookie(header) {
  const [pair, ...rest] = header.split(';').map((s) => s.trim());
  const eq = pair.indexOf('=');
  const attrs = {};
  for (const a of rest) {
    const i = a.indexOf('=');
    if (i < 0) attrs[a.toLowerCase()] = true;
    else attrs[a.slice(0, i).toLowerCase()] = a.slice(i + 1);
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attrs };
}

