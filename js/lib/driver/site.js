// Sites: whether `apiBase` is on the page's site, so that its refresh cookie is first-party. A site
// is the scheme and the registrable domain. Without the public-suffix list (tens of kilobytes) the
// registrable domain is guessed (README, Cookies across sites): an IP address or a one-label host
// is its own site; otherwise the last two labels, or three when the last is a two-letter country
// code and the one before has at most three letters (`example.co.uk`). Here, not in the wasm: the
// browser's URL parser is free, and the wasm's bytes are not.

/** The scheme and registrable domain of `url`. */
function site(url) {
  const { protocol, hostname } = new URL(url);
  const labels = hostname.split(".");
  const [second, last] = labels.slice(-2);
  const keep = /^[\d.]+$/.test(hostname) ? labels.length : last?.length === 2 && second.length <= 3 ? 3 : 2;
  return protocol + labels.slice(-keep).join(".");
}

/** Whether `api` is on another site than the page of origin `page` (false when either does not
 * parse: an opaque `null` origin tells nothing). */
export function crossSite(page, api) {
  try {
    return site(page) !== site(api);
  } catch {
    return false;
  }
}
