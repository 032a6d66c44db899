// Baseline: the seed design this project grew from, as it was written.
// Express, a Map<uid, res> for targeted pushes, an EventEmitter for
// broadcasts with one listener per open stream, each formatting its own frame.
// Usage: node seed-express.mjs <port>
import { EventEmitter } from "node:events";
import express from "express";

const port = Number(process.argv[2]);
const clients = new Map();
const updates = new EventEmitter();
updates.setMaxListeners(0);

const app = express();

app.get("/push", (req, res) => {
  const uid = String(req.query.uid);
  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive" });
  res.write("data: 站内信链接成功！\n\n");
  const onBroadcast = (msg) => res.write(`data: ${JSON.stringify(msg)}\n\n`);
  clients.set(uid, res);
  updates.on("all", onBroadcast);
  req.on("close", () => {
    clients.delete(uid);
    updates.off("all", onBroadcast);
  });
});

app.post("/update", express.json(), (req, res) => {
  const { uid, msg, isAll } = req.body;
  if (isAll) updates.emit("all", msg);
  else clients.get(String(uid))?.write(`data: ${JSON.stringify(msg)}\n\n`);
  res.json({ code: 0 });
});

app.listen(port, "127.0.0.1");
