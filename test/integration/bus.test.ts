/** The bus across real workers, on both backends: publish in one worker, receive in another. */
import { afterEach, describe, expect, test } from "bun:test";
import { InProcessBusHub, type HubRequest } from "../../src/adapters/bus/in-process.ts";
import { BUS_CHANNELS } from "../../src/contracts/bus.ts";
import { REDIS_TEST_URL, waitFor } from "../support/env.ts";

interface Peer {
  worker: Worker;
  inbox: Record<string, unknown>[];
  next(key: string): Promise<Record<string, unknown>>;
}

const workers: Worker[] = [];

afterEach(() => {
  for (const w of workers.splice(0)) w.terminate();
});

function spawnPeer(hub: InProcessBusHub | null): Peer {
  const worker = new Worker(new URL("../support/bus-worker.ts", import.meta.url).href);
  workers.push(worker);
  const inbox: Record<string, unknown>[] = [];
  const post = (m: unknown) => worker.postMessage(m);
  hub?.attach(post);
  worker.onmessage = (event: MessageEvent) => {
    if (event.data && "bus" in event.data) hub?.handle(event.data as HubRequest);
    else inbox.push(event.data);
  };
  return {
    worker,
    inbox,
    next: (key) =>
      waitFor(`a "${key}" message`, async () => {
        const index = inbox.findIndex((m) => key in m);
        return index >= 0 ? inbox.splice(index, 1)[0] : null;
      }, 5000),
  };
}

const namespace = `t${Date.now().toString(36)}`;

for (const backend of ["in-process", "redis"] as const) {
  describe(`bus on ${backend}`, () => {
    const join = async (peer: Peer, name: string) => {
      peer.worker.postMessage({
        cmd: "join",
        name,
        channels: [...BUS_CHANNELS],
        ...(backend === "redis" ? { redisUrl: REDIS_TEST_URL, namespace } : {}),
      });
      await peer.next("joined");
    };

    /** Two workers on one bus, named like the services they stand in for. */
    const joinedPair = async (first: string, second: string): Promise<[Peer, Peer]> => {
      const hub = backend === "in-process" ? new InProcessBusHub() : null;
      const peers: [Peer, Peer] = [spawnPeer(hub), spawnPeer(hub)];
      await join(peers[0], first);
      await join(peers[1], second);
      return peers;
    };

    test("a message published in one worker arrives in another, enveloped and versioned", async () => {
      const [scanner, orchestration] = await joinedPair("scanner", "orchestration");
      scanner.worker.postMessage({ cmd: "publish", channel: "scan_complete", payload: { cycleId: "c1", candidates: 3 } });
      expect((await scanner.next("published")).published).toBe(true);
      const { received } = (await orchestration.next("received")) as { received: Record<string, unknown> };
      expect(received).toMatchObject({ version: 1, channel: "scan_complete", source: "scanner", payload: { cycleId: "c1", candidates: 3 } });
      expect(Number.isNaN(Date.parse(received.publishedAt as string))).toBe(false);
    });

    test("every one of the five channels is delivered", async () => {
      const [publisher, subscriber] = await joinedPair("trading", "reporting");
      for (const channel of BUS_CHANNELS) publisher.worker.postMessage({ cmd: "publish", channel, payload: { channel } });
      const seen = new Set<string>();
      for (let i = 0; i < BUS_CHANNELS.length; i++) {
        const { received } = (await subscriber.next("received")) as { received: { channel: string } };
        seen.add(received.channel);
      }
      expect([...seen].sort()).toEqual([...BUS_CHANNELS].sort());
    });
  });
}
