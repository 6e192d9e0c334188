/** The authorize page: plain HTML, one form, no script; never framed, never cached. */
import { html, type SafeHtml } from "../../../reporting/html.ts";

export const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  // same-origin, not no-referrer: under no-referrer a browser posts the form with `Origin: null`, which the Origin check refuses.
  "referrer-policy": "same-origin",
};

const STYLE = "body{font:16px system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}input[type=password]{width:100%;font-size:1rem;padding:.4rem}button{font-size:1rem;padding:.4rem 1rem;margin-right:.5rem}.error{color:#b00020}";

function layout(title: string, body: SafeHtml): string {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title><style>${STYLE}</style></head><body><h1>${title}</h1>${body}</body></html>`.text;
}

export function errorPage(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(layout("Catalyst cannot authorize this", html`<p class="error">${message}</p>`), { status, headers: { ...PAGE_HEADERS, ...headers } });
}

export interface ConsentView {
  requestId: string;
  csrf: string;
  clientName: string;
  redirectHost: string;
  tradeRequested: boolean;
  error: string | null;
}

export function consentPage(view: ConsentView): string {
  return layout(
    "Connect to Catalyst",
    html`<p><strong>${view.clientName}</strong> asks to use your Catalyst appliance. You will be sent back to <strong>${view.redirectHost}</strong>.</p>
<p>It may read positions, reports, scans and the doctor's status${view.tradeRequested ? " and, if you allow it below, trade" : ""}.</p>
${view.error ? html`<p class="error">${view.error}</p>` : ""}
<form method="post">
<input type="hidden" name="request" value="${view.requestId}"><input type="hidden" name="csrf" value="${view.csrf}">
<p><label>Catalyst API key, or a one-time code from <code>catalyst auth code</code><br><input type="password" name="credential" autocomplete="off" required autofocus></label></p>
${view.tradeRequested ? html`<p><label><input type="checkbox" name="trade" value="yes" checked> Allow trading: preview and execute trades, close positions, start and stop cycles, emergency stop</label></p>` : ""}
<p><button name="decision" value="approve">Allow</button><button name="decision" value="deny" formnovalidate>Deny</button></p>
</form>`,
  );
}
