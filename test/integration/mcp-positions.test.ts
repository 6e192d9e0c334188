/**
 * Managing open positions and getting back in, through the SDK's MCP client against the whole
 * appliance and the venue, on both backends: a partial close leaves the rest with a stop sized to
 * it at the venue; a moved stop is live at the venue and its replace chain shows a stop working at
 * every moment; a stop attached to an external position is at the venue; clear_emergency_stop
 * changes nothing without a valid token and the typed-back reason, and refuses the doctor over
 * REST; list_cycles pages; every call is in claude_activity_log as who mcp. Prompts list and get
 * with live data (news marked untrusted), and completions return live symbols, ids and keys.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { disagreements } from "../support/agreement.ts";
import { importedExternalPosition } from "../support/external-position.ts";
import { liquidSymbols, startTestAppliance, type TestAppliance } from "../support/appliance.ts";
import { BACKENDS, waitFor } from "../support/env.ts";
import { callTool, connectMcp, mcpUrl } from "../support/mcp.ts";

const ENV = { VENUE_START: "2026-03-10T10:30", BROKER_REQUESTS_PER_MINUTE: "100000", RISK_MAX_TRADES_PER_DAY: "50" };

const OPEN_STATUSES = ["new", "accepted", "held", "pending_new", "partially_filled"];

for (const backend of BACKENDS) {
  describe(`MCP position management on ${backend.name}`, () => {
    let t: TestAppliance;
    let mcp: Client;
    let symbols: { symbol: string; price: number }[];
    const call = (name: string, args: Record<string, unknown>) => callTool(mcp, name, args);
    const venueOpenOrders = async (symbol: string) =>
      ((await t.venue(`/v2/orders?status=open&nested=false&symbols=${symbol}&limit=500`)) as any[]).filter((o) => OPEN_STATUSES.includes(o.status));

    async function openLong(symbol: string, price: number, qty: number): Promise<any> {
      const placed = await t.api("trading", "/api/v1/orders", {
        body: { symbol, side: "long", type: "market", qty, stopLoss: (price * 0.97).toFixed(2), takeProfit: (price * 1.07).toFixed(2), source: "api" },
      });
      expect({ status: placed.status, error: placed.body.error ?? null }).toEqual({ status: 200, error: null });
      return waitFor(`${symbol} open with its legs`, async () => {
        const { body } = await t.api("trading", "/api/v1/positions");
        const position = body.positions.find((p: any) => p.symbol === symbol);
        return position && (await venueOpenOrders(symbol)).length === 2 && position;
      });
    }

    beforeAll(async () => {
      t = await startTestAppliance(backend, ENV);
      mcp = await connectMcp(mcpUrl(t.config), { "x-api-key": t.key });
      symbols = await liquidSymbols(t, 3);
      expect(symbols.length).toBe(3);
    }, 60_000);
    afterAll(async () => {
      await mcp?.close();
      await t?.stop();
    });

    test("close_position with qty: the exit is for qty, the rest keeps a stop and target sized to it at the venue", async () => {
      const { symbol, price } = symbols[0]!;
      const position = await openLong(symbol, price, 10);
      const tooMany = await call("close_position", { positionId: position.positionId, qty: 11 });
      expect(tooMany.structuredContent.error).toMatchObject({ code: "invalid_parameter" });
      expect(tooMany.structuredContent.error.message).toContain("qty 11");

      const closed = await call("close_position", { positionId: position.positionId, qty: 4, reason: "take some off" });
      expect(closed.isError).toBeFalsy();
      expect(closed.structuredContent.mode).toBe("sim");
      expect(closed.structuredContent.outcome).toBe("exit_sent");
      expect(Number(closed.structuredContent.exitOrder.qty)).toBe(4);

      await waitFor("the partial exit filled", async () => Number((await t.api("trading", "/api/v1/positions")).body.positions.find((p: any) => p.symbol === symbol)?.qty) === 6);
      const venuePosition = await t.venue(`/v2/positions/${symbol}`);
      expect(venuePosition.qty).toBe("6");
      const legs = await venueOpenOrders(symbol);
      expect(legs.map((o) => `${o.type} ${o.qty}`).sort()).toEqual(["limit 6", "stop 6"]);
      // The legs were replaced (not cancelled): each is the replacement of the 10-share leg.
      for (const leg of legs) expect(leg.replaces).toBeTruthy();
      expect(await disagreements(t, { symbols: [symbol] })).toEqual([]);
    }, 60_000);

    test("adjust_position: preview, then the stop is replaced at the venue with a stop working at every moment", async () => {
      const { symbol, price } = symbols[0]!;
      const { body } = await t.api("trading", "/api/v1/positions");
      const position = body.positions.find((p: any) => p.symbol === symbol);
      const [oldStop] = await t.sql`select broker_order_id, order_id::int from orders where position_id = ${position.positionId} and role = 'stop_loss'
                                      and status in ('submitted', 'accepted') order by order_id desc limit 1`;
      expect(oldStop).toBeDefined();

      const unsafe = await call("adjust_position", { positionId: position.positionId, stopLoss: (price * 1.2).toFixed(2), reason: "wrong side" });
      expect(unsafe.structuredContent.approved).toBe(false);
      expect(unsafe.structuredContent.confirmToken).toBeNull();
      expect(unsafe.structuredContent.check.verdicts.find((v: any) => v.rule === "stop_side").ok).toBe(false);

      const newStop = (price * 0.975).toFixed(2);
      const preview = await call("adjust_position", { positionId: position.positionId, stopLoss: newStop, reason: "tighten" });
      expect(preview.isError).toBeFalsy();
      expect(preview.structuredContent.approved).toBe(true);
      const token = preview.structuredContent.confirmToken;
      // A preview changes nothing at the venue.
      expect((await venueOpenOrders(symbol)).find((o) => o.type === "stop").id).toBe(oldStop!.broker_order_id);

      const otherPrice = await call("adjust_position", { positionId: position.positionId, stopLoss: (price * 0.96).toFixed(2), reason: "tighten", confirmToken: token });
      expect(otherPrice.structuredContent.error.code).toBe("confirm_token_mismatch");
      const confirmed = await call("adjust_position", { positionId: position.positionId, stopLoss: preview.structuredContent.adjustment.stopLoss, reason: "tighten", confirmToken: token });
      expect(confirmed.isError).toBeFalsy();
      expect(confirmed.structuredContent.replaced).toHaveLength(1);
      const reused = await call("adjust_position", { positionId: position.positionId, stopLoss: preview.structuredContent.adjustment.stopLoss, reason: "tighten", confirmToken: token });
      expect(reused.structuredContent.error.code).toBe("confirm_token_used");

      // At the venue: the old stop was replaced, at the very instant its replacement was created, which works now at the new price.
      const old = await t.venue(`/v2/orders/${oldStop!.broker_order_id}`);
      expect(old.status).toBe("replaced");
      const replacement = await t.venue(`/v2/orders/${old.replaced_by}`);
      expect(replacement.replaces).toBe(old.id);
      expect(replacement.created_at).toBe(old.replaced_at);
      expect(OPEN_STATUSES).toContain(replacement.status);
      expect(Number(replacement.stop_price)).toBe(Number(preview.structuredContent.adjustment.stopLoss));
      expect(replacement.qty).toBe("6");
      // Our books follow the chain.
      const [row] = await t.sql`select o.status, r.role, r.broker_order_id from orders o join orders r on r.order_id = o.replaced_by_order_id where o.order_id = ${oldStop!.order_id}`;
      expect(row).toMatchObject({ status: "replaced", role: "stop_loss", broker_order_id: replacement.id });
      const positions = await call("get_positions", {});
      expect(Number(positions.structuredContent.positions.find((p: any) => p.symbol === symbol).stopLoss)).toBe(Number(preview.structuredContent.adjustment.stopLoss));
      expect(await disagreements(t, { symbols: [symbol] })).toEqual([]);
      // The doctor finds nothing wrong with the replaced and replacing orders.
      const doctor = (await call("run_doctor", {})).structuredContent.doctor.report;
      expect(doctor.checks.flatMap((c: any) => c.issues)).toEqual([]);
    }, 60_000);

    test("a partial exit the venue rejects after accepting it: the flattener makes the stop cover every held share again", async () => {
      const { symbol, price } = symbols[2]!;
      const position = await openLong(symbol, price, 10);
      await t.venue("/admin/v1/faults", { method: "PUT", body: { rejectRate: 1 } });
      const closed = await call("close_position", { positionId: position.positionId, qty: 3, reason: "rejected later" });
      await t.venue("/admin/v1/faults", { method: "DELETE" });
      expect(closed.structuredContent.outcome).toBe("exit_sent");
      const exitId = closed.structuredContent.exitOrder.orderId;
      await waitFor("the exit rejected", async () => (await t.sql`select status from orders where order_id = ${exitId}`)[0]!.status === "rejected");
      // Each leg's replacement is recorded after the venue made it: wait for both records, then look at the venue.
      const steps = await waitFor("both legs replaced back up", async () => {
        const rows = await t.sql`select action from position_exit_attempts where position_id = ${position.positionId} order by attempt_id`;
        return rows.length >= 5 && rows.map((r) => r.action);
      }, 30_000);
      expect(steps).toEqual(["exits_resized", "exits_resized", "exit_sent", "exits_resized", "exits_resized"]);
      const legs = await venueOpenOrders(symbol);
      expect(legs.map((o) => `${o.type} ${o.qty}`).sort()).toEqual(["limit 10", "stop 10"]);
      expect((await t.venue(`/v2/positions/${symbol}`)).qty).toBe("10");
      expect(await disagreements(t, { symbols: [symbol] })).toEqual([]);
    }, 60_000);

    test("protect_position: an external position without a stop gets one at the venue after preview and confirm", async () => {
      const { symbol } = symbols[1]!;
      // As the doctor imports a position held at the broker and unknown to Catalyst.
      const { outsideOrderId, held, positionId } = await importedExternalPosition(t, symbol);
      const stopLoss = (Number(held.avg_entry_price) * 0.95).toFixed(2);
      const preview = await call("protect_position", { positionId, stopLoss, reason: "imported naked" });
      expect(preview.structuredContent.approved).toBe(true);
      expect(await venueOpenOrders(symbol)).toEqual([]);
      const placed = await call("protect_position", { positionId, stopLoss: preview.structuredContent.protection.stopLoss, reason: "imported naked", confirmToken: preview.structuredContent.confirmToken });
      expect(placed.isError).toBeFalsy();
      const working = await venueOpenOrders(symbol);
      expect(working.map((o) => ({ type: o.type, qty: o.qty, side: o.side, stop: Number(o.stop_price) }))).toEqual([{ type: "stop", qty: "5", side: "sell", stop: Number(preview.structuredContent.protection.stopLoss) }]);
      const again = await call("protect_position", { positionId, stopLoss, reason: "twice" });
      expect(again.structuredContent.error.code).toBe("conflict");
      expect(await disagreements(t, { symbols: [symbol], placedOutside: new Set([outsideOrderId]) })).toEqual([]);

      // A replace whose answer and stream events Catalyst never got (made at the venue directly, events dropped): the sync records the replacement.
      await t.venue("/admin/v1/faults", { method: "PUT", body: { dropStreamEventRate: 1 } });
      const moved = await t.venue(`/v2/orders/${working[0].id}`, { method: "PATCH", body: { stop_price: (Number(held.avg_entry_price) * 0.94).toFixed(2) } });
      await t.venue("/admin/v1/faults", { method: "DELETE" });
      expect(moved.replaces).toBe(working[0].id);
      expect(await disagreements(t, { symbols: [symbol], placedOutside: new Set([outsideOrderId]) })).toEqual([]);
      const [chain] = await t.sql`select o.status, r.broker_order_id, r.role, r.position_id::int from orders o join orders r on r.order_id = o.replaced_by_order_id
                                   where o.broker_order_id = ${working[0].id}`;
      expect(chain).toEqual({ status: "replaced", broker_order_id: moved.id, role: "stop_loss", position_id: positionId });
    }, 60_000);

    test("clear_emergency_stop: no valid token and typed-back reason, no change; the doctor may not clear it", async () => {
      const stop = await call("emergency_stop", { reason: "testing the way back" });
      expect(stop.structuredContent.stop.killSwitch.active).toBe(true);
      const active = async () => (await t.sql`select kill_switch_active from risk_state`)[0]!.kill_switch_active;

      const preview = await call("clear_emergency_stop", { reason: "checked, safe again" });
      expect(preview.structuredContent.active).toBe(true);
      expect(preview.structuredContent.afterClearing).toBeDefined();
      expect(await active()).toBe(true);
      const token = preview.structuredContent.confirmToken as string;

      const forged = await call("clear_emergency_stop", { reason: "checked, safe again", confirmToken: `${token.split(".")[0]}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA` });
      expect(forged.structuredContent.error.code).toBe("confirm_token_bad_signature");
      const tradeToken = await call("clear_emergency_stop", { reason: "checked, safe again", confirmToken: "not-a-token-at-all" });
      expect(tradeToken.structuredContent.error.code).toBe("confirm_token_malformed");
      const otherReason = await call("clear_emergency_stop", { reason: "something else", confirmToken: token });
      expect(otherReason.structuredContent.error).toMatchObject({ code: "confirm_token_mismatch", field: "reason" });
      expect(await active()).toBe(true);

      const doctor = await t.api("risk", "/api/v1/risk/emergency-stop?clearedBy=doctor", { method: "DELETE" });
      expect(doctor.status).toBe(403);
      expect(await active()).toBe(true);

      const cleared = await call("clear_emergency_stop", { reason: "checked, safe again", confirmToken: token });
      expect(cleared.isError).toBeFalsy();
      expect(cleared.structuredContent.killSwitch.active).toBe(false);
      expect(await active()).toBe(false);
      expect((await t.sql`select kill_switch_cleared_by from risk_state`)[0]!.kill_switch_cleared_by).toBe("mcp");
    }, 60_000);

    test("list_cycles pages through past cycles with their P&L and halt reason", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const [row] = await t.sql`insert into trading_cycles (trading_date, state, mode, started_at, ended_at, config)
                                  values (${`2026-02-0${i + 2}`}, 'closed', 'normal', ${new Date(Date.UTC(2026, 1, 2 + i, 14, 30)).toISOString()},
                                          ${new Date(Date.UTC(2026, 1, 2 + i, 21)).toISOString()}, ${t.sql.json(i === 3 ? { halt: { reason: "daily loss limit reached", at: "2026-02-05T18:00:00Z" } } : {})})
                                  returning cycle_id::text`;
        ids.push(row!.cycle_id);
      }
      // A closed position of the cycle of 2026-02-05: its realized P&L is the cycle's.
      const [closed] = await t.sql`select position_id::int, realized_pnl::text from positions where status = 'closed' order by position_id limit 1`;
      if (closed) await t.sql`update positions set cycle_id = ${ids[3]!} where position_id = ${closed.position_id}`;

      const first = await call("list_cycles", { limit: 2 });
      expect(first.isError).toBeFalsy();
      expect(first.structuredContent.total).toBe(5);
      expect(first.structuredContent.cycles.map((c: any) => c.cycleId)).toEqual([ids[4], ids[3]]);
      expect(first.structuredContent.cycles[1].haltReason).toBe("daily loss limit reached");
      expect(Number(first.structuredContent.cycles[1].realizedPnl)).toBe(closed ? Number(closed.realized_pnl) : 0);
      expect(first.structuredContent.nextOffset).toBe(2);
      const last = await call("list_cycles", { limit: 2, offset: 4 });
      expect(last.structuredContent.cycles.map((c: any) => c.cycleId)).toEqual([ids[0]]);
      expect(last.structuredContent.nextOffset).toBeNull();
      expect((await call("list_cycles", { limit: 0 })).structuredContent.error).toMatchObject({ code: "invalid_parameter", field: "limit" });

      const rest = await t.api("workflow", "/api/v1/cycles?limit=3&offset=1");
      expect(rest.status).toBe(200);
      expect(rest.body.cycles.map((c: any) => c.cycleId)).toEqual([ids[3], ids[2], ids[1]]);
    });

    test("prompts list and get with live data; completions come from live symbols, positions, cycles and issues", async () => {
      const { prompts } = await mcp.listPrompts();
      expect(prompts.map((p) => p.name).sort()).toEqual(["end_of_day_review", "incident_review", "midday_check", "morning_plan"]);
      expect(prompts.find((p) => p.name === "incident_review")!.arguments).toEqual([expect.objectContaining({ name: "issueId", required: true })]);

      const { symbol } = symbols[0]!;
      const morning = await mcp.getPrompt({ name: "morning_plan", arguments: { symbol } });
      const text = (morning.messages[0]!.content as { text: string }).text;
      expect(text).toContain("trading plan");
      expect(text).toContain('"untrustedExternalNews":{"untrustedContent":true');
      expect(text).toContain(`"symbol":"${symbol}"`);
      const midday = await mcp.getPrompt({ name: "midday_check", arguments: {} });
      expect((midday.messages[0]!.content as { text: string }).text).toContain('"openPositions":[');
      const review = await mcp.getPrompt({ name: "end_of_day_review", arguments: {} });
      expect((review.messages[0]!.content as { text: string }).text).toContain("Review the day");
      await expect(mcp.getPrompt({ name: "incident_review", arguments: {} })).rejects.toThrow(/issueId is required/);
      await expect(mcp.getPrompt({ name: "incident_review", arguments: { issueId: "no-such-issue" } })).rejects.toThrow(/not_found/);

      const symbolCompletion = await mcp.complete({ ref: { type: "ref/resource", uri: "market-scan://candidates/{symbol}" }, argument: { name: "symbol", value: symbol.slice(0, 1).toLowerCase() } });
      expect(symbolCompletion.completion.values).toContain(symbol);
      for (const value of symbolCompletion.completion.values) expect(value.startsWith(symbol.slice(0, 1))).toBe(true);
      const promptSymbol = await mcp.complete({ ref: { type: "ref/prompt", name: "morning_plan" }, argument: { name: "symbol", value: symbol } });
      expect(promptSymbol.completion.values).toEqual([symbol]);

      const open = (await call("get_positions", {})).structuredContent.positions.map((p: any) => String(p.positionId)).sort();
      const positionIds = await mcp.complete({ ref: { type: "ref/prompt", name: "midday_check" }, argument: { name: "positionId", value: "" } });
      expect([...positionIds.completion.values].sort()).toEqual(open);

      const cycles = (await call("list_cycles", { limit: 100 })).structuredContent.cycles.map((c: any) => c.cycleId);
      const cycleIds = await mcp.complete({ ref: { type: "ref/resource", uri: "trading-cycle://{id}/status" }, argument: { name: "id", value: cycles[0].slice(0, 6) } });
      expect(cycleIds.completion.values).toContain(cycles[0]);

      // An open issue: the external position's stop is fine, so make one the doctor finds (a position the venue does not hold).
      await t.sql`insert into positions (security_id, side, qty, avg_entry_price, source) values (get_or_create_security('ZZZT'), 'long', 3, 10, 'external')`;
      await call("run_doctor", {});
      const issues = JSON.parse(((await mcp.readResource({ uri: "doctor://issues" })).contents[0] as { text: string }).text).data.issues;
      expect(issues.length).toBeGreaterThan(0);
      const issueIds = await mcp.complete({ ref: { type: "ref/prompt", name: "incident_review" }, argument: { name: "issueId", value: issues[0].issueKey.slice(0, 3) } });
      expect(issueIds.completion.values).toContain(issues[0].issueKey);
      const incident = await mcp.getPrompt({ name: "incident_review", arguments: { issueId: issues[0].issueKey } });
      expect((incident.messages[0]!.content as { text: string }).text).toContain(issues[0].issueKey);
    }, 60_000);

    test("every tool call is in claude_activity_log as who mcp, confirm tokens not stored", async () => {
      const rows = await t.sql`select action_detail, action_result, error_message, entity, metadata from claude_activity_log where metadata->>'who' = 'mcp' order by log_id`;
      const tools = new Set(rows.map((r) => r.metadata.tool));
      for (const name of ["close_position", "adjust_position", "protect_position", "emergency_stop", "clear_emergency_stop", "list_cycles", "get_positions", "run_doctor"]) expect(tools.has(name)).toBe(true);
      const confirms = rows.filter((r) => r.metadata.tool === "adjust_position" && r.metadata.arguments.confirmToken !== undefined);
      expect(confirms.length).toBe(3);
      for (const r of confirms) expect(r.metadata.arguments.confirmToken).toBe("[given]");
      expect(confirms.map((r) => r.action_result)).toEqual(["failed", "success", "failed"]);
      expect(confirms[0]!.error_message).toContain("confirm_token_mismatch");
      expect(confirms[1]!.entity).toMatch(/^position:\d+$/);
    });
  });
}
