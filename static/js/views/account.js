// My account (#/account): change my password, two-factor sign-in (set up, new recovery codes, switch off) and
// my open sessions (sign one out, or everywhere else).

import { showMessage, showProblem } from "../alerts.js";
import { api } from "../api.js";
import { authenticatorSetup, codeField, newPasswordFields, recoveryCodesPanel } from "../auth-pages.js";
import { busy, field, submitForm } from "../forms.js";
import { card, chip, emptyState, formatDateTime, h, pageHeader, roleText, setTitle, tableWrap } from "../ui.js";

function currentPasswordField() {
  return field({ label: "Current password", name: "current_password", type: "password", required: true,
    autocomplete: "current-password" });
}

export async function render(root, { signal }) {
  setTitle("My account");
  const account = await api.get("/api/v1/account", { signal });
  const user = account.user;
  root.append(pageHeader({ title: "My account", subtitle: `${user.email} · ${roleText(user)} · ${user.tenant.name}` }));
  const passwordCard = card("Password");
  const mfaCard = card("Two-factor sign-in");
  const sessionsCard = card("Where you are signed in");
  root.append(passwordCard, mfaCard, sessionsCard);
  fillPassword(passwordCard, account, signal, () => loadSessions(sessionsCard, signal));
  fillMfa(mfaCard, account.mfa, signal);
  await loadSessions(sessionsCard, signal);
}

// -- password -------------------------------------------------------------------------------------------------

function fillPassword(section, account, signal, onChanged) {
  const current = currentPasswordField();
  const pair = newPasswordFields({ name: "new_password" });
  const problems = h("div", { class: "form-alerts" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: "Change password" });
  const changedAt = h("p", { class: "muted", text: account.password_changed_at
    ? `Last changed ${formatDateTime(account.password_changed_at)}.` : "" });
  const form = h("form", { class: "form", novalidate: true, "aria-label": "Change password" },
    problems, changedAt, h("div", { class: "form-grid" }, current.wrapper, ...pair.wrappers),
    h("div", { class: "form-actions" }, submit));
  submitForm(form, {
    button: submit, busyText: "Changing…", problems,
    validate: () => ({ ...(current.control.value ? {} : { current_password: ["Enter your current password."] }),
      ...pair.check() }),
    send: () => api.post("/api/v1/account/password",
      { current_password: current.control.value, new_password: pair.value() }, { signal }),
    onSuccess: async (answer) => {
      form.reset();
      changedAt.textContent = "Changed just now.";
      showMessage(`Your password was changed. ${answer.ended_sessions} other session(s) were signed out.`);
      await onChanged();
    },
  });
  section.append(form);
}

// -- two-factor sign-in ------------------------------------------------------------------------------------

function passwordPrompt({ title, action, danger = false, onSubmit, onCancel }) {
  const current = currentPasswordField();
  const problems = h("div", { class: "form-alerts" });
  const submit = h("button", { type: "submit", class: danger ? "btn btn-danger-outline" : "btn btn-primary", text: action });
  const cancel = h("button", { type: "button", class: "btn btn-secondary", text: "Cancel", onClick: onCancel });
  const form = h("form", { class: "form", novalidate: true, "aria-label": title },
    problems, h("p", { text: `${title}: confirm with your password.` }), current.wrapper,
    h("div", { class: "form-actions" }, submit, cancel));
  submitForm(form, {
    button: submit, busyText: "Working…", problems,
    validate: () => (current.control.value ? {} : { current_password: ["Enter your current password."] }),
    send: () => onSubmit(current.control.value),
    onSuccess: () => {},
  });
  return { form, focus: () => current.control.focus() };
}

