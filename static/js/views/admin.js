// Placeholder: the Administration area is still to come; a later issue replaces this view.

import { renderPlaceholder } from "../ui.js";

export function render(root) {
  renderPlaceholder(root, {
    title: "Administration",
    summary: "Tenant-wide settings will live here. Users are already managed on the Users page.",
    coming: [
      "Tenant profile and subscription tier",
      "Security settings",
      "Audit log export",
    ],
  });
}
