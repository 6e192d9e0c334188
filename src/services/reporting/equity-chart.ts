/** The realized equity curve as an inline SVG line chart (no scripts, no external assets). */
import { formatEt } from "../../domain/exchange-calendar.ts";
import { formatUsd } from "./format.ts";
import { html, type SafeHtml } from "./html.ts";

const WIDTH = 880;
const HEIGHT = 260;
const PAD = { left: 96, right: 16, top: 14, bottom: 34 };
const DAY_MS = 86_400_000;

/** What the chart is called (for screen readers) and says when it has nothing to draw. */
const REALIZED = { label: "Realized equity curve", empty: "No closed trades in this period." };

export function equityChart(curve: readonly { at: string; equity: string }[], words: { label: string; empty: string } = REALIZED): SafeHtml {
  if (curve.length === 0) return html`<p class="empty">${words.empty}</p>`;
  const times = curve.map((p) => Date.parse(p.at));
  const values = curve.map((p) => Number(p.equity));
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  let [low, high] = [Math.min(...values), Math.max(...values)];
  if (high === low) [low, high] = [low - 1, high + 1];
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  // With every point at one instant, spread them by order so the line is still visible.
  const x = (i: number) => PAD.left + (t1 > t0 ? (times[i]! - t0) / (t1 - t0) : curve.length > 1 ? i / (curve.length - 1) : 0.5) * plotW;
  const y = (v: number) => PAD.top + (1 - (v - low) / (high - low)) * plotH;
  const points = curve.map((_, i) => `${x(i).toFixed(1)},${y(values[i]!).toFixed(1)}`).join(" ");
  const timeLabel = (ms: number) => (t1 - t0 > DAY_MS ? formatEt(ms).slice(5, 16).replace("T", " ") : formatEt(ms).slice(11, 16));
  const bottom = HEIGHT - PAD.bottom;
  const right = WIDTH - PAD.right;
  return html`<svg class="equity" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${words.label}">
  <line class="axis" x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${bottom}"/>
  <line class="axis" x1="${PAD.left}" y1="${bottom}" x2="${right}" y2="${bottom}"/>
  <line class="start" x1="${PAD.left}" y1="${y(values[0]!).toFixed(1)}" x2="${right}" y2="${y(values[0]!).toFixed(1)}"/>
  <text class="label" x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${formatUsd(high.toFixed(2))}</text>
  <text class="label" x="${PAD.left - 6}" y="${bottom}" text-anchor="end">${formatUsd(low.toFixed(2))}</text>
  <text class="label" x="${PAD.left}" y="${HEIGHT - 12}" text-anchor="start">${timeLabel(t0)} ET</text>
  <text class="label" x="${right}" y="${HEIGHT - 12}" text-anchor="end">${timeLabel(t1)} ET</text>
  <text class="label" x="14" y="${PAD.top + plotH / 2}" transform="rotate(-90 14 ${PAD.top + plotH / 2})" text-anchor="middle">equity (USD)</text>
  <polyline class="curve" points="${points}"/>
</svg>`;
}
