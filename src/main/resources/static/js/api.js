// The API as the page uses it: the key (kept per tab in sessionStorage, never in a URL), JSON
// requests whose failures carry the server's problem details, and the job event stream read with
// fetch (EventSource cannot send an Authorization header).

const KEY = "pipit.key";

export function key() {
  return sessionStorage.getItem(KEY) || "";
}

export function setKey(value) {
  if (value) sessionStorage.setItem(KEY, value);
  else sessionStorage.removeItem(KEY);
}

/** A failed request: the problem details the server answered (RFC 9457), or a stand-in. */
export class Problem extends Error {
  constructor(status, body) {
    super(body.detail || body.title || `HTTP ${status}`);
    this.status = status;
    this.title = body.title || `HTTP ${status}`;
    this.body = body;
  }
}

function headers(extra) {
  const h = new Headers(extra || {});
  if (key()) h.set("Authorization", `Bearer ${key()}`);
  return h;
}

async function problemOf(response) {
  const type = response.headers.get("Content-Type") || "";
  if (type.includes("json")) {
    try {
      return new Problem(response.status, await response.json());
    } catch {
      // not JSON after all: fall through
    }
  }
  return new Problem(response.status, { title: response.statusText || `HTTP ${response.status}` });
}

/** Sends a request; JSON bodies are serialised; answers the parsed JSON (null for 204). */
export async function api(path, { method = "GET", json, form } = {}) {
  const init = { method, headers: headers() };
  if (json !== undefined) {
    init.headers.set("Content-Type", "application/json");
    init.body = JSON.stringify(json);
  } else if (form) {
    init.body = form;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new Problem(0, { title: "Network error", detail: `${e.message} (is the service up?)` });
  }
  if (!response.ok) throw await problemOf(response);
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  return type.includes("json") ? response.json() : response.text();
}

/**
 * Follows a server-sent event stream: calls onEvent(name, data) for each event until the stream
 * ends or signal aborts. Reads through fetch so that a key travels in the header.
 */
export async function events(path, onEvent, signal) {
  const response = await fetch(path, {
    headers: headers({ Accept: "text/event-stream" }),
    signal,
  });
  if (!response.ok) throw await problemOf(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) onEvent(name, JSON.parse(data.join("\n")));
    }
  }
}

/**
 * Points an img at an API image. Reads need no key by default (plain src, cached by the browser);
 * with a key set the image is fetched with it, for services whose reads need one.
 */
export async function showImage(img, url) {
  if (!url) return;
  if (!key()) {
    img.src = url;
    return;
  }
  try {
    const response = await fetch(url, { headers: headers() });
    if (response.ok) img.src = URL.createObjectURL(await response.blob());
  } catch {
    // leave the placeholder: the item itself is still listed
  }
}
