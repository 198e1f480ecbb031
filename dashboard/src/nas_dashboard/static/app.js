// nas dashboard: fills the three pages from the JSON API. Every string from a file is put into
// the page as text (textContent, or escaped for plotly's labels), never as markup.
"use strict";

const POLL_RUNNING_MS = 2000;   // a study a search is writing
const POLL_IDLE_MS = 10000;     // anything else: a search may start or resume on it
const POLL_LIST_MS = 3000;      // the file list: new files appear
const SHARE = 50;               // wait at least 50 times as long as the last update took (server and page, waits for a busy CPU included)
const POLL_LONGEST_MS = 30000;  // however much an update costs, one this often
const PARETO_EVERY_MS = 30000;  // the front of a running study is drawn again at most this often, and only when in view
const PLOT_CONFIG = { displaylogo: false, responsive: true };
const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

const WEBGL = (() => { try { return !!document.createElement("canvas").getContext("webgl"); } catch { return false; } })();

const $ = (selector) => document.querySelector(selector);
const params = new URLSearchParams(location.search);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child ?? ""));
  return node;
}

// plotly.js (4.8 MB, up to a second of a busy machine's main thread to run) is fetched beside the data
// but run only once the page's text is on screen: its charts follow the first render, never delay it
const PLOTLY_JS = "/vendor/plotly.min.js";
if (document.body.dataset.page !== "index") document.head.append(el("link", { rel: "preload", href: PLOTLY_JS, as: "script" }));
let plotlyLoading = null;

function plotly() {  // plotly.js, run on first use
  if (!plotlyLoading) {
    plotlyLoading = new Promise((resolve, reject) => {
      const script = el("script", { src: PLOTLY_JS });
      script.addEventListener("load", () => resolve(window.Plotly));
      script.addEventListener("error", () => reject(new Error("plotly.js did not load")));
      document.head.append(script);
    });
  }
  return plotlyLoading;
}

async function getJSON(url) {
  const response = await fetch(url, { cache: "no-store" });
  let data;
  try { data = await response.json(); } catch { throw new Error(`${response.status} ${response.statusText}`); }
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function api(route, extra = {}) {
  return `/api/${route}?` + new URLSearchParams({ path: params.get("path") || "", ...extra });
}

function showError(error) {
  const box = $("#error");
  box.textContent = error ? String(error.message || error) : "";
  box.hidden = !error;
}

function number(value, digits = 4) {
  if (value === null || value === undefined || value === "") return "";
  if (typeof value !== "number") return String(value);
  if (Number.isInteger(value)) return String(value);
  return Number(value.toPrecision(digits)).toString();
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  if (seconds < 120) return `${number(seconds, 3)} s`;
  if (seconds < 7200) return `${number(seconds / 60, 3)} min`;
  return `${number(seconds / 3600, 3)} h`;
}

function plotText(text) {  // plotly reads a few tags in labels: escape them so they show as written
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function setRows(tbody, rows) {
  tbody.replaceChildren(...rows);
}

function liveNote(text) {
  $("#live").textContent = text;
}

function afterPaint() {  // resolves once the browser has painted what the DOM holds now
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

let firstPaint = null;

function markReady() {
  // the first render: the page's text on screen (painted, not only in the DOM), timed from the
  // start of navigation; its charts follow. Resolves once it is painted.
  if (!firstPaint) {
    firstPaint = afterPaint().then(() => {
      window.nasFirstRender = performance.now();
      document.body.dataset.ready = "1";
    });
  }
  return firstPaint;
}

function markCharted() {  // and its charts are drawn
  if (!document.body.dataset.charted) {
    window.nasChartsDrawn = performance.now();
    document.body.dataset.charted = "1";
  }
}

function poller(step, interval) {
  // runs step() now and again after interval() ms; a failed step is shown and retried. Not while
  // the tab is hidden: a page nobody looks at costs a running search nothing; shown again, it
  // updates at once
  let waiting = null;
  let busy = false;
  async function tick() {
    waiting = null;
    if (document.hidden) return;
    busy = true;
    try {
      await step();
      showError(null);
    } catch (error) {
      showError(error);
    } finally {
      busy = false;
    }
    waiting = setTimeout(tick, interval());
  }
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && waiting === null && !busy) tick();
  });
  tick();
}

