"use client";
import { useRouter } from "next/navigation";
import { useAuth } from "tokenrelay/react";

export default function Login() {
  const { login, error } = useAuth();
  const router = useRouter();
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    await login({ email: form.get("email"), password: form.get("password") }).catch(() => {});
    router.replace(new URLSearchParams(location.search).get("redirect") || "/");
  };
  return (
    <form id="login-form" method="post" onSubmit={submit}>
      <input name="email" defaultValue="demo@example.com" />
      <input name="password" type="password" defaultValue="demo" />
      <button id="login">Sign in</button>
      {error && <p id="error">{error.message}</p>}
    </form>
  );
}
