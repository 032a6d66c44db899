// The demo page at /message?uid=U: connects with EventSource and lists what arrives.
// Served as one static string; the uid is read by the page itself from its URL.

export function demoPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edge-inbox demo</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0 auto; max-width: 40rem; padding: 1rem; }
  #state { font-size: 0.85rem; color: #555; }
  li { border-bottom: 1px solid #ddd; padding: 0.4rem 0; list-style: none; }
  ul { padding: 0; }
</style>
</head>
<body>
<h1>站内信 inbox</h1>
<p>uid <strong id="uid"></strong> · <span id="state">connecting</span></p>
<ul id="messages"></ul>
<script type="module">
  const uid = new URLSearchParams(location.search).get("uid") || "1";
  document.getElementById("uid").textContent = uid;
  const list = document.getElementById("messages");
  const state = document.getElementById("state");
  const show = (text) => {
    const item = document.createElement("li");
    item.textContent = text;
    list.prepend(item);
  };
  const source = new EventSource("/push?uid=" + encodeURIComponent(uid));
  source.onopen = () => { state.textContent = "live"; };
  source.onerror = () => { state.textContent = "reconnecting"; };
  source.onmessage = (event) => {
    try {
      const message = JSON.parse(event.data);
      show(new Date(message.ts).toLocaleTimeString() + " " + JSON.stringify(message.msg));
    } catch {
      show(event.data);
    }
  };
</script>
</body>
</html>`;
}
