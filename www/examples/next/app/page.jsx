import Link from "next/link";

export default function Home() {
  return <main><h1>tokenrelay + Next</h1><Link href="/account" id="to-account">Account</Link> <Link href="/login">Sign in</Link></main>;
}
