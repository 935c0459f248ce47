import { Providers } from "./providers.jsx";

export const metadata = { title: "tokenrelay + Next" };

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>
        <main><Providers>{children}</Providers></main>
      </body>
    </html>
  );
}