function definitionList(target, pairs) {
  target.replaceChildren(...pairs.filter(([, v]) => v !== null && v !== undefined && v !== "")
    .flatMap(([k, v]) => [el("dt", { text: k }), el("dd", {}, v instanceof Node ? v : String(v))]));
}

function budgetText(budget, used) {
  const parts = [];
  if (budget.trials !== null) parts.push(`${used.trials} of ${budget.trials} trials`);
  if (budget.seconds !== null) parts.push(`${duration(used.cost_seconds)} of ${duration(budget.seconds)}`);
  if (budget.wall_seconds !== null) parts.push(`wall limit ${duration(budget.wall_seconds)}`);
  return parts.join(", ") || `${used.trials} trials`;
}

function leftText(left) {
  const parts = [];
  if (left.trials !== null) parts.push(`${left.trials} trials`);
  if (left.seconds !== null) parts.push(duration(left.seconds));
  return parts.join(", ");
}

function countsText(row) {
  const counts = Object.entries(row.status_counts).map(([status, n]) => `${n} ${status}`).join(", ");
  return counts ? `${row.trials} (${counts})` : String(row.trials);
}

function whereText(row) {
  return [row.space || row.benchmark, row.dataset].filter(Boolean).join(", ");
}

function stateBadge(state) {
  return el("span", { class: `badge ${state === "running" ? "running" : ""}`, text: state });
}

// -- the file list ---------------------------------------------------------------------------------
function indexPage() {
  poller(async () => {
    const data = await getJSON("/api/files");
    $("#roots").textContent = data.roots.join(", ");
    setRows($("#studies tbody"), data.studies.map((row) => el("tr", { "data-path": row.path },
      el("td", {}, el("a", { href: "/study?" + new URLSearchParams({ path: row.path }), text: row.name })),
      el("td", { text: row.plugins.join(" + ") }),
      el("td", { text: whereText(row) }),
      el("td", { class: "num", text: countsText(row) }),
      el("td", { class: "num", text: number(row.best_objective) }),
      el("td", { text: budgetText(row.budget, row.used) }),
      el("td", { text: leftText(row.left) }),
      el("td", {}, stateBadge(row.state)),
      el("td", { class: "muted", text: row.folder }))));
    setRows($("#benches tbody"), data.benches.map((row) => el("tr", { "data-path": row.path },
      el("td", {}, el("a", { href: "/bench?" + new URLSearchParams({ path: row.path }), text: row.name })),
      el("td", { text: row.plugins.join(", ") }),
      el("td", { text: [row.benchmark, row.dataset].filter(Boolean).join(", ") }),
      el("td", { class: "num", text: `${row.runs_done} (${row.seeds} seeds per set)` }),
      el("td", { text: Object.entries(row.regret_mean).map(([k, v]) => `${k}: ${number(v)}`).join("; ") }),
      el("td", {}, stateBadge(row.complete ? "complete" : "in progress")),
      el("td", { class: "muted", text: row.folder }))));
    setRows($("#problems tbody"), data.problems.map((row) => el("tr", { class: "problem", "data-path": row.path },
      el("td", { text: row.name }), el("td", { class: "wrap", text: row.error }), el("td", { class: "muted", text: row.folder }))));
    $("#problems-section").hidden = data.problems.length === 0;
    $("#no-studies").hidden = data.studies.length > 0;
    $("#no-benches").hidden = data.benches.length > 0;
    $("#truncated").hidden = !data.truncated;
    liveNote(`updated ${new Date().toLocaleTimeString()}`);
    markReady();
  }, () => POLL_LIST_MS);
}

