// The shell and hash router. Each route's view is one module in ./views/ exporting render(root, params).

import { clearAlerts, showMessage, showProblem } from "./alerts.js";
import { api, onUnauthenticated } from "./api.js";
import { mountNotifications } from "./notifications.js";
import { h, roleText, setTitle } from "./ui.js";

const NEXT_KEY = "meridian.next";
const UUID_TEXT = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const UUID = `(${UUID_TEXT})`;
const UUID_ONLY = new RegExp(`^${UUID_TEXT}$`);
// Hash parameters that name an object: views put them into API paths, so a value that is not a UUID
// (`#/explore?req=../../../users/<id>`) must never reach a view, or the page would fetch another resource.
const ID_PARAMS = ["project", "req", "item", "incident", "cr", "defect", "case", "cycle", "execution", "run", "runbook"];

// `permission` names an entry of the server's permission map (GET /api/v1/auth/me -> permissions).
// Public routes are for signed-out people (sign in, forgotten password, the links of reset and invitation e-mails).
const ROUTES = [
  { path: /^\/login$/, view: "login", title: "Sign in", public: true },
  { path: /^\/forgot-password$/, view: "forgot-password", title: "Forgot password", public: true },
  { path: /^\/reset-password$/, view: "reset-password", title: "Choose a new password", public: true },
  { path: /^\/accept-invitation$/, view: "accept-invitation", title: "Accept invitation", public: true },
  { path: /^\/account$/, view: "account", title: "My account" },
  { path: /^\/projects$/, view: "projects", title: "Projects", permission: "projects.read", nav: "projects" },
  { path: new RegExp(`^/projects/${UUID}$`), view: "project", keys: ["id"], title: "Project",
    permission: "projects.read", nav: "projects" },
  { path: /^\/explore$/, view: "explore", title: "Explore", permission: "delivery.read", nav: "explore" },
  { path: /^\/testing$/, view: "testing", title: "Testing", permission: "delivery.read", nav: "testing" },
  { path: /^\/cutover$/, view: "cutover", title: "Cutover", permission: "projects.read", nav: "cutover" },
  { path: /^\/hypercare$/, view: "hypercare", title: "Hypercare", permission: "hypercare.read", nav: "hypercare" },
  { path: /^\/integrations$/, view: "integrations", title: "Integrations", permission: "integrations.read",
    nav: "integrations" },
  { path: /^\/leads$/, view: "leads", title: "Leads", permission: "leads.read", nav: "leads" },
  { path: /^\/users$/, view: "users", title: "Users", permission: "users.read", nav: "users" },
  { path: /^\/admin$/, view: "admin", title: "Administration", permission: "tenant.manage", nav: "admin" },
  { path: /^\/api-reference$/, view: "api-reference", title: "API reference", nav: "api-reference" },
];

// The main navigation, in order; each link shows only if its route's permission is granted.
const NAV = [
  ["projects", "Projects"], ["explore", "Explore"], ["testing", "Testing"], ["cutover", "Cutover"],
  ["hypercare", "Hypercare"], ["leads", "Leads"], ["integrations", "Integrations"], ["users", "Users"],
  ["admin", "Administration"], ["api-reference", "API reference"],
].map(([id, text]) => ({ id, text, href: `#/${id}`, permission: ROUTES.find((item) => item.view === id).permission }));

const PUBLIC_HASHES = ["#/login", "#/forgot-password", "#/reset-password", "#/accept-invitation"];

/** The signed-in user ({id, email, name, role, support_level, tenant, permissions}) or null. */
export const session = { user: null };

export function can(permission) {
  return Boolean(session.user && session.user.permissions && session.user.permissions.includes(permission));
}

export function navigate(hash, { replace = false } = {}) {
  if (location.hash === hash) {
    route();
  } else if (replace) {
    location.replace(hash);
  } else {
    location.hash = hash;
  }
}

let pendingFlash = null;

/** A success message to show on the next page (navigation clears the alert region). */
export function flash(message) {
  pendingFlash = message;
}

export function setUser(user) {
  session.user = user;
  renderShell();
  mountNotifications(el("notifications"), user, navigate);
}

/** Where to go after signing in: the page the user was sent away from, or the projects list. */
export function takeNextRoute() {
  const next = sessionStorage.getItem(NEXT_KEY);
  sessionStorage.removeItem(NEXT_KEY);
  return next && next.startsWith("#/") && next !== "#/login" ? next : "#/projects";
}

function rememberRoute(hash) {
  if (hash && hash.startsWith("#/") && !PUBLIC_HASHES.some((prefix) => hash.startsWith(prefix))) {
    sessionStorage.setItem(NEXT_KEY, hash);
  }
}

// ---------------------------------------------------------------------------------------------
// Shell

const el = (id) => document.getElementById(id);

function renderShell(activeNav = currentNav) {
  const user = session.user;
  document.body.classList.toggle("signed-out", !user);
  el("topbar").hidden = !user;
  el("app-nav").hidden = !user;
  if (!user) {
    el("nav-list").replaceChildren();
    return;
  }
  el("user-name").replaceChildren(user.name, h("span", { class: "visually-hidden", text: " — my account" }));
  el("user-role").textContent = roleText(user);
  el("user-tenant").textContent = user.tenant ? user.tenant.name : "";
  el("nav-list").replaceChildren(...NAV.filter((item) => !item.permission || can(item.permission)).map((item) => h("li", {},
    h("a", {
      href: item.href,
      class: "sidenav-link",
      "aria-current": item.id === activeNav ? "page" : null,
      text: item.text,
    }))));
}

