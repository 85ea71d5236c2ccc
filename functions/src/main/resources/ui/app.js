// FuseML's web page: apps, an app's versions and runs, a run's event trace, the org's chain. Every datum comes from
// the REST API (/api/v1) with the session cookie that `fuseml ui` signed this browser in with; nothing is loaded from
// elsewhere, nothing is written into the page as HTML (text nodes only), and the page only reads.
"use strict";

const STEPS = ["receive", "build", "train", "register", "serve"];
const main = document.getElementById("main");
let me = null; // { principal, org }
let generation = 0; // bumped on each navigation: a live update of a page left behind stops

// ---- DOM helpers: text only, never HTML ---------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

function setAttrs(node, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") node.textContent = String(v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
}

function append(node, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

function show(...children) {
  main.replaceChildren(...children.flat().filter(Boolean));
}

function link(href, text, attrs) {
  return el("a", Object.assign({ href }, attrs || {}), text);
}

function state(status) {
  return el("span", { class: "state state-" + (status || "none") }, status || "–");
}

function when(instant) {
  return instant ? new Date(instant).toLocaleString() : "–";
}

function seconds(step) {
  if (!step.started) return null;
  const end = step.ended ? Date.parse(step.ended) : Date.now();
  return Math.max(0, (end - Date.parse(step.started)) / 1000);
}

function enc(segment) {
  return encodeURIComponent(segment);
}

// ---- API -----------------------------------------------------------------------------------------------------------

class SignedOut extends Error {}

async function api(path, accept = "application/json") {
  const response = await fetch(path, { credentials: "same-origin", headers: { Accept: accept } });
  if (response.status === 401) throw new SignedOut();
  if (!response.ok) {
    let message = response.status + " " + response.statusText;
    try {
      message = (await response.json()).error || message;
    } catch (ignored) {
      // not JSON: the status says enough
    }
    throw new Error(message);
  }
  const type = response.headers.get("Content-Type") || "";
  return type.includes("json") ? response.json() : response.text();
}

// ---- pages ---------------------------------------------------------------------------------------------------------

function signInPage(expired) {
  document.getElementById("nav").hidden = true;
  show(el("section", { class: "signin", id: "signin" },
    el("h1", { text: "Sign in" }),
    expired ? el("p", { class: "cause", text: "That sign-in link was used or has expired (links last a minute)." }) : null,
    el("p", {}, "Run ", el("code", { text: "fuseml ui" }), " where your FuseML CLI is configured: it prints (and "
      + "opens) a one-time link that signs this browser in with the same reach as your CLI's token."),
    el("p", { class: "muted", text: "The session lasts eight hours, or until the orchestrator restarts." })));
}

async function appsPage(org, live) {
  const [apps, runs] = await Promise.all([api(`/api/v1/orgs/${enc(org)}/apps`), api(`/api/v1/orgs/${enc(org)}/runs`)]);
  const runState = new Map(runs.map((r) => [r.id, r.status]));
  const rows = apps.map((a) => el("tr", { "data-app": a.name },
    el("td", {}, link(`#/${enc(org)}/apps/${enc(a.name)}`, a.name)),
    el("td", { class: "mono" }, a.url ? el("span", { text: a.url }) : "–"),
    el("td", { text: a.version ?? "–" }),
    el("td", {}, a.lastRun ? link(`#/${enc(org)}/runs/${enc(a.lastRun)}`, a.lastRun, { class: "mono" }) : "–"),
    el("td", {}, state(runState.get(a.lastRun)))));
  show(el("h1", { text: `Apps of ${org}` }),
    apps.length === 0 ? el("p", { class: "muted" }, "No apps yet: ", el("code", { text: "fuseml push NAME PATH" }))
      : el("div", { class: "scroll" }, el("table", { id: "apps-table" },
        el("caption", { class: "muted", text: `${apps.length} app(s)` }),
        el("thead", {}, el("tr", {}, ["App", "Prediction URL", "Served version", "Last run", "State"].map(
          (h) => el("th", { scope: "col", text: h })))),
        el("tbody", {}, rows))));
  if (runs.some((r) => r.status === "running")) {
    await later(live, 2000, () => appsPage(org, live));
  } else {
    await watchRuns(`/api/v1/orgs/${enc(org)}/runs`, runs[0], live, () => appsPage(org, live));
  }
}

async function appPage(org, app, live) {
  const [registry, runs] = await Promise.all([
    api(`/api/v1/orgs/${enc(org)}/apps/${enc(app)}/registry`),
    api(`/api/v1/orgs/${enc(org)}/runs?app=${enc(app)}`)]);
  const aliasesOf = new Map();
  for (const [alias, version] of Object.entries(registry.aliases || {})) {
    aliasesOf.set(version, [...(aliasesOf.get(version) || []), alias]);
  }
  const versions = [...registry.versions].sort((a, b) => a.version - b.version);
  const metricNames = [...new Set(versions.flatMap((v) => Object.keys(v.metrics || {})))].sort();
  const table = el("table", { id: "versions" },
    el("thead", {}, el("tr", {}, ["Version", "Metrics", "Parameters", "Commit", "Aliases", "Created"].map(
      (h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, versions.slice().reverse().map((v) => el("tr", { "data-version": v.version },
      el("td", {}, String(v.version), v.version === registry.served ? el("span", { class: "badge served", text: "served" })
        : null),
      el("td", { class: "mono", text: pairs(v.metrics, 4) }),
      el("td", { class: "mono", text: pairs(v.params) }),
      el("td", { class: "mono", text: (v.commit || "").slice(0, 10) }),
      el("td", {}, (aliasesOf.get(v.version) || []).map((a) => el("span", { class: "badge", text: a }))),
      el("td", { text: when(v.created) })))));
  const appRuns = runs.slice(0, 10);
  const runBoxes = await Promise.all(appRuns.map((r, i) => runBox(org, r, i === 0 || r.status === "failed")));
  show(el("h1", { text: `${app}` }),
    el("p", {}, "Served version: ", el("strong", { text: registry.served ?? "none" })),
    el("h2", { text: "Versions" }),
    versions.length ? el("div", { class: "scroll" }, table) : el("p", { class: "muted", text: "No versions yet." }),
    metricNames.length ? el("h2", { text: "Metrics over versions" }) : null,
    el("div", { class: "charts" }, metricNames.map((m) => chart(m, versions))),
    el("h2", { text: "Runs" }),
    appRuns.length ? runBoxes : el("p", { class: "muted", text: "No runs yet." }));
  const running = appRuns.find((r) => r.status === "running");
  if (running) {
    await follow(running, live, () => appPage(org, app, live));
  } else {
    await watchRuns(`/api/v1/orgs/${enc(org)}/runs?app=${enc(app)}`, appRuns[0], live, () => appPage(org, app, live));
  }
}

async function runPage(org, id, live) {
  const [run, trace] = await Promise.all([api(`/api/v1/runs/${enc(id)}`), api(`/api/v1/runs/${enc(id)}/events`)]);
  const rows = trace.events.map((e) => el("tr", { class: "event", "data-type": e.type },
    el("td", { class: "mono", text: e.type }),
    el("td", { text: when(e.accepted) }),
    el("td", {}, (e.triggers || []).length ? e.triggers.map((t) => el("span", { class: "badge", text: t }))
      : el("span", { class: "muted", text: "no trigger" })),
    el("td", {}, (e.attempts || []).map((a) => el("div", { class: "mono attempt" },
      `${a.trigger} #${a.attempt}: ${a.status} in ${a.latencyMs} ms${a.retried ? " (retried)" : ""}`))),
    el("td", {}, (e.deadLettered || []).map((t) => el("span", { class: "badge cause", text: t })))));
  show(el("h1", {}, "Run ", el("span", { class: "mono", text: id })),
    el("p", {}, link(`#/${enc(org)}/apps/${enc(run.app)}`, `← ${run.app}`)),
    await runBox(org, run, true),
    el("h2", { text: "Event trace" }),
    el("p", { class: "muted", id: "stopped", text: trace.stopped || "" }),
    el("div", { class: "scroll" }, el("table", { id: "trace" },
      el("thead", {}, el("tr", {}, ["Event", "Accepted", "Triggers matched", "Deliveries (status, latency)",
        "Dead-lettered"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, rows))));
  if (run.status === "running") {
    await follow(run, live, () => runPage(org, id, live));
  }
}

async function chainPage(org) {
  // the org's own triggers, and the default chain's ("*": every org's broker) that the org did not replace
  const all = await api("/api/v1/triggers");
  const own = all.filter((t) => t.namespace === org);
  const replaced = new Set(own.map((t) => t.name));
  const triggers = all.filter((t) => t.namespace === "*" && !replaced.has(t.name)).concat(own);
  show(el("h1", { text: `The chain of ${org}` }),
    el("p", { class: "muted", text: "The org's broker, its triggers with their filters, and where each delivers; "
      + "triggers you applied (not the default chain's) are highlighted, dead-letter sinks dashed." }),
    chainGraph(org, triggers),
    el("h2", { text: "Triggers" }),
    el("div", { class: "scroll" }, el("table", { id: "triggers" },
      el("thead", {}, el("tr", {}, ["Trigger", "Filter", "Subscriber", "Ready"].map(
        (h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, triggers.map((t) => el("tr", { "data-trigger": t.name },
        el("td", {}, t.name, t.builtIn ? null : el("span", { class: "badge", text: "custom" })),
        el("td", { class: "mono", text: filterText(t.filter) }),
        el("td", { class: "mono", text: t.subscriber }),
        el("td", { text: t.ready ? "yes" : `no: ${t.reason || ""}` })))))));
}

// ---- parts ---------------------------------------------------------------------------------------------------------

function pairs(map, digits) {
  const entries = Object.entries(map || {});
  if (!entries.length) return "–";
  return entries.map(([k, v]) => `${k}=${typeof v === "number" && digits ? +v.toFixed(digits) : v}`).join(", ");
}

/** A metric over versions: an SVG line chart with both axes labelled, one point per version that has it. */
function chart(metric, versions) {
  const points = versions.filter((v) => typeof (v.metrics || {})[metric] === "number")
    .map((v) => ({ x: v.version, y: v.metrics[metric] }));
  const W = 340, H = 200, L = 52, R = 14, T = 26, B = 38;
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
  const x0 = Math.min(...xs), x1 = Math.max(...xs);
  let y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (y0 === y1) { y0 -= Math.abs(y0) * 0.1 || 1; y1 += Math.abs(y1) * 0.1 || 1; }
  const px = (x) => (x1 === x0 ? L + (W - L - R) / 2 : L + (x - x0) / (x1 - x0) * (W - L - R));
  const py = (y) => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  const fmt = (v) => +v.toPrecision(4);
  return svg("svg", { class: "chart", "data-metric": metric, viewBox: `0 0 ${W} ${H}`, role: "img",
      "aria-label": `${metric} by version: ` + points.map((p) => `version ${p.x} ${fmt(p.y)}`).join(", ") },
    svg("title", { text: `${metric} by version` }),
    svg("text", { class: "title", x: L, y: 16, text: metric }),
    svg("line", { class: "axis", x1: L, y1: H - B, x2: W - R, y2: H - B }),
    svg("line", { class: "axis", x1: L, y1: T, x2: L, y2: H - B }),
    svg("text", { x: (L + W - R) / 2, y: H - 6, "text-anchor": "middle", text: "version" }),
    svg("text", { x: 12, y: (T + H - B) / 2, "text-anchor": "middle",
      transform: `rotate(-90 12 ${(T + H - B) / 2})`, text: metric }),
    svg("text", { x: L - 4, y: py(y1) + 4, "text-anchor": "end", text: fmt(y1) }),
    svg("text", { x: L - 4, y: py(y0) + 4, "text-anchor": "end", text: fmt(y0) }),
    [...new Set(xs)].map((x) => svg("text", { x: px(x), y: H - B + 14, "text-anchor": "middle", text: x })),
    points.length > 1 ? svg("polyline", { class: "series",
      points: points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(" ") }) : null,
    points.map((p) => svg("circle", { cx: px(p.x).toFixed(1), cy: py(p.y).toFixed(1), r: 4, "data-version": p.x },
      svg("title", { text: `version ${p.x}: ${fmt(p.y)}` }))));
}

/** A run with its five steps on one time axis (start and duration each), its cause and its log's tail. */
async function runBox(org, run, withLog) {
  const byName = new Map((run.steps || []).map((s) => [s.name, s]));
  const starts = (run.steps || []).filter((s) => s.started).map((s) => Date.parse(s.started));
  const t0 = starts.length ? Math.min(...starts) : Date.now();
  const ends = (run.steps || []).map((s) => (s.ended ? Date.parse(s.ended) : Date.now()));
  const span = Math.max(1, (ends.length ? Math.max(...ends) : Date.now()) - t0);
  const timeline = el("div", { class: "timeline", "data-run": run.id, role: "list",
    "aria-label": `steps of run ${run.id}` });
  for (const name of STEPS) {
    const step = byName.get(name);
    const status = step ? step.status : "pending";
    const left = step && step.started ? (Date.parse(step.started) - t0) / span * 100 : 0;
    const width = step && step.started ? Math.max(0.6, seconds(step) * 1000 / span * 100) : 0;
    const took = step ? seconds(step) : null;
    timeline.append(
      el("span", { class: "step", role: "listitem", "data-step": name, "data-status": status },
        `${name} `, el("span", { class: "state state-" + status, text: status })),
      el("div", { class: "bar-track", "aria-hidden": "true" },
        step && step.started ? el("div", { class: "bar " + status, style: null, "data-left": left.toFixed(2),
          "data-width": Math.min(100 - left, width).toFixed(2) }) : null),
      el("span", { class: "mono", title: step && step.started ? `started ${when(step.started)}` : null,
        text: took === null ? "–" : `+${(left * span / 100000).toFixed(2)} s, ${took.toFixed(2)} s` }));
  }
  placeBars(timeline);
  let log = null;
  if (withLog && (run.status === "failed" || run.status === "running" || run.logExcerpt)) {
    try {
      const text = await api(`/api/v1/runs/${enc(run.id)}/log`, "text/plain");
      log = el("pre", { class: "log", "aria-label": "last lines of the run's log",
        text: String(text).split("\n").filter((l) => l.trim()).slice(-15).join("\n") });
    } catch (e) {
      if (e instanceof SignedOut) throw e;
    }
  }
  return el("section", { class: "run", "data-run": run.id, "data-status": run.status },
    el("div", { class: "run-head" },
      link(`#/${enc(org)}/runs/${enc(run.id)}`, run.id, { class: "mono" }), state(run.status),
      el("span", { class: "muted", text: when(run.created) }),
      run.version ? el("span", { text: `version ${run.version}` }) : null),
    timeline,
    run.status === "failed" ? el("p", { class: "cause" }, `Failed at ${run.failedStep}: `,
      el("span", { text: run.cause || "" })) : null,
    log);
}

/** Bars are placed through the CSSOM (a style attribute would need 'unsafe-inline' in the CSP). */
function placeBars(root) {
  for (const bar of root.querySelectorAll(".bar")) {
    bar.style.left = bar.dataset.left + "%";
    bar.style.width = bar.dataset.width + "%";
  }
}

function filterText(filter) {
  if (!filter || (typeof filter === "object" && Object.keys(filter).length === 0)) return "every event";
  return JSON.stringify(filter).replace(/[{}"]/g, "").replace(/:/g, ": ").replace(/,/g, ", ");
}

/** Broker → triggers (with their filters) → subscribers, in three columns; dead-letter sinks dashed. */
function chainGraph(org, triggers) {
  const subscribers = [];
  const indexOf = new Map();
  const sub = (uri, dead) => {
    const key = (dead ? "dead:" : "") + uri;
    if (!indexOf.has(key)) {
      indexOf.set(key, subscribers.length);
      subscribers.push({ uri, dead });
    }
    return indexOf.get(key);
  };
  const edges = [];
  // subscribers first, in the triggers' order, then the dead-letter sinks below them: fewer crossing lines
  triggers.forEach((t) => sub(t.subscriber, false));
  triggers.forEach((t, i) => {
    edges.push({ from: i, to: sub(t.subscriber, false), dead: false });
    // the embedded broker gives the sink as its resolved URL; a cluster's Trigger as a Destination (ref, uri)
    const sink = t.delivery && t.delivery.deadLetterSink;
    const sinkUri = typeof sink === "string" ? sink : sink && (sink.uri || (sink.ref && sink.ref.name));
    if (sinkUri) edges.push({ from: i, to: sub(sinkUri, true), dead: true });
  });
  const rowH = 58, W = 1100, colX = [20, 330, 760], boxW = [220, 380, 320];
  const H = Math.max(triggers.length, subscribers.length, 1) * rowH + 30;
  const ty = (i) => 20 + i * rowH, sy = (i) => 20 + i * rowH * Math.max(triggers.length, 1)
    / Math.max(subscribers.length, 1);
  const by = (H - 44) / 2;
  const label = (uri) => {
    try {
      const u = new URL(uri);
      const step = u.pathname.replace(/^\/+/, "").split("/")[0];
      return STEPS.includes(step) ? `${step} step` : u.host + u.pathname;
    } catch (ignored) {
      return uri;
    }
  };
  return svg("svg", { class: "graph", id: "chain", viewBox: `0 0 ${W} ${H}`, role: "img",
      "aria-label": `broker ${org}/default with ${triggers.length} triggers` },
    svg("title", { text: `The chain of ${org}` }),
    edges.map((e) => svg("path", { class: "edge" + (e.dead ? " dead" : ""),
      d: `M ${colX[1] + boxW[1]} ${ty(e.from) + 22} C ${colX[2] - 60} ${ty(e.from) + 22}, ${colX[1] + boxW[1] + 60} `
        + `${sy(e.to) + 22}, ${colX[2]} ${sy(e.to) + 22}` })),
    triggers.map((t, i) => svg("path", { class: "edge",
      d: `M ${colX[0] + boxW[0]} ${by + 22} C ${colX[1] - 50} ${by + 22}, ${colX[0] + boxW[0] + 50} ${ty(i) + 22}, `
        + `${colX[1]} ${ty(i) + 22}` })),
    svg("g", { class: "node broker", transform: `translate(${colX[0]} ${by})` },
      svg("rect", { width: boxW[0], height: 44, rx: 6 }),
      svg("text", { x: 10, y: 19, text: "Broker" }),
      svg("text", { class: "small", x: 10, y: 35, text: `${org}/default` })),
    triggers.map((t, i) => svg("g", { class: "node trigger" + (t.builtIn ? "" : " custom"), "data-trigger": t.name,
        transform: `translate(${colX[1]} ${ty(i)})` },
      svg("rect", { width: boxW[1], height: 44, rx: 6 }),
      svg("text", { x: 10, y: 18, text: t.name + (t.builtIn ? "" : " (custom)") }),
      svg("text", { class: "small", x: 10, y: 35, text: filterText(t.filter).slice(0, 62) }))),
    subscribers.map((s, i) => svg("g", { class: "node subscriber" + (s.dead ? " deadletter" : ""),
        transform: `translate(${colX[2]} ${sy(i)})` },
      svg("rect", { width: boxW[2], height: 44, rx: 6 }),
      svg("text", { x: 10, y: 18, text: (s.dead ? "dead letters: " : "") + label(s.uri) }),
      svg("text", { class: "small", x: 10, y: 35, text: s.uri.slice(0, 52) }))));
}

// ---- live updates --------------------------------------------------------------------------------------------------

function later(live, ms, again) {
  return new Promise((resolve) => setTimeout(resolve, ms)).then(() => (live === generation ? again() : null));
}

/**
 * While nothing runs, asks every few seconds whether a run started (a push from the CLI, a git push, a webhook) and
 * draws the page again when one did; it then follows that run.
 */
async function watchRuns(path, newest, live, redraw) {
  const seen = newest ? newest.id + "/" + newest.status : "";
  while (live === generation) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    if (live !== generation) return;
    let runs;
    try {
      runs = await api(path);
    } catch (e) {
      if (e instanceof SignedOut) throw e;
      continue;
    }
    const now = runs[0] ? runs[0].id + "/" + runs[0].status : "";
    if (now !== seen) {
      await redraw();
      return;
    }
  }
}

/** Long-polls a running run (its record or its log changing) and draws the page again on each change. */
async function follow(run, live, redraw) {
  let revision = run.revision ?? -1;
  let logSize = -1;
  while (live === generation) {
    let progress;
    try {
      progress = await api(`/api/v1/runs/${enc(run.id)}/progress?afterRevision=${revision}&afterLog=${logSize}`);
    } catch (e) {
      if (e instanceof SignedOut) throw e;
      await new Promise((resolve) => setTimeout(resolve, 2000));
      continue;
    }
    if (live !== generation) return;
    const changed = progress.run.revision !== revision;
    revision = progress.run.revision;
    logSize = progress.logSize;
    if (changed || progress.run.status !== "running") {
      await redraw();
      return;
    }
  }
}

// ---- navigation ----------------------------------------------------------------------------------------------------

async function route() {
  const live = ++generation;
  const hash = location.hash || "#/";
  if (hash === "#signin-expired") {
    signInPage(true);
    return;
  }
  try {
    if (!me) {
      if (!(await api("/ui/session")).signedIn) {
        signInPage(false);
        return;
      }
      const [principal, status] = await Promise.all([api("/api/v1/whoami"), api("/api/v1/status")]);
      me = { principal, org: principal.org || status.defaultOrg };
      document.getElementById("who").textContent = `${principal.name}${principal.org ? " (org " + principal.org + ")"
        : " (admin)"}`;
    }
    document.getElementById("nav").hidden = false;
    const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
    const org = parts[0] || me.org;
    document.getElementById("nav-apps").setAttribute("href", `#/${enc(org)}/apps`);
    document.getElementById("nav-chain").setAttribute("href", `#/${enc(org)}/chain`);
    if (parts[1] === "apps" && parts[2]) await appPage(org, parts[2], live);
    else if (parts[1] === "runs" && parts[2]) await runPage(org, parts[2], live);
    else if (parts[1] === "chain") await chainPage(org);
    else await appsPage(org, live);
    if (live === generation) document.title = `FuseML · ${main.querySelector("h1")?.textContent || ""}`;
  } catch (e) {
    if (e instanceof SignedOut) {
      me = null;
      signInPage(false);
    } else if (live === generation) {
      show(el("h1", { text: "Something went wrong" }), el("p", { class: "cause", text: e.message }),
        el("p", {}, link("#/", "Back to the apps")));
    }
  }
}

window.addEventListener("hashchange", () => {
  route();
  main.focus({ preventScroll: true });
});
route();
