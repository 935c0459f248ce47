import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { AuthProvider } from "tokenrelay/react";
import { auth } from "./auth.js";
import { App } from "./App.jsx";

const root = createRoot(document.getElementById("root"));
root.render(
  <StrictMode>
    <AuthProvider client={auth}>
      <App onUnmount={() => { root.unmount(); auth.dispose(); }} />
    </AuthProvider>
  </StrictMode>,
);
