// Placeholder: the Leads area is still to come; a later issue replaces this view.

import { renderPlaceholder } from "../ui.js";

export function render(root) {
  renderPlaceholder(root, {
    title: "Leads",
    summary: "The sales lead pipeline will live here, with a “Push to Dynamics” action for each lead.",
    coming: [
      "Lead pipeline and qualification",
      "Push to Microsoft Dynamics 365",
      "Push job status and errors",
    ],
  });
}
