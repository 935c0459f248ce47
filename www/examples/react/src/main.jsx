import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.jsx";

// The entry imports no module that hot updates should re-run in place (Vite reloads the page
// for an update that reaches it): the client and its provider live in App.jsx.
const root = createRoot(document.getElementById("root"));
root.render(
  <StrictMode>
    <App onUnmount={() => root.unmount()} />
  </StrictMode>,
);
