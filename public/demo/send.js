// The send half of the demo page: POST /update as a backend would. The
// publisher token is kept in this tab's session storage only.
const PUBLISHER_TOKEN_KEY = "edge-inbox.publisher-token";

const $ = (id) => document.getElementById(id);

function audience() {
  if (document.querySelector('input[name="audience"]:checked').value === "all") return { isAll: true };
  const typed = $("recipients")
    .value.split(/[\s,]+/)
    .filter(Boolean);
  const uids = typed.length > 0 ? typed : [$("uid").value.trim()];
  return uids.length === 1 ? { uid: uids[0] } : { uids };
}

/** The message as typed: JSON as it is, or text, in the recommended shape when a title or link is given. */
function messageValue() {
  const text = $("msg").value;
  if ($("as-json").checked) {
    try {
      return JSON.parse(text);
    } catch {
      throw new Error("the message is not valid JSON; untick “the message is JSON” to send it as text");
    }
  }
  const title = $("title").value.trim();
  const url = $("link").value.trim();
  if (title === "" && url === "") return text;
  return { ...(title !== "" && { title }), body: text, ...(url !== "" && { url }) };
}

function showResult(ok, text) {
  const element = $("send-result");
  element.dataset.ok = String(ok);
  element.textContent = text;
}

async function send() {
  const body = { ...audience(), msg: messageValue() };
  const event = $("event").value.trim();
  if (event !== "") body.event = event;
  const tags = $("send-tags")
    .value.split(/[\s,]+/)
    .filter(Boolean);
  if (tags.length > 0) body.tags = tags;
  if ($("ttl").value !== "") body.ttl = Number($("ttl").value);
  const response = await fetch("/update", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${$("publisher-token").value.trim()}` },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({ error: `the server answered ${response.status}` }));
  if (!response.ok) throw new Error(`${response.status} ${answer.error}`);
  const tabs = answer.delivered === 1 ? "1 open tab" : `${answer.delivered} open tabs`;
  return `Sent #${answer.id}, delivered to ${tabs} (kept in the inbox either way).`;
}

$("publisher-token").value = sessionStorage.getItem(PUBLISHER_TOKEN_KEY) || "";
$("publisher-token").addEventListener("input", (event) => sessionStorage.setItem(PUBLISHER_TOKEN_KEY, event.target.value.trim()));
$("send").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = event.submitter;
  button.disabled = true;
  try {
    showResult(true, await send());
  } catch (error) {
    showResult(false, error.message);
  } finally {
    button.disabled = false;
  }
});
