// Entry point: the Worker's fetch handler and the Durable Object class it binds.
import { app } from "./app";

export { PushHub } from "./hub/push-hub";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
