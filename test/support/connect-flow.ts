/** A person following a connect link (SPEC §16) with plain HTTP: what the connect e2e specs and the demo spec share. */

/** Opens a link the way a browser does, without following the redirect. */
export async function openLink(url: string): Promise<{ status: number; location: string | null; text: string; headers: Headers }> {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), text: await res.text(), headers: res.headers };
}

/** The person on the emulated connection page: loads it, then presses the button. */
export async function pressConnect(pageUrl: string): Promise<{ status: number; text: string }> {
  const page = await fetch(pageUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  const token = /name="token" value="([^"]+)"/.exec(html)?.[1];
  const multiple = html.includes('name="allowMultipleConnections"');
  const res = await fetch(pageUrl.split('?')[0], {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: token ?? '', ...(multiple ? { allowMultipleConnections: '1' } : {}) }).toString(),
  });
  return { status: res.status, text: await res.text() };
}
