// One test case: its steps, the expected result, the requirements it proves, and its files (test scripts, data,
// screenshots of the expected screens). Address: #/testing?project=<id>&tab=cases&case=<id>.

import { ApiError, api, apiPath } from "../api.js";
import { h, setTitle } from "../ui.js";
import { plainText, statusChip } from "./delivery.js";
import { workItemPanels } from "./work-item-panels.js";

const CASE_STATUSES = [["draft", "Draft"], ["ready", "Ready"], ["obsolete", "Obsolete"]];

export async function render(root, { project, caseId, signal }) {
  const url = apiPath`/api/v1/projects/${project.id}/test-cases/${caseId}`;
  root.append(h("p", {}, h("a", { href: `#/testing?project=${project.id}&tab=cases`, text: "← All test cases" })));
  let testCase;
  try {
    testCase = await api.get(url, { signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      root.append(h("section", { class: "card" }, h("p", { text: "This test case does not exist or was deleted." })));
      return;
    }
    throw error;
  }
  setTitle(`${testCase.code} · ${testCase.title}`);
  const block = (heading, text) => h("div", { class: "prose" }, h("h3", { class: "subheading", text: heading }),
    h("p", { class: "pre-line", text: plainText(text) || "—" }));
  const panels = workItemPanels({ url, project, upload: "delivery.manage", manage: "delivery.manage", signal });
  root.append(
    h("section", { class: "card", "aria-labelledby": "case-title" },
      h("h2", { class: "card-title", id: "case-title", tabindex: "-1" }, h("span", { class: "cell-code", text: testCase.code }),
        " ", testCase.title),
      h("div", { class: "title-chips" }, statusChip(CASE_STATUSES, testCase.status), " ", h("span", { class: "muted", text: testCase.module })),
      block("Steps", testCase.steps), block("Expected result", testCase.expected_result),
      h("p", {}, "Proves: ", testCase.requirements.length ? testCase.requirements.map((r) => h("a", { class: "req-ref",
        href: `#/explore?project=${project.id}&req=${r.id}`, text: r.code })) : "no requirement yet")),
    ...panels.nodes);
  await panels.load();
}
