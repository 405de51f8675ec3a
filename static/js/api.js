// The ONE place that calls fetch (docs/architecture.md "UI").
//
// Cookie auth: the server sets HttpOnly JWT cookies plus readable CSRF cookies; every state-changing
// request echoes the CSRF cookie in X-CSRF-TOKEN (double submit). Errors arrive as RFC 9457
// application/problem+json and are thrown as ApiError; showProblem() and applyFieldErrors() put them
// in front of the user.

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

let unauthenticatedHandler = () => {};

/** app.js registers what happens when the session is gone for good (go to the login view). */
export function onUnauthenticated(handler) {
  unauthenticatedHandler = handler;
}

export function readCookie(name) {
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

// ---------------------------------------------------------------------------------------------
// Showing problems to the user

function alertsRegion() {
  return document.getElementById("alerts");
}

export function clearAlerts(container = alertsRegion()) {
  if (container) container.replaceChildren();
}

/**
 * Put a problem in a dismissible role="alert" box: its title, detail and correlation id.
 * `container` defaults to the page-wide alert region; `tone` is "error" | "warning" | "info" | "success".
 */
export function showProblem(error, { container = alertsRegion(), tone = "error", replace = true } = {}) {
  if (!container) return null;
  if (error && error.name === "AbortError") return null;
  if (error instanceof ApiError && error.redirectedToLogin) return null;
  const problem = error instanceof ApiError ? error.problem : {
    title: "Something went wrong",
    detail: (error && error.message) || "An unexpected error happened in the page.",
  };
  if (!(error instanceof ApiError)) console.error(error); // a bug in the page, not an API answer

  const box = document.createElement("div");
  box.className = `alert alert-${tone}`;
  box.setAttribute("role", "alert");

  const body = document.createElement("div");
  body.className = "alert-body";
  const title = document.createElement("p");
  title.className = "alert-title";
  title.textContent = problem.title || "Request failed";
  body.append(title);
  if (problem.detail && problem.detail !== problem.title) {
    const detail = document.createElement("p");
    detail.className = "alert-detail";
    detail.textContent = problem.detail;
    body.append(detail);
  }
  const unmatched = error instanceof ApiError && error.unmatchedFieldErrors;
  if (unmatched && unmatched.length) {
    const list = document.createElement("ul");
    list.className = "alert-list";
    for (const message of unmatched) {
      const item = document.createElement("li");
      item.textContent = message;
      list.append(item);
    }
    body.append(list);
  }
  if (problem.correlation_id) {
    const ref = document.createElement("p");
    ref.className = "alert-ref";
    ref.textContent = `Reference: ${problem.correlation_id}`;
    body.append(ref);
  }

  const close = document.createElement("button");
  close.type = "button";
  close.className = "alert-close";
  close.setAttribute("aria-label", "Dismiss message");
  close.textContent = "×";
  close.addEventListener("click", () => box.remove());

  box.append(body, close);
  if (replace) container.replaceChildren(box);
  else container.append(box);
  if (typeof box.scrollIntoView === "function") box.scrollIntoView({ block: "nearest" });
  return box;
}

/** Show a plain message (not a problem) in an alert box. */
export function showMessage(text, { container = alertsRegion(), tone = "success", title = "" } = {}) {
  return showProblem(new ApiError({ title: title || text, detail: title ? text : "" }, 200), { container, tone });
}

const ERROR_SUFFIX = "-error";

/** Remove the field-level messages applyFieldErrors() added to a form. */
export function clearFieldErrors(form) {
  for (const node of form.querySelectorAll(".field-error")) node.remove();
  for (const control of form.querySelectorAll("[aria-invalid]")) {
    control.removeAttribute("aria-invalid");
    const ids = (control.getAttribute("aria-describedby") || "").split(/\s+/)
      .filter((id) => id && !id.endsWith(ERROR_SUFFIX));
    if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
    else control.removeAttribute("aria-describedby");
  }
}

function flattenMessages(value) {
  if (Array.isArray(value)) return value.flatMap(flattenMessages);
  if (value && typeof value === "object") return Object.values(value).flatMap(flattenMessages);
  return value === undefined || value === null ? [] : [String(value)];
}

/**
 * Put a problem's `errors: {field: [messages]}` next to the matching inputs of `form`
 * (aria-invalid + aria-describedby). Messages for fields the form does not have are returned
 * (and remembered on the error, so showProblem lists them). Focuses the first invalid control.
 */
export function applyFieldErrors(form, error) {
  clearFieldErrors(form);
  const errors = (error && error.errors) || {};
  const unmatched = [];
  let first = null;
  for (const [field, value] of Object.entries(errors)) {
    const messages = flattenMessages(value);
    const control = form.elements.namedItem(field);
    if (!control || !(control instanceof HTMLElement) || !control.id) {
      const label = field === "_schema" ? "" : `${field}: `;
      unmatched.push(...messages.map((message) => label + message));
      continue;
    }
    const note = document.createElement("p");
    note.className = "field-error";
    note.id = control.id + ERROR_SUFFIX;
    note.textContent = messages.join(" ");
    const wrapper = control.closest(".field") || control.parentElement;
    wrapper.append(note);
    control.setAttribute("aria-invalid", "true");
    const described = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    control.setAttribute("aria-describedby", [...described, note.id].join(" "));
    first = first || control;
  }
  if (error instanceof ApiError) error.unmatchedFieldErrors = unmatched;
  if (first) first.focus();
  return unmatched;
}
