// Administration (#/admin?tab=…, admins only): the tenant's profile, its security settings, the audit log
// (search, filters, diffs, export), the sync log of every integration, the outgoing e-mail and the API tokens
// (API and events). Each tab's body is its own module.

import { h, pageHeader, setTitle } from "../ui.js";
import { tabs } from "./delivery.js";

const TABS = [
  ["profile", "Profile", "./admin-profile.js"],
  ["security", "Security", "./admin-security.js"],
  ["audit", "Audit log", "./admin-audit.js"],
  ["sync", "Sync log", "./admin-sync-log.js"],
  ["mail", "E-mail", "./admin-mail.js"],
  ["api", "API and events", "./admin-api.js"],
];

export async function render(root, { query, signal }) {
  setTitle("Administration");
  const active = TABS.find(([id]) => id === query.get("tab")) || TABS[0];
  root.append(
    pageHeader({ title: "Administration", subtitle: "Your organisation's profile, security and records." }),
    tabs(TABS.map(([id, text]) => [id, text, `#/admin?tab=${id}`]), active[0], "Administration sections"));
  const body = h("div", { class: "admin-body" });
  root.append(body);
  const part = await import(active[2]);
  if (signal.aborted) return;
  await part.render(body, { query, signal });
}
