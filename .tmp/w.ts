import postgres from "postgres";
const sql = postgres("postgres://postgres@127.0.0.1:5432/bench_orders", { max: 2 });
await sql`select 1`;
const t: number[] = [];
for (let i = 0; i < 500; i++) { const a = performance.now(); await sql`select ${i}::int as x`; t.push(performance.now() - a); }
t.sort((a, b) => a - b);
postMessage("worker select p50 " + t[250]!.toFixed(3));
await sql.end();
