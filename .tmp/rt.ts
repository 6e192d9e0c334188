import postgres from "postgres";
const sql = postgres("postgres://postgres@127.0.0.1:5432/bench_orders", { max: 2 });
await sql`select 1`;
const t: number[] = [];
for (let i = 0; i < 500; i++) { const a = performance.now(); await sql`select order_id from orders where order_id = ${i}`; t.push(performance.now() - a); }
t.sort((a, b) => a - b); console.log("select p50", t[250]!.toFixed(3));
const u: number[] = [];
for (let i = 0; i < 200; i++) { const a = performance.now(); await sql.begin(async (tx) => { await tx`select 1`; await tx`select 2`; }); u.push(performance.now() - a); }
u.sort((a, b) => a - b); console.log("tx(2 selects) p50", u[100]!.toFixed(3));
await sql.end();
