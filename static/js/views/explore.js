// Placeholder: the Explore area is still to come; a later issue replaces this view.

import { renderPlaceholder } from "../ui.js";

export function render(root) {
  renderPlaceholder(root, {
    title: "Explore",
    summary: "Fit-to-standard workshops and requirements will live here: capture each requirement, classify it as fit or gap, and keep it in sync with SAP Cloud ALM.",
    coming: [
      "Requirements per project with fit/gap classification",
      "WRICEF backlog for the gaps",
      "Two-way sync with SAP Cloud ALM requirements",
    ],
  });
}
