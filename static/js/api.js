// The ONE place that calls fetch (docs/architecture.md "UI"), and it only talks HTTP: nothing here touches
// the page.
//
// Cookie auth: the server sets HttpOnly JWT cookies plus readable CSRF cookies; every state-changing
// request echoes the CSRF cookie in X-CSRF-TOKEN (double submit). Errors arrive as RFC 9457
// application/problem+json and are thrown as ApiError (title, detail, field `errors`); alerts.js and
// forms.js put them in front of the user.

const AUTH_PREFIX = "/api/v1/auth/";
const REFRESH_URL = "/api/v1/auth/refresh";
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** An error answer from the API, carrying its problem document. */
export class ApiError extends Error {
  constructor(problem, status) {
    super(problem.detail || problem.title || `Request failed (${status})`);
    this.name = "ApiError";
    this.problem = problem;
    this.status = status;
    this.title = problem.title || "Request failed";
    this.detail = problem.detail || "";
    this.errors = problem.errors || null;
    this.correlationId = problem.correlation_id || null;
    this.redirectedToLogin = false;
  }
}

// A path whose segments climb (`..`), or hide a slash or backslash in percent-encoding, addresses something
// other than what its builder meant: `/projects/${id}` with id `../../users/x`. Such a request is never sent.
const UNSAFE_PATH = /(^|\/)\.{1,2}(\/|$)|%2f|%5c|%2e|\\/i;

function notFound() {
  return new ApiError({ title: "Not found", status: 404, detail: "There is nothing at this address: the link is incomplete or wrong." }, 404);
}

/**
 * apiPath`/api/v1/projects/${projectId}/requirements/${id}`: each value becomes exactly one encoded path
 * segment. A value with `/`, `\`, `..` or an encoded slash would reach another resource, so it is refused
 * (an ApiError 404, thrown before any request).
 */
export function apiPath(strings, ...values) {
  return strings.reduce((path, text, index) => path + segment(values[index - 1]) + text);
}

function segment(value) {
  const text = value === undefined || value === null ? "" : String(value);
  if (!text || text.includes("/") || text.includes("\\") || text.includes("..") || /%2f|%5c/i.test(text)) throw notFound();
  return encodeURIComponent(text);
}

let unauthenticatedHandler = () => {};

/** app.js registers what happens when the session is gone for good (go to the login view). */
export function onUnauthenticated(handler) {
  unauthenticatedHandler = handler;
}

function readCookie(name) {
  const prefix = `${name}=`;
  for (const part of document.cookie.split(";")) {
    const item = part.trim();
    if (item.startsWith(prefix)) return decodeURIComponent(item.slice(prefix.length));
  }
  return null;
}

function buildUrl(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "" || value === false) continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  if (!text) return path;
  return path + (path.includes("?") ? "&" : "?") + text;
}

async function readProblem(response) {
  const type = response.headers.get("Content-Type") || "";
  if (type.includes("json")) {
    try {
      const body = await response.json();
      if (body && typeof body === "object") return body;
    } catch {
      // fall through to the generic problem below
    }
  }
  return {
    title: response.statusText || "Request failed",
    status: response.status,
    detail: `The server answered ${response.status}.`,
    correlation_id: response.headers.get("X-Correlation-ID"),
  };
}

async function send(method, url, { body, headers, signal, csrfCookie } = {}) {
  const init = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json, application/problem+json", ...(headers || {}) },
    signal,
  };
  if (body instanceof FormData) {
    init.body = body; // file uploads (CSV import): the browser sets the multipart boundary
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (UNSAFE.has(method)) {
    const token = readCookie(csrfCookie || "csrf_access_token");
    if (token) init.headers["X-CSRF-TOKEN"] = token;
  }
  try {
    return await fetch(url, init);
  } catch (error) {
    if (error && error.name === "AbortError") throw error;
    throw new ApiError({
      title: "Network error",
      detail: "Meridian could not be reached. Check your connection and try again.",
    }, 0);
  }
}

// One refresh at a time: refresh tokens rotate, and presenting a spent one ends the whole session.
let refreshInFlight = null;

function refreshSession() {
  if (!refreshInFlight) {
    refreshInFlight = send("POST", REFRESH_URL, { csrfCookie: "csrf_refresh_token" })
      .then((response) => response.ok)
      .catch(() => false)
      .finally(() => { refreshInFlight = null; });
  }
  return refreshInFlight;
}

/**
 * request(method, path, {query, body, headers, signal}) -> {status, data, headers}
 * Throws ApiError for any non-2xx answer (after one refresh-and-retry on a 401).
 */
export async function request(method, path, options = {}) {
  if (UNSAFE_PATH.test(path.split("?")[0])) throw notFound();
  const url = buildUrl(path, options.query);
  let response = await send(method, url, options);
  // logout is retried after a refresh too: its access token may have expired while the session lives on.
  const isAuthCall = path.startsWith(AUTH_PREFIX) && !path.startsWith(`${AUTH_PREFIX}me`) && !path.startsWith(`${AUTH_PREFIX}logout`);
  if (response.status === 401 && !isAuthCall) {
    if (await refreshSession()) {
      response = await send(method, url, options);
    }
    if (response.status === 401) {
      const error = new ApiError(await readProblem(response), 401);
      error.redirectedToLogin = true;
      unauthenticatedHandler(error);
      throw error;
    }
  }
  if (!response.ok) {
    throw new ApiError(await readProblem(response), response.status);
  }
  let data = null;
  if (response.status !== 204) {
    const text = await response.text();
    data = text ? JSON.parse(text) : null;
  }
  return { status: response.status, data, headers: response.headers };
}

export const api = {
  get: async (path, options) => (await request("GET", path, options)).data,
  post: async (path, body, options = {}) => (await request("POST", path, { ...options, body })).data,
  patch: async (path, body, options = {}) => (await request("PATCH", path, { ...options, body })).data,
  put: async (path, body, options = {}) => (await request("PUT", path, { ...options, body })).data,
  del: async (path, options) => (await request("DELETE", path, options)).data,
};

/** The If-Match header for a versioned object. */
export function ifMatch(version) {
  return { "If-Match": `"${version}"` };
}
