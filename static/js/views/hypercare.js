// Placeholder: the Hypercare area is still to come; a later issue replaces this view.

import { renderPlaceholder } from "../ui.js";

export function render(root) {
  renderPlaceholder(root, {
    title: "Hypercare",
    summary: "Hypercare incidents after go-live will live here: first response, assignment, escalation and resolution against SLAs.",
    coming: [
      "Incident queue with SLA timers",
      "L1/L2/L3 assignment and escalation",
      "Customer comments and satisfaction ratings",
    ],
  });
}
