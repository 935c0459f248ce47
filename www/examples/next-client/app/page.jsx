export default function Home() {
  return <p id="home">Home</p>;
}
