// Entry point: the Worker's fetch handler, the Durable Object class it binds,
// and the entrypoint other Workers bind to (see src/service.ts).
import { app } from "./app";

export { PushHub } from "./hub/push-hub";
export { InboxService } from "./service";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