// -- one study -------------------------------------------------------------------------------------
function studyPage() {
  const state = { version: null, study: null, sort: null, desc: false, offset: 0, selected: null, paretoAt: 0, answerKey: null,
    costMs: 0, paretoInView: true };
  const columnsShown = (columns) => columns.filter((c) => c !== "started" && c !== "finished");

  function drawingInto(img, note, trial) {
    note.textContent = "";
    img.hidden = false;
    img.onerror = async () => {  // the API says why in JSON
      img.hidden = true;
      try { await getJSON(img.src); } catch (error) { note.textContent = error.message; }
    };
    img.src = api("study/arch.svg", { trial, v: state.version || "" });
  }

  function renderSummary(study) {
    document.title = `${study.name} - nas dashboard`;
    $("#title").textContent = study.name;
    const badge = $("#state");
    badge.textContent = study.state;
    badge.className = `badge ${study.state === "running" ? "running" : ""}`;
    definitionList($("#summary"), [
      ["file", study.path],
      ["plugins", study.plugin_versions.map((p) => p.version ? `${p.name} ${p.version}` : p.name).join(" + ")],
      ["space", study.space], ["benchmark", study.benchmark], ["dataset", study.dataset],
      ["data file", study.data ? `${study.data.path} (sha256 ${String(study.data.sha256).slice(0, 12)}...)` : null],
      ["seed", study.seed],
      ["trials", countsText(study)],
      ["budget used", budgetText(study.budget, study.used)],
      ["budget left", leftText(study.left)],
      ["wall clock", duration(study.used.wall_seconds)],
      ["best objective", study.best ? `${number(study.best.objective)} (trial ${study.best.trial_id})` : "no completed trial yet"],
      ["stopped", study.stopped],
    ]);
    definitionList($("#options"), Object.entries(study.options).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
    $("#answer-text").textContent = study.best ? study.best.arch : "";
  }

  function renderAnswer(study) {  // after the rest: the picture may need the searched space built
    const answerKey = `${study.best && study.best.trial_id}:${study.stopped}`;
    if (answerKey === state.answerKey) return;  // drawn already
    state.answerKey = answerKey;
    // a strategy may name an answer no trial evaluated (DARTS' last cell), once the search stopped
    if (study.best || study.stopped) drawingInto($("#answer-drawing"), $("#answer-note"), "answer");
    else { $("#answer-drawing").hidden = true; $("#answer-note").textContent = "no answer yet"; }
  }

  function renderCurves(study) {
    const c = study.curve;
    const hover = c.trial_id.map((id, i) => `trial ${id}: ${number(c.best[i])}`);
    const trace = (x) => ({ x, y: c.best, text: hover, hoverinfo: "text", mode: "lines+markers", line: { shape: "hv" }, name: "best so far" });
    const layout = (title) => ({ margin: { t: 10, r: 10, b: 45, l: 55 }, xaxis: { title: { text: title } }, yaxis: { title: { text: "best objective" } } });
    Plotly.react("curve-trials", [trace(c.trial)], layout("trials"), PLOT_CONFIG);
    Plotly.react("curve-time", [trace(c.seconds)], layout("search time [s] (the budget's seconds)"), PLOT_CONFIG);
  }

  function renderPanels(study) {
    const holder = $("#panels");
    const seen = new Set();
    study.panels.forEach((panel) => {
      seen.add(panel.id);
      let div = document.getElementById(`panel-${panel.id}`);
      if (!div) {
        div = el("div", { id: `panel-${panel.id}`, class: "chart" });
        holder.append(el("section", { class: "card", "data-panel": panel.id }, el("h2", { text: panel.title }), div));
      }
      const traces = panel.series.map((s) => ({ x: s.x, y: s.y, name: plotText(s.name), mode: s.mode || "lines+markers", type: "scatter",
        ...(s.text ? { text: s.text.map(plotText), hoverinfo: "text+x+y" } : {}) }));
      Plotly.react(div, traces, { margin: { t: 10, r: 10, b: 45, l: 55 }, xaxis: { title: { text: plotText(panel.x_title) } },
        yaxis: { title: { text: plotText(panel.y_title || "") } }, legend: { orientation: "h", y: -0.25 } }, PLOT_CONFIG);
    });
    holder.querySelectorAll("section[data-panel]").forEach((s) => { if (!seen.has(s.dataset.panel)) s.remove(); });
  }

  function header(columns) {
    const row = $("#trials thead tr");
    row.replaceChildren(...columnsShown(columns).map((column) => {
      const cls = ["sortable", state.sort === column ? (state.desc ? "sorted-desc" : "sorted-asc") : ""].join(" ");
      return el("th", { class: cls, "data-column": column, text: column, onclick: () => {
        if (state.sort === column) state.desc = !state.desc; else { state.sort = column; state.desc = column === "objective"; }
        state.offset = 0;
        loadTrials().catch(showError);
      } });
    }));
  }

  function cell(column, value) {
    if (column === "arch") return el("td", { class: "mono arch", title: value ?? "", text: value ?? "" });
    if (column === "error") return el("td", { class: "mono wrap", text: value ?? "" });
    if (column === "wall_seconds" || column === "cost_seconds") return el("td", { class: "num", text: number(value) });
    return el("td", { class: typeof value === "number" ? "num" : "", text: number(value) });
  }

  function tableQuery() {  // the page of the trial table the controls ask for
    return { sort: state.sort || "", desc: state.desc ? "1" : "0", status: $("#status-filter").value,
      q: $("#text-filter").value, offset: state.offset, limit: Number($("#page-size").value) };
  }

  async function loadTrials() {
    renderTrials(await getJSON(api("study/trials", tableQuery())));
  }

  function renderTrials(data) {
    // a running search mostly adds trials after the page shown: its rows are then built again only when they change
    const key = JSON.stringify([state.sort, state.desc, data.columns, data.rows]);
    if (key !== state.tableKey) {
      state.tableKey = key;
      header(data.columns);
      const shown = columnsShown(data.columns);
      const index = Object.fromEntries(data.columns.map((c, i) => [c, i]));
      setRows($("#trials tbody"), data.rows.map((values) => {
        const id = values[index.trial_id];
        return el("tr", { "data-trial": id, class: id === state.selected ? "selected" : "", onclick: () => selectTrial(id) },
          ...shown.map((c) => cell(c, values[index[c]])));
      }));
    }
    const last = Math.min(data.offset + data.rows.length, data.matched);
    $("#page-info").textContent = data.matched
      ? `rows ${data.offset + 1}-${last} of ${data.matched}${data.matched !== data.total ? ` (of ${data.total} trials)` : ""}`
      : `no trials match (of ${data.total})`;
    $("#prev").disabled = data.offset === 0;
    $("#next").disabled = last >= data.matched;
  }

  async function selectTrial(id) {
    state.selected = id;
    document.querySelectorAll("#trials tbody tr").forEach((tr) => tr.classList.toggle("selected", Number(tr.dataset.trial) === id));
    const record = await getJSON(api("study/trial", { trial: id }));
    $("#trial-card").hidden = false;
    $("#trial-title").textContent = `Trial ${id}`;
    definitionList($("#trial-values"), Object.entries(record)
      .filter(([k]) => k !== "started" && k !== "finished")
      .map(([k, v]) => [k, k === "arch" ? el("span", { class: "mono", text: v }) : number(v)]));
    drawingInto($("#trial-drawing"), $("#trial-note"), id);
  }

  function paretoChoices(study) {
    const xs = $("#pareto-x"), ys = $("#pareto-y");
    const names = study.numeric.map((c) => c.name);
    if (xs.options.length === names.length && [...xs.options].every((o, i) => o.value === names[i])) return;
    const keep = [xs.value, ys.value];
    for (const select of [xs, ys]) select.replaceChildren(...names.map((n) => el("option", { value: n, text: n })));
    const direction = Object.fromEntries(study.numeric.map((c) => [c.name, c.maximize]));
    const x = names.includes(keep[0]) ? keep[0] : (names.includes("objective") ? "objective" : names[0]);
    const y = names.includes(keep[1]) ? keep[1]
      : (names.find((n) => n !== x && !direction[n] && n !== "cost_seconds" && n !== "fidelity") || names.find((n) => n !== x) || x);
    xs.value = x; ys.value = y;
    $("#pareto-xdir").value = direction[x] ? "max" : "min";
    $("#pareto-ydir").value = direction[y] ? "max" : "min";
  }

  async function loadPareto() {
    const x = $("#pareto-x").value, y = $("#pareto-y").value;
    if (!x || !y) { $("#pareto-info").textContent = "no numeric columns yet"; return; }
    const data = await getJSON(api("study/pareto", { x, y, xdir: $("#pareto-xdir").value, ydir: $("#pareto-ydir").value }));
    await plotly();
    const front = new Set(data.front);
    const pick = (keep) => {
      const idx = data.x.map((_, i) => i).filter((i) => front.has(i) === keep);
      if (keep) idx.sort((a, b) => data.x[a] - data.x[b]);
      return { x: idx.map((i) => data.x[i]), y: idx.map((i) => data.y[i]), customdata: idx.map((i) => data.trial_id[i]),
        text: idx.map((i) => `trial ${data.trial_id[i]}`) };
    };
    const rest = pick(false), best = pick(true);
    const many = data.x.length > 5000 && WEBGL;  // thousands of points: drawn by WebGL where there is one
    Plotly.react("pareto", [
      { ...rest, mode: "markers", type: many ? "scattergl" : "scatter", name: "dominated", hoverinfo: "text+x+y",
        marker: { color: "rgba(120,130,140,0.45)", size: 6 } },
      { ...best, mode: "lines+markers", type: "scatter", name: "non-dominated", hoverinfo: "text+x+y",
        line: { shape: $("#pareto-xdir").value === $("#pareto-ydir").value ? "hv" : "vh", color: "#d62728" }, marker: { color: "#d62728", size: 9 } },
    ], { margin: { t: 10, r: 10, b: 45, l: 60 }, xaxis: { title: { text: plotText(x) } }, yaxis: { title: { text: plotText(y) } },
      legend: { orientation: "h", y: -0.2 } }, PLOT_CONFIG);
    if (!state.paretoClicks) {
      state.paretoClicks = true;
      $("#pareto").on("plotly_click", (event) => {
        const point = event.points && event.points[0];
        if (point && point.customdata !== undefined) selectTrial(point.customdata).catch(showError);
      });
    }
    state.paretoAt = Date.now();
    $("#pareto-info").textContent = `${data.front.length} non-dominated of ${data.x.length} completed trials with both values; click a point to see it`;
  }

  async function refresh() {
    const started = performance.now();
    // the summary and the table's page in one answer (the table's page only when something changed)
    const data = await getJSON(api("study", { ...tableQuery(), ...(state.version ? { since: state.version } : {}) }));
    if (data.unchanged) { liveNote(`checked ${new Date().toLocaleTimeString()}`); return; }
    const first = state.study === null;
    state.study = data;
    state.version = data.version;
    renderSummary(data);
    renderTrials(data.table);
    paretoChoices(data);
    liveNote(`${data.trials} trials, updated ${new Date().toLocaleTimeString()}`);
    await markReady();
    renderAnswer(data);
    const shown = performance.now();
    await plotly();
    const charting = performance.now();
    renderCurves(data);
    renderPanels(data);
    markCharted();
    // the server's work and the page's, waiting for a busy machine included; not the first time's
    // (reading the whole file, plotly's first chart), which later updates do not repeat
    state.costMs = first ? 0 : shown - started + performance.now() - charting;
    // the front of a long study is the heaviest part: drawn after the rest, again only now and then
    if (first || (state.paretoInView && Date.now() - state.paretoAt > PARETO_EVERY_MS)) {
      setTimeout(() => loadPareto().catch(showError), 0);
    }
  }

  $("#status-filter").addEventListener("change", () => { state.offset = 0; loadTrials().catch(showError); });
  let typing;
  $("#text-filter").addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => { state.offset = 0; loadTrials().catch(showError); }, 250);
  });
  $("#page-size").addEventListener("change", () => { state.offset = 0; loadTrials().catch(showError); });
  $("#prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - Number($("#page-size").value)); loadTrials().catch(showError); });
  $("#next").addEventListener("click", () => { state.offset += Number($("#page-size").value); loadTrials().catch(showError); });
  for (const id of ["#pareto-x", "#pareto-y", "#pareto-xdir", "#pareto-ydir"]) {
    $(id).addEventListener("change", () => loadPareto().catch(showError));
  }
  new IntersectionObserver((entries) => { state.paretoInView = entries.some((e) => e.isIntersecting); }).observe($("#pareto"));
  poller(refresh, () => Math.min(Math.max(state.study && state.study.state === "running" ? POLL_RUNNING_MS : POLL_IDLE_MS,
    SHARE * state.costMs), POLL_LONGEST_MS));
}

