/**
 * A worker that joins the bus exactly as a service worker does (in-process through the main thread's
 * hub, or Redis), then publishes or reports what it receives — so tests cross real thread boundaries.
 */
import type { Bus } from "../../src/adapters/bus/bus.ts";
import { InProcessBus, type HubEvent } from "../../src/adapters/bus/in-process.ts";
import { RedisBus } from "../../src/adapters/bus/redis.ts";
import type { BusChannel } from "../../src/contracts/bus.ts";

declare const self: Worker;

type Command =
  | { cmd: "join"; name: string; redisUrl?: string; namespace?: string; channels: BusChannel[] }
  | { cmd: "publish"; channel: BusChannel; payload: unknown };

let bus: InProcessBus | Bus | null = null;

self.onmessage = async (event: MessageEvent<Command | HubEvent>) => {
  const message = event.data;
  if ("bus" in message) {
    if (bus instanceof InProcessBus) bus.receive(message);
    return;
  }
  switch (message.cmd) {
    case "join": {
      if (message.redisUrl) {
        const redis = new RedisBus(message.redisUrl, message.namespace ?? "catalyst", message.name);
        await redis.connect();
        bus = redis;
      } else {
        bus = new InProcessBus(message.name, (request) => self.postMessage(request));
      }
      for (const channel of message.channels) {
        bus.subscribe(channel, (m) => self.postMessage({ received: m }));
      }
      // Redis confirms a subscription asynchronously; give it a moment before saying we're ready.
      if (message.redisUrl) await Bun.sleep(200);
      self.postMessage({ joined: message.name });
      return;
    }
    case "publish":
      self.postMessage({ published: await bus!.publish(message.channel, message.payload) });
      return;
  }
};
