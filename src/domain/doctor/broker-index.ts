/** The broker's orders, flattened and found by id or client id, with each one's root (the entry of its bracket). */
import type { BrokerOrder } from "../../adapters/broker/broker.ts";
import type { BrokerRead, BrokerSnapshot, DbOrder } from "./types.ts";

export interface IndexedOrder {
  order: BrokerOrder;
  /** The id to re-read and apply as one tree: the bracket's entry for a leg. */
  rootId: string;
}

export class BrokerOrderIndex {
  private readonly byId = new Map<string, IndexedOrder>();
  private readonly byClientId = new Map<string, IndexedOrder>();

  constructor(...reads: BrokerRead<BrokerOrder[]>[]) {
    for (const read of reads) {
      if (!read.ok) continue;
      for (const root of read.value) {
        this.add(root, root.id);
        for (const leg of root.legs) this.add(leg, root.id);
      }
    }
  }

  /** The first reading of an order wins: the nested listing (read first) knows a leg's root; the flat open listing does not. */
  private add(order: BrokerOrder, rootId: string): void {
    if (this.byId.has(order.id)) return;
    const entry = { order, rootId };
    this.byId.set(order.id, entry);
    this.byClientId.set(order.clientOrderId, entry);
  }

  find(brokerOrderId: string | null, clientOrderId: string): IndexedOrder | null {
    return (brokerOrderId === null ? undefined : this.byId.get(brokerOrderId)) ?? this.byClientId.get(clientOrderId) ?? null;
  }
}

export function indexBrokerOrders(broker: Pick<BrokerSnapshot, "openOrders" | "recentOrders">): BrokerOrderIndex {
  return new BrokerOrderIndex(broker.recentOrders, broker.openOrders);
}

/**
 * The live DB orders neither listing showed: each gets one targeted lookup before the doctor
 * decides anything about it. With `recentOrders` failed, every one of them would; the sweep caps it.
 */
export function ordersNeedingLookup(liveOrders: DbOrder[], index: BrokerOrderIndex): DbOrder[] {
  return liveOrders.filter((o) => index.find(o.brokerOrderId, o.clientOrderId) === null);
}