function fillMfa(section, status, signal) {
  const body = h("div", { class: "mfa-body" });
  section.append(body);

  function showCodes(codes) {
    const { panel, focus } = recoveryCodesPanel(codes, { onContinue: reload, continueText: "Done" });
    body.replaceChildren(panel);
    focus();
  }

  async function reload() {
    const fresh = await api.get("/api/v1/account", { signal });
    overview(fresh.mfa);
  }

  function overview(state) {
    const chipNode = state.enabled ? chip("On", "success") : chip("Off", "neutral");
    const lines = [h("p", {}, "Status: ", chipNode,
      state.enabled ? ` since ${formatDateTime(state.enabled_at)}. ${state.recovery_codes_left} recovery code(s) left.` : "")];
    if (state.required) lines.push(h("p", { class: "muted", text: "Your organisation requires two-factor sign-in for your role." }));
    const actions = [];
    if (!state.enabled) {
      actions.push(h("button", { type: "button", class: "btn btn-primary", text: "Set up two-factor sign-in",
        onClick: () => startSetup() }));
    } else {
      actions.push(h("button", { type: "button", class: "btn btn-secondary", text: "New recovery codes",
        onClick: () => prompt({ title: "New recovery codes", action: "Make new codes",
          onSubmit: async (password) => {
            const answer = await api.post("/api/v1/account/mfa/recovery-codes", { current_password: password }, { signal });
            showCodes(answer.recovery_codes);
          } }) }));
      if (!state.required) {
        actions.push(h("button", { type: "button", class: "btn btn-ghost btn-danger-text", text: "Switch off",
          onClick: () => prompt({ title: "Switch off two-factor sign-in", action: "Switch off", danger: true,
            onSubmit: async (password) => {
              await api.post("/api/v1/account/mfa/disable", { current_password: password }, { signal });
              showMessage("Two-factor sign-in is off.");
              await reload();
            } }) }));
      }
    }
    body.replaceChildren(...lines, h("div", { class: "form-actions" }, actions));
  }

  function prompt(options) {
    const { form, focus } = passwordPrompt({ ...options, onCancel: () => overview(status) });
    body.replaceChildren(form);
    focus();
  }

  function startSetup() {
    prompt({ title: "Set up two-factor sign-in", action: "Continue",
      onSubmit: async (password) => {
        const setup = await api.post("/api/v1/account/mfa/setup", { current_password: password }, { signal });
        confirmSetup(setup);
      } });
  }

  function confirmSetup(setup) {
    const code = codeField();
    const problems = h("div", { class: "form-alerts" });
    const submit = h("button", { type: "submit", class: "btn btn-primary", text: "Turn on" });
    const cancel = h("button", { type: "button", class: "btn btn-secondary", text: "Cancel", onClick: () => overview(status) });
    const form = h("form", { class: "form", novalidate: true, "aria-label": "Confirm the authenticator" },
      problems, code.wrapper, h("div", { class: "form-actions" }, submit, cancel));
    submitForm(form, {
      button: submit, busyText: "Checking…", problems,
      validate: () => (code.control.value.trim() ? {} : { code: ["Enter the code."] }),
      send: () => api.post("/api/v1/account/mfa/confirm", { code: code.control.value.replace(/\s+/g, "") }, { signal }),
      onSuccess: (answer) => showCodes(answer.recovery_codes),
    });
    body.replaceChildren(
      h("p", { text: "Scan the QR code with your authenticator app, then enter the 6-digit code it shows." }),
      authenticatorSetup(setup), form);
    code.control.focus();
  }

  overview(status);
}

// -- sessions ------------------------------------------------------------------------------------------------

function browserName(agent) {
  if (!agent) return "Unknown";
  const found = [["Edg/", "Edge"], ["Firefox/", "Firefox"], ["Chrome/", "Chrome"], ["Safari/", "Safari"]]
    .find(([marker]) => agent.includes(marker));
  return found ? found[1] : agent.slice(0, 40);
}

async function loadSessions(section, signal) {
  const page = await api.get("/api/v1/account/sessions", { signal });
  const others = page.items.filter((item) => !item.current).length;
  const endOthers = h("button", { type: "button", class: "btn btn-secondary", text: "Sign out everywhere else",
    disabled: others === 0 });
  endOthers.addEventListener("click", async () => {
    try {
      const answer = await busy(endOthers, () => api.post("/api/v1/account/sessions/end-others", undefined, { signal }), "Signing out…");
      showMessage(answer.detail);
      await loadSessions(section, signal);
    } catch (error) {
      showProblem(error);
    }
  });
  const rows = page.items.map((item) => h("tr", {},
    h("td", {}, browserName(item.user_agent), item.current ? h("span", {}, " ", chip("This session", "info")) : null),
    h("td", { class: "cell-nowrap", text: item.ip_address || "—" }),
    h("td", { class: "cell-nowrap", text: formatDateTime(item.created_at) }),
    h("td", { class: "cell-nowrap", text: formatDateTime(item.last_used_at) }),
    h("td", { class: "cell-actions" }, item.current ? null : h("button", {
      type: "button", class: "btn btn-ghost btn-small", text: "Sign out",
      "aria-label": `Sign out the ${browserName(item.user_agent)} session from ${item.ip_address || "an unknown address"}`,
      onClick: async (event) => {
        try {
          await busy(event.currentTarget, () => api.del(`/api/v1/account/sessions/${item.id}`, { signal }), "…");
          showMessage("That session was signed out.");
          await loadSessions(section, signal);
        } catch (error) {
          showProblem(error);
        }
      } }))));
  const table = page.items.length ? tableWrap(h("table", { class: "table" },
    h("caption", { class: "visually-hidden", text: "Open sessions" }),
    h("thead", {}, h("tr", {}, ["Browser", "Address", "Signed in", "Last active"].map((text) => h("th", { scope: "col", text })),
      h("th", { scope: "col" }, h("span", { class: "visually-hidden", text: "Actions" })))),
    h("tbody", {}, rows)), "Sessions table") : emptyState("No open sessions.");
  const heading = section.querySelector("h2");
  section.replaceChildren(heading, table, h("div", { class: "form-actions" }, endOthers));
}
