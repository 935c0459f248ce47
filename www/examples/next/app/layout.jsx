import { Providers } from "./providers.jsx";

export const metadata = { title: "tokenrelay + Next" };

export default function RootLayout({ children }) {
  return <html lang="en"><body><Providers>{children}</Providers></body></html>;
}
