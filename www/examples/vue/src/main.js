import { createApp } from "vue";
import { createRouter, createWebHistory } from "vue-router";
import { AuthClient } from "tokenrelay";
import { createTokenRelay, authGuard } from "tokenrelay/vue";
import App from "./App.vue";
import Home from "./Home.vue";
import Login from "./Login.vue";
import Account from "./Account.vue";

const auth = new AuthClient({ apiBase: import.meta.env.VITE_API_BASE || "http://127.0.0.1:8000" });
const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: "/", component: Home },
    { path: "/login", component: Login },
    { path: "/account", component: Account, meta: { requiresAuth: true } },
  ],
});
router.beforeEach(authGuard({ loginRoute: "/login" }));

const app = createApp(App, { onUnmount: () => { app.unmount(); auth.dispose(); } });
app.use(createTokenRelay({ client: auth })).use(router).mount("#app");
