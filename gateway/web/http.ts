// The gateway's HTTP API from the page: reads as JSON, race control's actions as POSTs
// whose refusal comes back as the API's own message.

export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await errorText(res)}`);
  return (await res.json()) as T;
}

/** POSTs a JSON body; null when done, else the API's error message. */
export async function post(path: string, body: unknown): Promise<string | null> {
  try {
    const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return res.ok ? null : await errorText(res);
  } catch (e) {
    return `no answer from the gateway: ${(e as Error).message}`;
  }
}

async function errorText(res: Response): Promise<string> {
  const text = await res.text();
  try {
    const j = JSON.parse(text) as { error?: unknown };
    if (typeof j.error === 'string') return j.error;
  } catch {
    // not JSON
  }
  return text || res.statusText;
}
