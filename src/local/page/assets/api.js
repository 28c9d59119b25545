/* global fetch */
// JSON over the local server. Never throws: a failed request is `{ ok: false, error }`, which
// the page shows, the way every local API answers a refusal.

async function parse(res) {
  const text = await res.text();
  try {
    const body = JSON.parse(text);
    if (body && typeof body === 'object') return res.ok || body.ok === false ? body : { ok: false, error: `HTTP ${res.status}`, ...body };
  } catch {
    // Not JSON (a proxy's error page, a crash): report the status instead.
  }
  return { ok: false, error: `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}` };
}

export async function getJson(url) {
  try {
    return await parse(await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store' }));
  } catch (err) {
    return { ok: false, error: `network error: ${err?.message ?? err}` };
  }
}

export async function postJson(url, body) {
  try {
    return await parse(await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) }));
  } catch (err) {
    return { ok: false, error: `network error: ${err?.message ?? err}` };
  }
}
