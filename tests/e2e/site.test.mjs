// The driver's guess of a site (js/lib/driver/site.js), in node: the deployments of README's
// "Cookies across sites" and the heuristic's known misses.
import assert from "node:assert/strict";
import { test } from "node:test";
import { crossSite } from "../../js/lib/driver/site.js";

test("the same registrable domain is one site, whatever the port or subdomain", () => {
  for (const [page, api] of [
    ["http://127.0.0.1:3000", "http://127.0.0.1:8055"],
    ["http://localhost:3000", "http://localhost:8000/api"],
    ["https://app.example.com", "https://api.example.com/v1"],
    ["https://example.com", "https://auth.eu.example.com"],
    ["https://app.example.co.uk", "https://api.example.co.uk"],
    ["https://www.shop.com.au", "https://api.shop.com.au"],
    ["https://a.example.de", "https://b.example.de"],
    ["http://[::1]:3000", "http://[::1]:8000"],
  ]) assert.equal(crossSite(page, api), false, `${page} ${api}`);
});

test("another domain or scheme is another site", () => {
  for (const [page, api] of [
    ["https://app.example.com", "https://api.example.net"],
    ["https://app.example.com", "https://example-api.herokuapp.com"],
    ["http://app.example.com", "https://api.example.com"],
    ["http://127.0.0.1:3000", "http://localhost:8000"],
    ["http://127.0.0.1:3000", "http://127.0.0.2:8000"],
    ["https://example.co.uk", "https://other.co.uk"],
    ["https://app.example.com", "https://example.com.evil.test"],
  ]) assert.equal(crossSite(page, api), true, `${page} ${api}`);
});

test("the heuristic's known misses, and origins that tell nothing", () => {
  assert.equal(crossSite("https://a.github.io", "https://b.github.io"), false, "private suffixes are not known");
  assert.equal(crossSite("https://a.xy.de", "https://b.xy.de"), true, "a short name under a country code looks like a suffix");
  assert.equal(crossSite("null", "https://api.example.com"), false);
  assert.equal(crossSite("https://app.example.com", "not a url"), false);
});
