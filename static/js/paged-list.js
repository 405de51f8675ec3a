// The body of a paged list (projects, users): the "Showing 1–50 of 120 …" line, the results and the pager
// (Previous, "Page x of y", Next). Only the latest load's answer is drawn, so quick filter changes never
// leave an older page on screen.

import { showProblem } from "./alerts.js";
import { h, loading } from "./ui.js";

// Past the server's cap (issue 14) a list total is a lower bound: `total_capped` is true and it reads "1,000+".
export function countText(page) {
  return page.total_capped ? `${page.total.toLocaleString("en")}+` : String(page.total);
}

// Whether a page follows this one; with a capped total, a full page may have more behind it.
export function hasMore(page, offset, limit) {
  return offset + limit < page.total || Boolean(page.total_capped && page.items.length === limit);
}

/**
 * pagedList({noun, plural, limit, offset, loadingText, signal, fetchPage(offset) -> {items, total},
 *   table(items) -> node, empty() -> node, onLoad(offset), onError(error)})
 * -> {nodes: [status, results, pager], offset, load(), go(offset)}
 * `onLoad` runs before each load (to keep the offset in the address); `onError` sees a failed load before
 * it is shown (to put filter errors next to the filters).
 */
export function pagedList({ noun, plural = `${noun}s`, limit = 50, offset = 0, loadingText = "Loading…", signal,
  fetchPage, table, empty, onLoad, onError }) {
  const status = h("p", { class: "list-status", role: "status", "aria-live": "polite" });
  const results = h("div", { class: "results" });
  const pager = h("nav", { class: "pager", "aria-label": "Pagination" });
  let latest = 0;

  const list = {
    nodes: [status, results, pager],
    offset,
    load,
    go(next) {
      list.offset = Math.max(0, next);
      return load();
    },
  };

  function draw(page) {
    const { items, total } = page;
    const to = list.offset + items.length;
    status.textContent = total ? `Showing ${list.offset + 1}–${to} of ${countText(page)} ${total === 1 ? noun : plural}` : "";
    if (!items.length) {
      results.replaceChildren(empty());
      pager.replaceChildren();
      return;
    }
    results.replaceChildren(table(items));
    const pages = Math.max(1, Math.ceil(total / limit));
    pager.replaceChildren(
      h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Previous", disabled: list.offset === 0,
        onClick: () => list.go(list.offset - limit) }),
      h("span", { class: "pager-text", text: `Page ${Math.floor(list.offset / limit) + 1} of ${pages}${page.total_capped ? "+" : ""}` }),
      h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Next", disabled: !hasMore(page, list.offset, limit),
        onClick: () => list.go(list.offset + limit) }));
  }

  async function load() {
    const mine = ++latest;
    if (onLoad) onLoad(list.offset);
    results.setAttribute("aria-busy", "true");
    if (!results.firstChild) results.append(loading(loadingText));
    try {
      const page = await fetchPage(list.offset);
      if (mine !== latest || signal.aborted) return;
      if (!page.items.length && list.offset > 0 && page.total > 0) {
        // Past the end (rows went away, or an old address): show the last page there is.
        list.offset = Math.floor((page.total - 1) / limit) * limit;
        load();
        return;
      }
      draw(page);
    } catch (error) {
      if (mine !== latest || signal.aborted) return;
      results.replaceChildren();
      if (onError) onError(error);
      showProblem(error);
    } finally {
      if (mine === latest) results.removeAttribute("aria-busy");
    }
  }

  return list;
}

/** Keep a list's filters and offset in the address (#/<path>?…) without adding a history entry; empty values are left out. */
export function replaceAddress(path, values) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value) params.set(name, String(value));
  const text = params.toString();
  history.replaceState(null, "", `#/${path}${text ? `?${text}` : ""}`);
}

/** The list offset an address asks for (?offset=), never negative; 0 when absent or not a number. */
export function offsetFrom(query) {
  return Math.max(0, Number.parseInt(query.get("offset") || "0", 10) || 0);
}
