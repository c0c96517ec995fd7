/* cxtext dashboard: renders the answers of the /v1 API (live) or the answers a report
   carries inline (window.CXTEXT_REPORT). Charts are drawn by Plotly, served or inlined
   beside this file; nothing is fetched from elsewhere. */
(function () {
  "use strict";
  const KEY_STORAGE = "cxtext.apiKey";
  const report = window.CXTEXT_REPORT || null;
  const $ = (id) => document.getElementById(id);
  const state = { period: "month", level: "theme", by: "", filters: {}, selected: null,
    sort: { key: "impact", dir: 1 }, themes: [], emerging: new Map() };

  // --- where answers come from -----------------------------------------------------------
  function answerKey(path, params) {
    const entries = Object.entries(params)
      .filter(([, v]) => v !== null && v !== undefined && v !== "")
      .map(([k, v]) => [k, String(v)])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return JSON.stringify([path, entries]);
  }

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  async function fromApi(path, params) {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== null && v !== undefined && v !== "") query.append(k, String(v));
    }
    const response = await fetch(`/v1${path}?${query}`, {
      headers: { "X-API-Key": sessionStorage.getItem(KEY_STORAGE) || "" },
    });
    if (!response.ok) {
      let message = `${response.status} ${response.statusText}`;
      try {
        const problem = await response.json();
        message = problem.detail || problem.title || message;
      } catch (ignored) { /* not JSON */ }
      throw new ApiError(response.status, message);
    }
    return response.json();
  }

  async function fromReport(path, params) {
    const answer = report.answers[answerKey(path, params)];
    if (answer === undefined) throw new ApiError(404, `the report holds no answer for ${path}`);
    if (answer.problem) throw new ApiError(422, answer.problem);
    return answer;
  }

  const get = report ? fromReport : fromApi;

  // --- formatting ------------------------------------------------------------------------
  const fmt = (x, digits = 1) => (x === null || x === undefined || Number.isNaN(x)
    ? "–" : Number(x).toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits }));
  const count = (x) => (x === null || x === undefined ? "–" : Number(x).toLocaleString("en"));
  const signed = (x) => (x === null || x === undefined ? "–" : (x > 0 ? "+" : "") + fmt(x));
  const label = (t) => t.label || t.theme_label || `theme ${t.theme_id}`;

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const child of children.flat(Infinity)) {
      if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function filterParams() {
    return { ...state.filters };
  }

  // --- the page --------------------------------------------------------------------------
  async function load() {
    $("error").hidden = true;
    const flt = filterParams();
    const common = { ...flt, level: state.level };
    try {
      const [nps, themes, drivers, emerging] = await Promise.all([
        get("/metrics/nps", { ...flt, period: state.period }),
        get("/themes", { ...common, period: state.period, periods: 8 }),
        get("/drivers", { ...common, top: 10 }),
        // Too few periods is an answer here, not a failure of the page.
        get("/emerging", { ...common, period: state.period })
          .catch((error) => (error.status === 422 ? { problem: error.message } : Promise.reject(error))),
      ]);
      render(nps, themes, drivers, emerging);
    } catch (error) {
      fail(error);
    }
  }

  function fail(error) {
    if (error.status === 401 && !report) {
      sessionStorage.removeItem(KEY_STORAGE);
      showLogin(error.message);
      return;
    }
    $("error").textContent = error.message;
    $("error").hidden = false;
  }

  function render(nps, themes, drivers, emerging) {
    const empty = themes.overall.comments === 0;
    $("empty").hidden = !empty;
    for (const id of ["kpis", "nps-section", "drivers-section", "themes-section", "emerging-section"]) {
      $(id).hidden = empty;
    }
    if (empty) { $("detail").hidden = true; return; }
    $("meta").textContent = [themes.model ? `model ${themes.model}` : "no active model",
      `${count(themes.overall.comments)} comments`].join(" · ");
    renderKpis(nps, themes.overall);
    renderNps(nps);
    renderDrivers(drivers);
    const rising = emerging.problem ? [] : emerging.themes.filter((t) => t.emerging || t.new);
    state.emerging = new Map(rising.map((t) => [t.theme_id, t]));
    state.themes = themes.themes;
    renderThemes();
    renderEmerging(emerging);
    renderActions();
    if (state.selected !== null) openTheme(state.selected);
  }

  function renderKpis(nps, overall) {
    const o = nps.overall;
    const ci = o.nps_ci_adjusted_wald || [null, null];
    $("kpis").replaceChildren(el("div", { class: "kpis" },
      kpi(fmt(o.nps), `NPS (95% interval ${fmt(ci[0])} to ${fmt(ci[1])})`),
      kpi(count(o.n), "scored respondents"),
      kpi(count(overall.comments), "comments"),
      kpi(`${count(o.promoters)} / ${count(o.passives)} / ${count(o.detractors)}`, "promoters / passives / detractors")));
  }

  const kpi = (value, text) => el("div", { class: "kpi" }, el("div", { class: "value" }, value),
    el("div", { class: "label" }, text));

  function plot(id, traces, layout) {
    Plotly.react($(id), traces, {
      margin: { l: 50, r: 20, t: 10, b: 40 }, font: { size: 12 }, showlegend: false,
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", ...layout,
    }, { displaylogo: false, responsive: true });
  }

  function renderNps(nps) {
    const rows = nps.groups.filter((g) => g.n > 0);
    const x = rows.map((g) => g.period);
    const lo = rows.map((g) => g.nps_ci_adjusted_wald_lo);
    const hi = rows.map((g) => g.nps_ci_adjusted_wald_hi);
    plot("nps-chart", [
      { x, y: hi, type: "scatter", mode: "lines", line: { width: 0 }, hoverinfo: "skip" },
      { x, y: lo, type: "scatter", mode: "lines", line: { width: 0 }, fill: "tonexty",
        fillcolor: "rgba(47,111,176,0.18)", name: "95% interval", hoverinfo: "skip" },
      { x, y: rows.map((g) => g.nps), type: "scatter", mode: "lines+markers", name: "NPS",
        line: { color: "#2f6fb0" }, customdata: rows.map((g, k) => [g.n, lo[k], hi[k]]),
        hovertemplate: "%{x}<br>NPS %{y:.1f} (%{customdata[1]:.1f} to %{customdata[2]:.1f})<br>n = %{customdata[0]}<extra></extra>" },
      { x, y: rows.map((g) => g.n), type: "bar", yaxis: "y2", name: "respondents",
        marker: { color: "rgba(97,110,124,0.25)" }, hovertemplate: "n = %{y}<extra></extra>" },
    ], {
      yaxis: { title: { text: "NPS" }, range: [-100, 100], zeroline: true },
      yaxis2: { overlaying: "y", side: "right", showgrid: false, rangemode: "tozero",
        tickmode: "auto", tickformat: ",d", title: { text: "respondents" } },
      xaxis: { type: "category" }, margin: { l: 50, r: 60, t: 10, b: 40 },
    });
  }

  function renderDrivers(drivers) {
    const rows = [...drivers.detraction, ...drivers.promotion].sort((a, b) => a.impact - b.impact);
    $("drivers-none").hidden = rows.length > 0;
    $("drivers-chart").hidden = !rows.length;
    if (!rows.length) return;
    const height = Math.max(260, 28 * rows.length + 60);
    $("drivers-chart").style.height = `${height}px`;
    plot("drivers-chart", [{
      type: "bar", orientation: "h", y: rows.map(label), x: rows.map((r) => r.impact),
      error_x: { type: "data", symmetric: false, color: "#444",
        array: rows.map((r) => (r.impact_ci[1] ?? r.impact) - r.impact),
        arrayminus: rows.map((r) => r.impact - (r.impact_ci[0] ?? r.impact)) },
      marker: { color: rows.map((r) => (r.impact < 0 ? "#c0392b" : "#1e8449")),
        opacity: rows.map((r) => (r.significant ? 1 : 0.4)) },
      customdata: rows.map((r) => [r.impact_ci[0], r.impact_ci[1], r.n, r.theme_id]),
      hovertemplate: "%{y}<br>impact %{x:+.2f} points (%{customdata[0]:.2f} to %{customdata[1]:.2f})<br>n = %{customdata[2]}<extra></extra>",
    }], {
      xaxis: { title: { text: "impact on NPS, points (95% interval)" }, zeroline: true, zerolinewidth: 2 },
      yaxis: { automargin: true }, height,
    });
    $("drivers-chart").on("plotly_click", (event) => openTheme(event.points[0].customdata[3]));
  }

  const COLUMNS = [
    ["label", "Theme"], ["volume", "Volume"], ["share", "Share %"], ["sentiment", "Sentiment"],
    ["nps", "NPS"], ["impact", "Impact (95% interval)"], ["stability", "Stability"],
    ["trend", "Trend (share)"],
  ];

  // A theme's stability: the share of its members kept together when the fit is repeated
  // on perturbed vectors (mean Jaccard); "unstable" below 0.6; null for parent themes.
  function stabilityCell(st) {
    if (!st) return el("td", { class: "ns", title: "not measured for this level or model" }, "–");
    if (st.score === null) return el("td", { class: "ns", title: st.reason || "" }, "not measured");
    return el("td", { class: st.status === "unstable" ? "unstable" : "", title: "mean Jaccard over perturbed repeats of the fit" },
      fmt(st.score, 2), st.status === "unstable" ? el("span", { class: "badge unstable" }, "unstable") : null);
  }

  function stabilityText(st) {
    if (!st) return "Stability not measured for this level or model.";
    if (st.score === null) return `Stability not measured: ${st.reason}.`;
    return `Stability ${fmt(st.score, 2)} (${st.status}): the mean share of its members that stay together when the fit is repeated on perturbed vectors.`;
  }

  function renderThemes() {
    const { key, dir } = state.sort;
    const value = (t) => (key === "label" ? label(t).toLowerCase()
      : key === "stability" ? (t.stability ? t.stability.score : null) : t[key]);
    const rows = [...state.themes].sort((a, b) => {
      const x = value(a), y = value(b);
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : x > y ? 1 : 0) * dir;
    });
    const head = el("tr", {}, COLUMNS.map(([k, text]) => el("th", {
      scope: "col", "data-key": k,
      "aria-sort": k === key ? (dir > 0 ? "ascending" : "descending") : "none",
      onclick: () => { if (k === "trend") return; state.sort = { key: k, dir: k === key ? -dir : (k === "label" || k === "impact" ? 1 : -1) }; renderThemes(); },
    }, text)));
    const body = rows.map((t) => {
      const flag = state.emerging.get(t.theme_id);
      return el("tr", { "data-theme": t.theme_id, class: t.theme_id === state.selected ? "selected" : "",
        onclick: () => openTheme(t.theme_id) },
        el("td", { dir: "auto" }, label(t), flag ? el("span", { class: flag.new ? "badge new" : "badge" }, flag.new ? "new" : "rising") : null),
        el("td", {}, count(t.volume)), el("td", {}, fmt(t.share)), el("td", {}, fmt(t.sentiment, 2)),
        el("td", {}, fmt(t.nps)),
        el("td", { class: !t.significant ? "ns" : t.impact < 0 ? "neg" : "pos" },
          `${signed(t.impact)} (${fmt(t.impact_ci[0])} to ${fmt(t.impact_ci[1])})`),
        stabilityCell(t.stability),
        el("td", {}, sparkline(t.trend.map((p) => p.share))));
    });
    $("themes-table").replaceChildren(el("thead", {}, head), el("tbody", {}, body));
  }

  function sparkline(values) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "spark");
    svg.setAttribute("viewBox", "0 0 90 22");
    if (values.length < 2) return svg;
    const top = Math.max(...values, 1e-9);
    const points = values.map((v, k) => `${(k * 88) / (values.length - 1) + 1},${21 - (20 * v) / top}`);
    const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
    line.setAttribute("points", points.join(" "));
    svg.append(line);
    const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
    title.textContent = values.map((v) => `${fmt(v)}%`).join(" → ");
    svg.append(title);
    return svg;
  }

  function renderEmerging(emerging) {
    if (emerging.problem) {
      $("emerging").replaceChildren(el("p", { class: "hint" }, `Not tested: ${emerging.problem}.`));
      return;
    }
    const rising = emerging.themes.filter((t) => t.emerging || t.new);
    $("emerging").replaceChildren(rising.length
      ? el("ul", {}, rising.map((t) => el("li", {},
          el("a", { href: "#", dir: "auto", onclick: (e) => { e.preventDefault(); openTheme(t.theme_id); } }, label(t)),
          ` ${t.new ? "new in" : "rising in"} ${t.latest_period}: ${fmt(t.share)}% of comments against ${fmt(t.baseline_share)}% before (${t.count} comments, adjusted p = ${fmt(t.p_adjusted, 3)})`)))
      : el("p", { class: "hint" }, `No theme rose beyond chance in the latest ${emerging.period}.`));
  }

  // --- fixes -----------------------------------------------------------------------------
  async function renderActions() {
    let listed;
    try {
      listed = (await get("/actions", {})).actions.slice(0, 20);
    } catch (error) {
      $("actions-section").hidden = true;
      return;
    }
    $("actions-section").hidden = !listed.length;
    if (!listed.length) return;
    const effects = await Promise.all(
      listed.map((a) => get(`/actions/${a.action_id}/effect`, {}).catch(() => null)));
    const head = ["Fix", "Theme", "Scope", "Shipped", "Share of comments", "Change against the comparison"];
    const rows = listed.map((a, k) => {
      const found = effects[k] && effects[k].effect;
      const scope = Object.entries(a.segments).map(([n, v]) => `${n} ${v.join(", ")}`).join("; ") || "all";
      const share = found ? `${fmt(found.share.before)}% → ${fmt(found.share.after)}%` : "–";
      const did = found && found.did;
      const verdict = !found ? (effects[k] ? effects[k].message : "not available")
        : !did ? "no comparison"
        : `${signed(did.estimate)}% (${fmt(did.ci[0])}% to ${fmt(did.ci[1])}%)${did.significant ? "" : ", not beyond chance"}`;
      return el("tr", {},
        el("td", { dir: "auto" }, `${a.description} (${a.owner})`), el("td", { dir: "auto" }, a.theme_label || a.theme_id),
        el("td", {}, scope), el("td", {}, a.shipped_on), el("td", {}, share),
        el("td", { class: !did ? "ns" : did.significant ? (did.estimate < 0 ? "pos" : "neg") : "ns" }, verdict));
    });
    $("actions").replaceChildren(el("table", {}, el("thead", {}, el("tr", {}, head.map((t) => el("th", {}, t)))),
      el("tbody", {}, rows)));
  }

  // --- drill-down ------------------------------------------------------------------------
  async function openTheme(themeId) {
    state.selected = themeId;
    for (const row of document.querySelectorAll("#themes-table tbody tr")) {
      row.classList.toggle("selected", Number(row.dataset.theme) === themeId);
    }
    let detail;
    try {
      detail = await get(`/themes/${themeId}`, { ...filterParams(), level: state.level, period: state.period, by: state.by });
    } catch (error) {
      fail(error);
      return;
    }
    const s = detail.summary;
    const keywords = Object.entries(detail.keywords_by_language || {});
    const parts = [
      el("h2", { dir: "auto" }, label(detail)),
      el("p", { class: "hint" }, s
        ? `${count(s.volume)} comments (${fmt(s.share)}%), NPS ${fmt(s.nps)}, impact ${signed(s.impact)} points (${fmt(s.impact_ci[0])} to ${fmt(s.impact_ci[1])}), sentiment ${fmt(s.sentiment, 2)}`
        : "No comment under these filters mentions this theme."),
      el("p", { class: "hint stability" }, stabilityText(detail.stability)),
      el("div", { class: "kpis" }, Object.entries(detail.by_nps_group).map(([g, n]) => kpi(count(n), g))),
    ];
    if (keywords.length) {
      parts.push(el("h3", {}, "Keywords by language"), el("dl", { class: "keywords" },
        keywords.map(([lang, words]) => [el("dt", {}, lang),
          el("dd", { dir: "auto", lang }, words.map((w) => (Array.isArray(w) ? w[0] : w)).join(", "))])));
    }
    if (detail.representatives && detail.representatives.length) {
      parts.push(el("h3", {}, "Representative comments"), el("ul", { class: "quotes" },
        detail.representatives.map((r) => el("li", { dir: "auto" }, typeof r === "string" ? r : r.text || JSON.stringify(r)))));
    }
    if (detail.children.length) {
      parts.push(el("h3", {}, "Sub-themes"), el("ul", {}, detail.children.map((c) =>
        el("li", { dir: "auto" }, `${label(c)} (${count(c.size)} clauses in training)`))));
    }
    const segment = el("div", { class: "chart small", id: "segment-chart" });
    if (detail.by_segment && detail.by_segment.length) parts.push(el("h3", {}, `Share by ${state.by}`), segment);
    $("detail").replaceChildren(...parts);
    $("detail").hidden = false;
    if (detail.by_segment && detail.by_segment.length) {
      const rows = detail.by_segment;
      plot("segment-chart", [{ type: "bar", x: rows.map((r) => r.value), y: rows.map((r) => r.share),
        marker: { color: "#2f6fb0" }, customdata: rows.map((r) => [r.volume, r.comments, r.nps]),
        hovertemplate: "%{x}: %{y:.1f}% (%{customdata[0]} of %{customdata[1]} comments)<br>NPS of its respondents %{customdata[2]:.1f}<extra></extra>" }],
      { yaxis: { title: { text: "share of comments, %" } }, xaxis: { type: "category" } });
    }
  }

  // --- filters and sign-in ---------------------------------------------------------------
  function option(value, text, selected) {
    const node = el("option", { value }, text);
    node.selected = selected;
    return node;
  }

  async function setupFilters() {
    const facets = await get("/facets", {});
    const form = $("filters");
    const dims = facets.dimensions;
    const values = (name) => (dims[name] || []).map((d) => option(d.value, `${d.value} (${count(d.comments)})`, false));
    form.source.replaceChildren(option("", "all", true), ...values("source"));
    form.language.replaceChildren(option("", "all", true), ...values("language"));
    const segments = Object.keys(dims).filter((d) => d.startsWith("segment:")).map((d) => d.slice(8));
    form.segment.replaceChildren(option("", "all", true), ...segments.map((name) => el("optgroup", { label: name },
      dims[`segment:${name}`].map((d) => option(`${name}:${d.value}`, `${d.value} (${count(d.comments)})`, false)))));
    state.by = state.by || segments[0] || "";
    form.by.replaceChildren(option("", "none", !state.by), ...segments.map((s) => option(s, s, s === state.by)));
    form.date_from.min = form.date_to.min = facets.date_from || "";
    form.date_from.max = form.date_to.max = facets.date_to || "";
    form.addEventListener("submit", (event) => { event.preventDefault(); readForm(); load(); });
    $("reset").addEventListener("click", () => { form.reset(); readForm(); load(); });
    readForm();
  }

  function readForm() {
    const form = $("filters");
    state.filters = {};
    for (const name of ["date_from", "date_to", "source", "language", "segment"]) {
      if (form[name].value) state.filters[name] = form[name].value;
    }
    state.period = form.period.value;
    state.level = form.level.value;
    state.by = form.by.value;
    state.selected = null;
    $("detail").hidden = true;
  }

  function showLogin(message) {
    $("app").hidden = true;
    $("logout").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message || "";
    $("login-error").hidden = !message;
  }

  async function start() {
    $("login").hidden = true;
    $("app").hidden = false;
    $("logout").hidden = Boolean(report);
    try {
      if (!report) await setupFilters();
    } catch (error) {
      fail(error);
      return;
    }
    await load();
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (report) {
      state.period = report.period;
      state.by = report.by || "";
      state.level = report.level || "theme";
      $("filters-section").hidden = true;
      start();
      return;
    }
    $("login-form").addEventListener("submit", (event) => {
      event.preventDefault();
      sessionStorage.setItem(KEY_STORAGE, $("key").value.trim());
      $("key").value = "";
      start();
    });
    $("logout").addEventListener("click", () => { sessionStorage.removeItem(KEY_STORAGE); showLogin(""); });
    if (sessionStorage.getItem(KEY_STORAGE)) start(); else showLogin("");
  });
})();
