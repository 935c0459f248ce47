// The options of tokenrelay's server side, with the browser client's names and meanings, and
// the token's place in an answer (`tokenField`, a field or a dotted path) read and written.
import { COOLDOWN_COOKIE, COOLDOWN_MS } from "./cookies.js";

const DEFAULTS = {
  refreshPath: "/auth/refresh",
  loginPath: "/auth/login",
  logoutPath: "/auth/logout",
  tokenField: "accessToken",
  csrfHeader: "X-Requested-With",
  csrf: null,
  refreshBody: undefined,
  logoutBody: undefined,
  refreshCookie: "__Host-refreshToken",
  accessCookie: "tokenrelayAccess",
  cooldownCookie: COOLDOWN_COOKIE,
  cooldownMs: COOLDOWN_MS,
  refreshAheadSeconds: 30,
  requestTimeoutMs: 10000,
  loginRoute: "/login",
};

/** RFC 7230 token characters: what a header or cookie name may hold. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function configError(message) {
  const error = new Error(message);
  error.name = "TokenRelayError";
  error.code = "config";
  return error;
}

/** The options with defaults; throws a `config` TokenRelayError for a bad or unknown one. */
export function resolveOptions(options) {
  if (!options || typeof options !== "object") throw configError("options must be an object");
  for (const key of Object.keys(options)) {
    if (!(key in DEFAULTS) && key !== "apiBase") throw configError(`unknown option ${key}`);
  }
  // An option given as `undefined` takes its default, as in the browser client.
  const given = Object.entries(options).filter(([, value]) => value !== undefined);
  const resolved = { ...DEFAULTS, ...Object.fromEntries(given) };
  let base;
  try {
    base = new URL(resolved.apiBase);
  } catch {
    throw configError("apiBase must be an absolute http(s) URL (the API as the server reaches it)");
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") throw configError("apiBase must be http(s)");
  resolved.apiBase = String(resolved.apiBase).replace(/\/+$/, "");
  const { tokenField, csrfHeader, csrf } = resolved;
  if (typeof tokenField !== "string" || !tokenField.trim() || tokenField.split(".").includes("")) {
    throw configError("tokenField must be a field name or dotted path");
  }
  if (csrfHeader !== null && !(typeof csrfHeader === "string" && TOKEN.test(csrfHeader))) {
    throw configError("csrfHeader must be a valid HTTP header name, or null");
  }
  if (csrf !== null) {
    if (typeof csrf !== "object" || typeof csrf.cookie !== "string" || typeof csrf.header !== "string") {
      throw configError("csrf must be { cookie, header }");
    }
    if (!TOKEN.test(csrf.cookie)) throw configError("csrf.cookie must be a valid cookie name");
    if (!TOKEN.test(csrf.header)) throw configError("csrf.header must be a valid HTTP header name");
    resolved.csrf = Object.freeze({ cookie: csrf.cookie, header: csrf.header });
  }
  for (const name of ["refreshBody", "logoutBody"]) {
    if (resolved[name] !== null && resolved[name] !== undefined && jsonBody(resolved[name]) === undefined) {
      throw configError(`${name} must be JSON-serialisable`);
    }
  }
  return Object.freeze(resolved);
}

/** `value` as JSON text; undefined for none (`undefined`, `null`) or what has no JSON text. */
export function jsonBody(value) {
  if (value === undefined || value === null) return undefined;
  try {
    const text = JSON.stringify(value); // undefined for a function or symbol; throws on a cycle or BigInt
    return typeof text === "string" ? text : undefined;
  } catch {
    return undefined;
  }
}

/** The value at `tokenField` (a field, or a dotted path into nested objects) of an answer. */
export function tokenAt(opts, body) {
  let value = body;
  for (const name of opts.tokenField.split(".")) {
    if (!value || typeof value !== "object" || !Object.hasOwn(value, name)) return undefined;
    value = value[name];
  }
  return value;
}

/** An answer holding `token` where `tokenField` says: `{ data: { access_token } }` for "data.access_token". */
export function tokenAnswer(opts, token) {
  return opts.tokenField.split(".").reduceRight((inner, name) => ({ [name]: inner }), token);
}
