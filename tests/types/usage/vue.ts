// tokenrelay/vue as a Vue 3 app with vue-router uses it.
import { createApp, defineComponent, h } from "vue";
import { createRouter, createMemoryHistory } from "vue-router";
import { AuthClient } from "tokenrelay/slim";
import { createTokenRelay, useAuth, authGuard } from "tokenrelay/vue";
import type { AuthState, AuthStatus } from "tokenrelay";

const auth = new AuthClient({ apiBase: "https://api.example.com" });
const Home = defineComponent({
  setup() {
    const { state, status, user, error, isLoading, isSignedIn, login, logout, fetch } = useAuth();
    const s: AuthState = state.value;
    const st: AuthStatus = status.value;
    const signedIn: boolean = isSignedIn.value && !isLoading.value;
    // @ts-expect-error the refs are read-only
    status.value = "signedIn";
    // @ts-expect-error the refs are read-only
    state.value = s;
    return () => h("button", { onClick: () => login({}).then(() => fetch("/api/me")).then(() => logout()) },
      `${st} ${signedIn} ${user.value?.sub ?? ""} ${error.value?.code ?? ""}`);
  },
});
const router = createRouter({
  history: createMemoryHistory(),
  routes: [{ path: "/", component: Home, meta: { requiresAuth: true } }, { path: "/login", component: Home }],
});
router.beforeEach(authGuard({ loginRoute: "/login" }));
const plugin = createTokenRelay({ client: auth });
const ready: Promise<void> = plugin.ready;
createApp(Home).use(plugin).use(router).mount("#app");
// @ts-expect-error loginRoute is required
authGuard({});
console.log(ready);
