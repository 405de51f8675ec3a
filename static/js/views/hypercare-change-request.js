// One post-go-live change request: its facts (type, priority, state, who asked and decided, the plan), its files
// (specifications, test evidence) and its discussion thread. The change board's actions stay on the board.
// Address: #/hypercare?project=<id>&cr=<id>.

import { ApiError, api, apiPath } from "../api.js";
import { chip, formatDate, formatDateTime, h, label, pageHeader, setTitle } from "../ui.js";
import { plainText } from "./delivery.js";
import { CHANGE_TYPES, CR_STATUSES, priorityChip, statusChip } from "./hypercare-common.js";
import { workItemPanels } from "./work-item-panels.js";

export async function render(root, { project, crId, signal }) {
  const url = apiPath`/api/v1/projects/${project.id}/hypercare/change-requests/${crId}`;
  const board = `#/hypercare?project=${project.id}`;
  let cr;
  try {
    cr = await api.get(url, { signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      root.append(h("section", { class: "card" }, h("p", { text: "This change request does not exist." })));
      return;
    }
    throw error;
  }
  setTitle(`${cr.cr_number} · Change request`);
  const fact = (term, value) => h("div", { class: "fact" }, h("dt", { text: term }), h("dd", { text: value }));
  const prose = (heading, text) => (text ? h("div", { class: "prose" }, h("h3", { class: "subheading", text: heading }),
    h("p", { text: plainText(text) })) : null);
  const panels = workItemPanels({ url, project, upload: "changes.request", manage: "changes.request", discussion: true, signal });
  root.append(
    pageHeader({ title: `${cr.cr_number} · ${cr.title}`, breadcrumbs: [["Hypercare war room", board], [cr.cr_number]],
      chips: [priorityChip(cr.priority), statusChip(CR_STATUSES, cr.status), cr.expedited ? chip("Expedited", "warning") : null]
        .filter(Boolean) }),
    h("section", { class: "card", "aria-label": "Change request facts" },
      h("dl", { class: "facts" },
        fact("Type", label(CHANGE_TYPES, cr.change_type)),
        fact("Requested by", cr.requester ? cr.requester.name : "—"),
        fact("Approved by", cr.approver ? `${cr.approver.name}, ${formatDateTime(cr.approved_at)}` : "—"),
        fact("Planned for", formatDate(cr.planned_implementation_date)),
        fact("Implemented", formatDate(cr.actual_implementation_date)),
        fact("Regression test", cr.test_required ? "Required" : "Not required")),
      prose("Description", cr.description), prose("Impact assessment", cr.impact_assessment),
      prose("Rollback plan", cr.rollback_plan), cr.rejection_reason ? prose("Rejected because", cr.rejection_reason) : null),
    ...panels.nodes);
  await panels.load();
}
