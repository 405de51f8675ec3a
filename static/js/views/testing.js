// Placeholder: the Testing area is still to come; a later issue replaces this view.

import { renderPlaceholder } from "../ui.js";

export function render(root) {
  renderPlaceholder(root, {
    title: "Testing",
    summary: "Test cycles, test cases and their executions will live here, with defects linked to the requirements they cover.",
    coming: [
      "Test cycles and test cases per project",
      "Execution results and defects",
      "Test results pushed to SAP Cloud ALM",
    ],
  });
}
