// The stream's state on the demo page: the pill at the top, and whenever the
// stream is not live, why (in the server's words) and when it tries again.

/** What each reason the client gives is called on the page. */
const PROBLEMS = {
  network: "The connection failed",
  ended: "The server ended the stream",
  heartbeat: "The connection went silent",
  busy: "The hub is busy",
  "server-error": "The server had an error",
  "rate-limited": "Too many requests",
  "unexpected-answer": "The answer was not a stream",
  "token-refresh": "Renewing the subscriber token",
  "token-error": "No subscriber token",
};
const BUSY = {
  full: "The hub is full",
  overloaded: "The hub is overloaded",
  unavailable: "The hub is restarting or unreachable",
  error: "The hub failed",
};

let countdown;

export function showState(change) {
  const element = document.getElementById("state");
  element.dataset.state = change.state;
  element.dataset.leader = String(change.leader ?? true);
  element.textContent = change.state;
  element.title = change.leader === false ? "another tab of this browser holds the stream and relays it here" : "this tab holds the stream";
  showStreamProblem(change);
}

/** The reason the stream is not live, in the server's words, and a countdown to the next try. */
function showStreamProblem(change) {
  clearInterval(countdown);
  const element = document.getElementById("stream-problem");
  const reason = change.reason;
  if (change.state === "live" || reason === undefined || reason === "closed") {
    element.hidden = true;
    element.textContent = "";
    delete element.dataset.reason;
    return;
  }
  element.hidden = false;
  element.dataset.reason = reason;
  // A busy answer comes with 200: its status says nothing, its busy reason does.
  const status = change.status >= 300 ? change.status : undefined;
  const said = [status, change.message].filter((part) => part !== undefined && part !== "").join(" ");
  if (change.state === "closed") {
    element.textContent = `The stream was refused: ${said}. Check the uid and the subscriber token, then Connect again.`;
    return;
  }
  const label = (reason === "busy" ? BUSY[change.busy] : PROBLEMS[reason]) ?? reason;
  const problem = `${label}${said === "" ? "" : ` (${said})`}.`;
  const render = () => {
    const seconds = Math.ceil(((change.retryAt ?? 0) - Date.now()) / 1000);
    element.textContent = seconds > 0 ? `${problem} Retrying in ${seconds} s.` : `${problem} Connecting again…`;
  };
  render();
  if (change.state === "reconnecting") countdown = setInterval(render, 250);
}
