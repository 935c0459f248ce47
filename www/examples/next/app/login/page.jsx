"use client";
import { useRouter } from "next/navigation";
import { useAuth } from "tokenrelay/react";

export default function Login() {
  const { login } = useAuth();
  const router = useRouter();
  async function submit(event) {
    event.preventDefault();
    await login({ email: "demo@example.com", password: "demo" });
    const target = new URLSearchParams(window.location.search).get("redirect");
    router.replace(target?.startsWith("/") && !target.startsWith("//") ? target : "/account");
  }
  return <form id="login-form" onSubmit={submit}><button id="login">Sign in as demo@example.com</button></form>;
}
