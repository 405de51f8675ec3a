// Placeholder: the Integrations area is still to come; a later issue replaces this view.

import { renderPlaceholder } from "../ui.js";

export function render(root) {
  renderPlaceholder(root, {
    title: "Integrations",
    summary: "Connections to SAP Cloud ALM and Microsoft Dynamics 365 will be managed here by tenant admins.",
    coming: [
      "Connection settings and credentials",
      "Sync runs and their logs",
      "Gateway call history and circuit-breaker state",
    ],
  });
}
