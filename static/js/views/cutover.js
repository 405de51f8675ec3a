// Placeholder: the Cutover area is still to come; a later issue replaces this view.

import { renderPlaceholder } from "../ui.js";

export function render(root) {
  renderPlaceholder(root, {
    title: "Cutover",
    summary: "The cutover plan and the post-go-live change board will live here.",
    coming: [
      "Cutover activities and their owners",
      "Post-go-live change requests with approval",
      "Go / no-go readiness",
    ],
  });
}
