// tokenrelay/next with a third-party backend's options (README, Backend recipes).
import { createNextAuth } from "tokenrelay/next";

const directus = createNextAuth({ apiBase: "http://cms.internal:8055", tokenField: "data.access_token",
  csrfHeader: null, refreshCookie: "directus_refresh_token", refreshBody: { mode: "cookie" }, logoutBody: { mode: "cookie" } });
const flask = createNextAuth({ apiBase: "http://api.internal:5000", tokenField: "access_token", csrfHeader: null,
  refreshCookie: "refresh_token_cookie", csrf: { cookie: "csrf_refresh_token", header: "X-CSRF-TOKEN" } });

export async function use(request: Request): Promise<void> {
  const header: string | null = directus.options.csrfHeader;
  const csrf: { cookie: string; header: string } | null = flask.options.csrf;
  const answer: Response = await flask.POST(request);
  const token: string | null = directus.accessToken("tokenrelayAccess=1.x.y.z");
  console.log(header, csrf, answer.status, token);
  // @ts-expect-error: csrf needs both names
  createNextAuth({ apiBase: "http://api.internal", csrf: { cookie: "csrf_refresh_token" } });
  // @ts-expect-error: csrfHeader is a name or null
  createNextAuth({ apiBase: "http://api.internal", csrfHeader: false });
}