function setNavOpen(open) {
  document.body.classList.toggle("nav-open", open);
  el("nav-toggle").setAttribute("aria-expanded", String(open));
}

async function signOut() {
  const button = el("sign-out");
  button.disabled = true;
  try {
    await api.post("/api/v1/auth/logout");
  } catch (error) {
    // The cookies may already be gone; the user still leaves.
    if (!(error && error.status === 401)) showProblem(error);
  } finally {
    button.disabled = false;
  }
  sessionStorage.removeItem(NEXT_KEY);
  setUser(null);
  navigate("#/login");
}

// ---------------------------------------------------------------------------------------------
// Router

let currentNav = null;
let controller = null;
let bootstrapped = false;
let hasNavigated = false;

function parseHash() {
  const raw = location.hash.replace(/^#/, "");
  const [path, queryString = ""] = raw.split("?");
  const query = new URLSearchParams(queryString);
  const validIds = ID_PARAMS.every((name) => query.getAll(name).every((value) => !value || UUID_ONLY.test(value)));
  return { path: path || "/", query, validIds };
}

function matchRoute(path) {
  for (const candidate of ROUTES) {
    const found = candidate.path.exec(path);
    if (found) {
      const params = {};
      (candidate.keys || []).forEach((key, index) => { params[key] = found[index + 1]; });
      return { route: candidate, params };
    }
  }
  return null;
}

function simplePage(root, title, message) {
  setTitle(title);
  root.replaceChildren(h("div", { class: "page-header" }, h("h1", { class: "page-title", tabindex: "-1", text: title })),
    h("section", { class: "card" }, h("p", { text: message }),
      h("p", {}, h("a", { href: "#/projects", text: "Go to projects" }))));
}

async function route() {
  if (!bootstrapped) return;
  if (!location.hash.startsWith("#/")) {
    // "#main" (the skip link) or anything else that is not a route: leave the page alone,
    // except on a bare first load, which goes to the default route.
    if (!location.hash) navigate(session.user ? "#/projects" : "#/login", { replace: true });
    return;
  }
  const { path, query, validIds } = parseHash();
  const main = el("main");
  if (controller) controller.abort();
  controller = new AbortController();
  const { signal } = controller;
  setNavOpen(false);
  clearAlerts();

  if (path === "/") {
    navigate(session.user ? "#/projects" : "#/login", { replace: true });
    return;
  }
  const matched = matchRoute(path);
  if (matched && !matched.route.public && !session.user) {
    rememberRoute(location.hash);
    navigate("#/login", { replace: true });
    return;
  }
  if (matched && ["login", "forgot-password"].includes(matched.route.view) && session.user) {
    navigate("#/projects", { replace: true });
    return;
  }
  currentNav = matched ? matched.route.nav || null : null;
  renderShell();
  if (pendingFlash) {
    showMessage(pendingFlash);
    pendingFlash = null;
  }

  if (!matched) {
    simplePage(main, "Page not found", "There is no page at this address.");
  } else if (!validIds) {
    simplePage(main, "Not found", "Nothing was found at this address: the link is incomplete or wrong.");
  } else if (matched.route.permission && !can(matched.route.permission)) {
    simplePage(main, "Not available", "Your role does not give you access to this page.");
  } else {
    setTitle(matched.route.title);
    main.replaceChildren();
    main.setAttribute("aria-busy", "true");
    try {
      const view = await import(`./views/${matched.route.view}.js`);
      if (signal.aborted) return;
      await view.render(main, { ...matched.params, query, signal });
    } catch (error) {
      if (signal.aborted) return;
      showProblem(error);
    } finally {
      if (!signal.aborted) main.removeAttribute("aria-busy");
    }
    if (signal.aborted) return;
  }
  // After a navigation, move focus to the new page's heading (unless the view put it somewhere in the
  // page itself), so keyboard and screen-reader users start at the top of what changed. A fresh page
  // load leaves focus alone: the first Tab then reaches the skip link.
  const firstLoad = !hasNavigated;
  hasNavigated = true;
  const active = document.activeElement;
  if (firstLoad && (!active || active === document.body)) return;
  if (!active || active === main || !main.contains(active)) {
    const heading = main.querySelector("h1");
    if (heading) heading.focus();
  }
}

function onSessionLost() {
  if (!session.user && location.hash === "#/login") return;
  rememberRoute(location.hash);
  setUser(null);
  navigate("#/login");
}

async function bootstrap() {
  el("sign-out").addEventListener("click", signOut);
  el("nav-toggle").addEventListener("click", () => setNavOpen(!document.body.classList.contains("nav-open")));
  el("skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    el("main").focus();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && document.body.classList.contains("nav-open")) {
      setNavOpen(false);
      el("nav-toggle").focus();
    }
  });
  window.addEventListener("hashchange", route);

  // Who is signed in? A 401 here just means "nobody"; api.js tries one refresh first.
  onUnauthenticated(() => {});
  try {
    session.user = await api.get("/api/v1/auth/me");
  } catch (error) {
    session.user = null;
    if (!(error && error.status === 401)) showProblem(error);
  }
  onUnauthenticated(onSessionLost);
  bootstrapped = true;
  renderShell();
  if (!location.hash || location.hash === "#" || location.hash === "#/") {
    navigate(session.user ? "#/projects" : "#/login", { replace: true });
  } else {
    route();
  }
}

bootstrap();