// -- one bench result ----------------------------------------------------------------------------------
function benchPage() {
  let data = null;

  function renderFinals() {
    const metric = $("#final-metric").value;
    const traces = data.finals.map((set, k) => ({
      type: "box", name: plotText(set.label), y: set[metric], boxpoints: "all", jitter: 0.6, pointpos: 0,
      fillcolor: "rgba(0,0,0,0)", line: { color: "rgba(0,0,0,0)" }, marker: { color: COLOURS[k % COLOURS.length], size: 6, opacity: 0.7 },
      text: set.seed.map((s) => `seed ${s}`), hoverinfo: "text+y", hoveron: "points",
    }));
    Plotly.react("finals", traces, { margin: { t: 10, r: 10, b: 60, l: 60 }, showlegend: false,
      yaxis: { title: { text: `final ${metric === "valid" ? "validation" : "test"} accuracy [%]` } } }, PLOT_CONFIG);
  }

  async function render() {
    document.title = `${data.name} - nas dashboard`;
    $("#title").textContent = data.name;
    const badge = $("#state");
    badge.textContent = data.complete ? "complete" : "in progress";
    badge.className = `badge ${data.complete ? "" : "running"}`;
    const budget = data.budget || {};
    definitionList($("#summary"), [
      ["file", data.path], ["benchmark", data.benchmark], ["dataset", data.dataset],
      ["plugin sets", data.plugins.join(", ")], ["seeds per set", data.seeds], ["runs done", data.runs_done],
      ["budget", [budget.trials !== null && budget.trials !== undefined ? `${budget.trials} trials` : "",
        budget.seconds ? duration(budget.seconds) : ""].filter(Boolean).join(", ")],
      ["optimum (validation / test)", `${number(data.optimum.valid_acc)} / ${number(data.optimum.test_acc)}`],
      ["querying every architecture would report", number(data.optimum.exhaustive_valid_acc)],
    ]);
    $("#bench-summary thead tr").replaceChildren(...["plugin set", ...data.summary_columns].map((c) => el("th", { text: c })));
    setRows($("#bench-summary tbody"), data.summary.map((row) => el("tr", {},
      el("td", { text: row.label }), ...data.summary_columns.map((c) => el("td", { class: "num", text: number(row[c]) })))));
    liveNote(`updated ${new Date().toLocaleTimeString()}`);
    await markReady();
    await plotly();
    const traces = [];
    data.bands.forEach((band, k) => {
      const colour = COLOURS[k % COLOURS.length];
      traces.push({ x: [...band.seconds, ...[...band.seconds].reverse()], y: [...band.high, ...[...band.low].reverse()],
        fill: "toself", fillcolor: colour + "33", line: { width: 0 }, hoverinfo: "skip", showlegend: false, type: "scatter" });
      traces.push({ x: band.seconds, y: band.mean, name: plotText(`${band.label}, n=${band.runs}`), line: { color: colour }, type: "scatter", mode: "lines" });
    });
    Plotly.react("regret", traces, { margin: { t: 10, r: 10, b: 50, l: 60 },
      xaxis: { type: "log", title: { text: "simulated search time [s]" } },
      yaxis: { type: "log", title: { text: "regret of validation accuracy [%]" } }, legend: { orientation: "h", y: -0.2 } }, PLOT_CONFIG);
    renderFinals();
    markCharted();
  }

  $("#final-metric").addEventListener("change", () => data && plotly().then(renderFinals));
  poller(async () => {
    const fresh = await getJSON(api("bench", data ? { since: data.version } : {}));
    if (fresh.unchanged) return;
    data = fresh;
    await render();
  }, () => (data && !data.complete ? POLL_RUNNING_MS : POLL_IDLE_MS));
}

const PAGES = { index: indexPage, study: studyPage, bench: benchPage };
PAGES[document.body.dataset.page]();
