// The AuthClient options of the public runtime config (`tokenrelay` key), without the module's own.
export function clientOptions(config) {
  const { loginRoute, ...options } = JSON.parse(JSON.stringify(config.public.tokenrelay ?? {}));
  return { options, loginRoute: loginRoute ?? "/login" };
}
