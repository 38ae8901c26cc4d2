// synthsoc dashboard: plain JavaScript over the REST API (no build step, no libraries).
"use strict";

const state = { token: null, population: null, populations: [], geo: {}, map: null,
                filters: [], attributes: {}, simRun: null, surveyRun: null };
const SVGNS = "http://www.w3.org/2000/svg";
const NO_DATA = "#cccccc";
const PALETTE = ["#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"];
const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- API
async function api(path, options = {}) {
  const headers = Object.assign({ Authorization: `Bearer ${state.token}` }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers }));
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = text; }
  if (!response.ok) {
    const detail = body && body.detail ? body.detail : text;
    throw new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
  }
  return body;
}
const postJSON = (path, data) => api(path, { method: "POST", body: JSON.stringify(data),
                                            headers: { "Content-Type": "application/json" } });

function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVGNS, tag.slice(4))
                                      : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}
const fmt = (x, d = 3) => (x === null || x === undefined || Number.isNaN(x)) ? "-" : Number(x).toFixed(d);
const pct = (x) => (x === null || x === undefined) ? "-" : `${(100 * x).toFixed(1)}%`;

async function waitForRun(id, onUpdate) {
  for (;;) {
    const run = await api(`/api/runs/${id}`);
    onUpdate(run);
    if (!["queued", "running"].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 700));
  }
}
function describeRun(run) {
  const p = Math.round(100 * run.progress);
  return `${run.title}: ${run.status} ${p}% ${run.stage || ""} ${run.message || ""}`.trim();
}

// ---------------------------------------------------------------- start-up
async function start() {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromHash) { sessionStorage.setItem("synthsoc-token", fromHash); history.replaceState(null, "", "/"); }
  state.token = sessionStorage.getItem("synthsoc-token");
  if (!state.token) return showLogin("");
  try {
    const me = await api("/api/me");
    state.me = me.name;
    $("whoami").textContent = `${me.name} · 동시 작업 ${me.active_jobs}/${me.max_concurrent_jobs} · LLM ${me.llm_calls_used}/${me.llm_budget_calls}`;
  } catch (e) { return showLogin(e.message); }
  $("login").hidden = true; $("app").hidden = false;
  // the builder's first question does not wait for the lists: a click on "add" made while they
  // load must give q2, not q1 (and a second log-in must not add a second first question)
  if (!document.querySelector(".question")) {
    addQuestion("구매 의향", ["전혀 없다", "별로 없다", "보통이다", "약간 있다", "매우 있다"], "likert");
  }
  await loadPopulations();
  await loadScenarios();
  document.body.dataset.ready = "true";  // every list loaded: what scripts and tests wait for
}
function showLogin(message) {
  $("login").hidden = false; $("app").hidden = true; $("login-error").textContent = message;
}
$("login-button").addEventListener("click", () => {
  sessionStorage.setItem("synthsoc-token", $("token-input").value.trim()); start();
});
document.querySelectorAll("#tabs button").forEach((b) => b.addEventListener("click", () => showTab(b.dataset.tab)));
function showTab(name) {
  document.querySelectorAll("#tabs button").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
  document.querySelectorAll(".tab").forEach((s) => { s.hidden = s.id !== `tab-${name}`; });
  if (name === "map" && !state.map) drawMap();
  if (name === "runs") loadRuns();
  if (name === "survey") loadSurveySelect();
}

// ---------------------------------------------------------------- populations
async function loadPopulations(select) {
  state.populations = await api("/api/populations");
  const sel = $("population-select");
  sel.innerHTML = "";
  for (const p of state.populations) {
    const from = p.owner !== state.me && !p.shared ? ` · 공유: ${p.owner} (읽기 전용)` : "";
    const opt = el("option", { value: p.id, text: `${p.title} (${p.status})${from}`, "data-owner": p.owner });
    if (p.status !== "succeeded") opt.disabled = true;
    sel.append(opt);
  }
  const ready = state.populations.filter((p) => p.status === "succeeded");
  const chosen = select || (state.population && ready.some((p) => p.id === state.population) ? state.population : (ready[0] || {}).id);
  if (chosen) { sel.value = chosen; await choosePopulation(chosen); }
  else $("population-info").textContent = "아직 인구가 없습니다: 먼저 만드세요.";
}
$("population-select").addEventListener("change", (e) => choosePopulation(e.target.value));

async function choosePopulation(id) {
  state.population = id; state.map = null; state.filters = []; renderFilters();
  const fit = await api(`/api/populations/${id}/fit`);
  const s = fit.summary;
  $("population-info").textContent = `${Number(s.n_persons).toLocaleString()}명, ${Number(s.n_households).toLocaleString()}가구`;
  const table = $("fit-table"); table.innerHTML = "";
  const rows = [["인원 (persons)", s.n_persons], ["가구 (households)", s.n_households],
    ["최대 통제표 TVD", fmt(s.max_control_tvd, 4)],
    ["같은 표의 정수 하한 TVD (축소 표본의 소수 목표를 정수 인원으로 맞출 때 최소값)",
      s.worst_control_integer_floor_tvd === undefined ? "기록 없음 (이전 버전 보고서)" : fmt(s.worst_control_integer_floor_tvd, 4)], ["가장 나쁜 통제표", s.worst_control],
    ["평균 SRMSE", fmt(s.mean_control_srmse, 4)], ["최대 적합 결합분포 TVD", fmt(s.max_fitted_joint_tvd, 4)],
    ["최대 감사 TVD", fmt(s.max_audit_tvd, 4)], ["가장 큰 감사 차이", s.worst_audit]];
  for (const [k, v] of rows) table.append(el("tr", {}, el("th", { text: k }), el("td", { text: String(v) })));
  table.append(el("tr", {}, el("td", { colspan: 2, class: "note", text: fit.metric })));
  drawPyramid(await api(`/api/populations/${id}/pyramid`));
  state.attributes = await api(`/api/populations/${id}/attributes`);
  fillAttributeSelects();
}

$("population-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  const body = { scale: Number(f.get("scale")), seed: Number(f.get("seed")) };
  if (f.get("region")) body.region = f.get("region");
  const out = $("population-job");
  try {
    const run = await postJSON("/api/populations", body);
    const done = await waitForRun(run.id, (r) => { out.textContent = describeRun(r); });
    if (done.status === "succeeded") await loadPopulations(done.id);
  } catch (err) { out.textContent = `오류: ${err.message}`; }
});

function drawPyramid(data) {
  const svg = $("pyramid"); svg.innerHTML = "";
  const groups = [...new Set(data.rows.map((r) => r.age_group))];
  const W = 520, H = 420, mid = W / 2, top = 30, rowH = (H - top - 40) / groups.length;
  const max = Math.max(...data.rows.map((r) => Math.max(r.synthetic_share, r.official_share)));
  const scale = (mid - 50) / max;
  svg.append(el("svg:text", { x: mid - 60, y: 18, "text-anchor": "end", text: "남자" }));
  svg.append(el("svg:text", { x: mid + 60, y: 18, text: "여자" }));
  groups.forEach((g, i) => {
    const y = H - 40 - (i + 1) * rowH;
    svg.append(el("svg:text", { x: mid, y: y + rowH * 0.75, "text-anchor": "middle", class: "age", text: g }));
    for (const sex of ["M", "F"]) {
      const r = data.rows.find((x) => x.sex === sex && x.age_group === g);
      const w = r.synthetic_share * scale, o = r.official_share * scale;
      const x0 = sex === "M" ? mid - 25 - w : mid + 25;
      svg.append(el("svg:rect", { x: x0, y: y + 1, width: w, height: rowH - 2,
        fill: sex === "M" ? "#6c9fd1" : "#e39aa6", class: "synthetic" },
        el("svg:title", { text: `${g} ${sex === "M" ? "남" : "여"}: 합성 ${pct(r.synthetic_share)} (${r.synthetic_persons}명), 공식 ${pct(r.official_share)}` })));
      const ox = sex === "M" ? mid - 25 - o : mid + 25 + o;
      svg.append(el("svg:line", { x1: ox, x2: ox, y1: y, y2: y + rowH, stroke: "#000", "stroke-width": 2, class: "official" }));
    }
  });
  svg.append(el("svg:rect", { x: 10, y: H - 22, width: 12, height: 10, fill: "#6c9fd1" }));
  svg.append(el("svg:text", { x: 26, y: H - 13, text: "합성 인구 (내국인)" }));
  svg.append(el("svg:line", { x1: 170, x2: 170, y1: H - 24, y2: H - 10, stroke: "#000", "stroke-width": 2 }));
  svg.append(el("svg:text", { x: 176, y: H - 13, text: "공식 통계 (행정안전부 주민등록)" }));
  $("pyramid-note").textContent = `TVD ${fmt(data.tvd, 4)} · ${data.districts}개 시·군·구 · ${data.note}. 출처: ${data.official_source[0] || ""}`;
}

// ---------------------------------------------------------------- map
function fillAttributeSelects() {
  const names = Object.keys(state.attributes);
  for (const id of ["map-attribute", "filter-attribute"]) {
    const sel = $(id); sel.innerHTML = "";
    if (id === "map-attribute") { sel.append(el("option", { value: "age", text: "평균 나이 (age)" }));
                                  sel.append(el("option", { value: "persons", text: "인원 (persons)" })); }
    for (const n of names) sel.append(el("option", { value: n, text: n }));
  }
  fillValues("map-attribute", "map-value"); fillValues("filter-attribute", "filter-value");
}
function fillValues(attrId, valueId) {
  const values = state.attributes[$(attrId).value] || [];
  const sel = $(valueId); sel.innerHTML = "";
  for (const v of values) sel.append(el("option", { value: v, text: v }));
  sel.disabled = values.length === 0;
}
$("map-attribute").addEventListener("change", () => fillValues("map-attribute", "map-value"));
$("filter-attribute").addEventListener("change", () => fillValues("filter-attribute", "filter-value"));
$("map-source").addEventListener("change", async () => {
  const source = $("map-source").value, survey = source === "survey";
  $("map-population-controls").hidden = source !== "population"; $("map-survey-controls").hidden = !survey;
  $("map-fit-controls").hidden = source !== "fit";
  if (survey) { $("map-level").value = "sido"; await loadSurveySelect(); }
  if (source === "fit" && $("map-level").value === "emd") $("map-level").value = "sigungu";
});
$("map-draw").addEventListener("click", () => drawMap());
$("map-level").addEventListener("change", () => drawMap());

// The map's "draw" is disabled while a survey's questions and categories load: a click in
// between would draw with an empty or stale category.
async function withDrawDisabled(work) {
  $("map-draw").disabled = true;
  try { return await work(); } finally { $("map-draw").disabled = false; }
}
function loadSurveySelect() {
  return withDrawDisabled(async () => {
    const runs = (await api("/api/runs?kind=survey")).filter((r) => r.status === "succeeded");
    const sel = $("map-survey"); sel.innerHTML = "";
    for (const r of runs) sel.append(el("option", { value: r.id, text: r.title }));
    if (runs.length) await loadSurveyQuestions();
  });
}
$("map-survey").addEventListener("change", () => withDrawDisabled(loadSurveyQuestions));
async function loadSurveyQuestions() {
  const res = await api(`/api/surveys/${$("map-survey").value}/results`);
  const qs = $("map-question"); qs.innerHTML = "";
  for (const q of res.questions) qs.append(el("option", { value: q, text: q }));
  const fillCats = () => {
    const cats = [...new Set(res.rows.filter((r) => r.question === qs.value).map((r) => String(r.category)))];
    const cs = $("map-category"); cs.innerHTML = "";
    for (const c of cats) cs.append(el("option", { value: c, text: c }));
  };
  qs.onchange = fillCats; fillCats();
}

async function drawMap() {
  const level = $("map-level").value;
  const note = $("map-note");
  note.textContent = "지도를 불러오는 중...";
  if (!state.geo[level]) state.geo[level] = await api(`/api/geo/${level}`);
  let values;
  try {
    if ($("map-source").value === "survey") {
      if (level !== "sido") $("map-level").value = "sido";
      if (!state.geo.sido) state.geo.sido = await api("/api/geo/sido");
      values = await api(`/api/surveys/${$("map-survey").value}/map?question=${encodeURIComponent($("map-question").value)}&category=${encodeURIComponent($("map-category").value)}`);
    } else if ($("map-source").value === "fit") {
      if (level === "emd") $("map-level").value = "sigungu";
      const fitLevel = $("map-level").value;
      if (!state.geo[fitLevel]) state.geo[fitLevel] = await api(`/api/geo/${fitLevel}`);
      values = await api(`/api/populations/${state.population}/fit-map?level=${fitLevel}&metric=${$("map-fit-metric").value}`);
    } else {
      const attr = $("map-attribute").value;
      const q = new URLSearchParams({ level, attribute: attr });
      if (!["age", "persons"].includes(attr)) q.set("value", $("map-value").value);
      values = await api(`/api/populations/${state.population}/map?${q}`);
    }
  } catch (e) { note.textContent = `오류: ${e.message}`; return; }
  renderMap(state.geo[values.level], values);
}

function renderMap(geo, values) {
  const svg = $("map"); svg.innerHTML = "";
  let minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity;
  const rings = (g) => g.type === "Polygon" ? [g.coordinates] : g.coordinates;
  for (const f of geo.features) for (const poly of rings(f.geometry)) for (const [x, y] of poly[0]) {
    if (x < minx) minx = x; if (x > maxx) maxx = x; if (y < miny) miny = y; if (y > maxy) maxy = y;
  }
  const W = 760, H = 720, k = Math.min(W / (maxx - minx), H / (maxy - miny));
  const px = (x) => ((x - minx) * k).toFixed(1), py = (y) => ((maxy - y) * k).toFixed(1);
  const nums = Object.values(values.areas).map((a) => a.value).filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  const breaks = [0.2, 0.4, 0.6, 0.8].map((q) => nums[Math.min(nums.length - 1, Math.floor(q * nums.length))]);
  const colour = (v) => { let i = 0; while (i < breaks.length && v > breaks[i]) i++; return PALETTE[i]; };
  const g = el("svg:g", { id: "map-layer" });
  const tip = $("map-tooltip");
  let withData = 0;
  for (const f of geo.features) {
    const d = rings(f.geometry).map((poly) => poly.map((ring) => "M" + ring.map(([x, y]) => `${px(x)},${py(y)}`).join("L") + "Z").join("")).join("");
    const area = values.areas[f.properties.code];
    const has = area && area.value !== null && area.value !== undefined;
    if (has) withData++;
    const path = el("svg:path", { d, fill: has ? colour(area.value) : NO_DATA, "data-code": f.properties.code,
                                  "data-name": f.properties.name, class: has ? "has-data" : "no-data" });
    path.addEventListener("mousemove", (e) => {
      const box = $("map-wrap").getBoundingClientRect();
      tip.hidden = false; tip.style.left = `${e.clientX - box.left + 12}px`; tip.style.top = `${e.clientY - box.top + 12}px`;
      let interval = has && area.ci_low !== undefined ? ` [${fmt(area.ci_low, 3)}, ${fmt(area.ci_high, 3)}] ${area.basis}` : "";
      if (has && area.sampling_p95 !== undefined) interval += ` · 표본 추출만으로 95%: ${fmt(area.sampling_p95, 3)} 이하`;
      tip.textContent = has ? `${f.properties.name}: ${fmt(area.value, 3)}${interval} (n=${area.n})` : `${f.properties.name}: 자료 없음 (no data)`;
    });
    path.addEventListener("mouseleave", () => { tip.hidden = true; });
    g.append(path);
  }
  svg.append(g);
  state.map = { W, H, view: [0, 0, W, H] };
  setView(state.map.view);
  const legend = $("map-legend"); legend.innerHTML = "";
  const lows = [nums[0], ...breaks];
  const shown = new Set();
  PALETTE.forEach((c, i) => {
    if (!nums.length) return;
    const hi = i < breaks.length ? breaks[i] : nums[nums.length - 1];
    const key = `${fmt(lows[i], 3)}-${fmt(hi, 3)}`;
    if (shown.has(key)) return;
    shown.add(key);
    legend.append(el("span", {}, el("span", { class: "sw", style: `background:${c}` }), `${fmt(lows[i], 3)} ~ ${fmt(hi, 3)}`));
  });
  legend.append(el("span", { id: "legend-no-data" }, el("span", { class: "sw", style: `background:${NO_DATA}` }),
    `자료 없음 (no data): ${geo.features.length - withData} / ${geo.features.length}`));
  const unplaced = values.persons_not_on_map ? ` · 지도에 놓이지 않은 인원 ${values.persons_not_on_map}명` : "";
  const basis = values.sampling ? ` · ${values.sampling}` : "";
  const official = values.official_source ? ` · 공식 통계: ${values.official_source[0]}` : "";
  $("map-note").textContent = `${values.what}${basis} · ${values.no_data}${unplaced}${official} · 경계: ${geo.source}`;
}
function setView(v) { state.map.view = v; $("map").setAttribute("viewBox", v.map((x) => x.toFixed(1)).join(" ")); }
function zoom(factor, cx, cy) {
  if (!state.map) return;
  const [x, y, w, h] = state.map.view;
  cx = cx === undefined ? x + w / 2 : cx; cy = cy === undefined ? y + h / 2 : cy;
  const nw = Math.min(state.map.W, Math.max(8, w * factor)), nh = nw * state.map.H / state.map.W;
  setView([cx - (cx - x) * nw / w, cy - (cy - y) * nh / h, nw, nh]);
}
$("map-zoom-in").addEventListener("click", () => zoom(0.5));
$("map-zoom-out").addEventListener("click", () => zoom(2));
$("map-reset").addEventListener("click", () => state.map && setView([0, 0, state.map.W, state.map.H]));
$("map").addEventListener("wheel", (e) => {
  if (!state.map) return;
  e.preventDefault();
  const box = $("map").getBoundingClientRect(), [x, y, w, h] = state.map.view;
  zoom(e.deltaY < 0 ? 0.8 : 1.25, x + (e.clientX - box.left) / box.width * w, y + (e.clientY - box.top) / box.height * h);
}, { passive: false });
let drag = null;
$("map").addEventListener("mousedown", (e) => { drag = state.map && { x: e.clientX, y: e.clientY, view: state.map.view.slice() }; });
window.addEventListener("mouseup", () => { drag = null; });
window.addEventListener("mousemove", (e) => {
  if (!drag) return;
  const box = $("map").getBoundingClientRect(), [x, y, w, h] = drag.view;
  setView([x - (e.clientX - drag.x) / box.width * w, y - (e.clientY - drag.y) / box.height * h, w, h]);
});

// ---------------------------------------------------------------- personas
function renderFilters() {
  const box = $("filters"); box.innerHTML = "";
  state.filters.forEach((f, i) => box.append(el("span", { class: "filter-chip" }, f, " ",
    el("button", { text: "×", onclick: () => { state.filters.splice(i, 1); renderFilters(); } }))));
}
$("filter-add").addEventListener("click", () => {
  state.filters.push(`${$("filter-attribute").value}:${$("filter-value").value}`); renderFilters();
});
$("persona-search").addEventListener("click", () => searchPersonas(null));
$("persona-sample").addEventListener("click", () => searchPersonas(10));
async function searchPersonas(sample) {
  const q = new URLSearchParams();
  for (const f of state.filters) q.append("where", f);
  if ($("age-min").value) q.set("age_min", $("age-min").value);
  if ($("age-max").value) q.set("age_max", $("age-max").value);
  q.set("limit", "50");
  if (sample) { q.set("sample", String(sample)); q.set("seed", String(Math.floor(Math.random() * 1e6))); }
  let res;
  try { res = await api(`/api/populations/${state.population}/personas?${q}`); }
  catch (e) { $("persona-count").textContent = `오류: ${e.message}`; return; }
  $("persona-count").textContent = `조건에 맞는 사람 ${res.total.toLocaleString()}명 (${res.rows.length}명 표시)`;
  const cols = ["person_id", "name", "age", "sex", "sigungu_name", "economic_activity", "education", "household_size"];
  const table = $("persona-table"); table.innerHTML = "";
  table.append(el("tr", {}, ...cols.map((c) => el("th", { text: c }))));
  for (const r of res.rows) {
    table.append(el("tr", { class: "persona-row", onclick: () => showPersona(r.person_id) },
      ...cols.map((c) => el("td", { text: String(r[c] ?? "") }))));
  }
}
async function showPersona(id) {
  const d = await api(`/api/populations/${state.population}/personas/${id}`);
  const box = $("persona-detail"); box.innerHTML = "";
  box.append(el("h3", { text: `${d.person.name} (${d.person.age}세)` }));
  box.append(el("pre", { text: d.description }));
  box.append(el("h4", { text: "이야기" }));
  box.append(el("p", { class: "narrative", text: d.narrative || "(이야기 없음)" }));
  box.append(el("p", { class: "note", text: `출처: ${d.narrative_source}` }));
  box.append(el("h4", { text: `가구 (${d.household ? d.household.size : "?"}명, ${d.household ? d.household.type : ""})` }));
  const t = el("table", { class: "grid", id: "household-table" });
  t.append(el("tr", {}, ...["이름", "나이", "성별", "관계"].map((c) => el("th", { text: c }))));
  for (const m of d.members) t.append(el("tr", {}, ...[m.name, m.age, m.sex, m.relationship].map((c) => el("td", { text: String(c) }))));
  box.append(t);
}

// ---------------------------------------------------------------- concept test builder
let questionCount = 0;
function addQuestion(text, options, type) {
  questionCount++;
  const id = `q${questionCount}`;
  const div = el("div", { class: "question", "data-qid": id },
    el("label", {}, `문항 ${id} `, el("input", { class: "q-text", value: text, size: 40 })),
    el("label", {}, " 유형 ", (() => { const s = el("select", { class: "q-type" },
      el("option", { value: "single_choice", text: "단일 선택" }), el("option", { value: "likert", text: "리커트" }));
      s.value = type; return s; })()),
    el("label", {}, " 보기 (쉼표로 구분) ", el("input", { class: "q-options", value: options.join(", "), size: 50 })),
    el("button", { type: "button", text: "삭제", onclick: () => { div.remove(); updatePilotHeader(); } }));
  $("questions").append(div);
  updatePilotHeader();
}
$("question-add").addEventListener("click", () => addQuestion("어느 쪽을 사시겠습니까?", ["콘셉트 A", "콘셉트 B", "둘 다 아님"], "single_choice"));
$("survey-segments").addEventListener("change", updatePilotHeader);
function segments() { return [...document.querySelectorAll("#survey-segments input:checked")].map((i) => i.value); }
function updatePilotHeader() {
  const ids = [...document.querySelectorAll(".question")].map((q) => q.dataset.qid);
  $("pilot-header").textContent = [...segments(), ...ids].join(",") + "  (응답은 보기 번호 1, 2, ...)";
}
function questionnaire() {
  const questions = [...document.querySelectorAll(".question")].map((q) => ({
    id: q.dataset.qid, type: q.querySelector(".q-type").value,
    text: { ko: q.querySelector(".q-text").value },
    options: q.querySelector(".q-options").value.split(",").map((s) => s.trim()).filter(Boolean)
      .map((label, i) => ({ id: String(i + 1), ko: label })) }));
  // JSON is YAML: the server reads it with the same questionnaire parser as the command line
  return JSON.stringify({ id: "concept_test_builder", title: { ko: $("survey-title").value },
                          segments: segments(), questions }, null, 1);
}
$("survey-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  $("survey-error").textContent = ""; $("survey-results").innerHTML = "";
  if (!state.population) {  // the list may still be loading: say so rather than send "undefined"
    $("survey-error").textContent = "먼저 인구를 고르세요 (인구 목록을 불러오는 중이면 잠시 후 다시 실행하세요).";
    return;
  }
  const form = new FormData();
  form.append("population", state.population);
  form.append("engine", "calibrated");
  form.append("questionnaire", new Blob([questionnaire()], { type: "application/x-yaml" }), "concept_test.yaml");
  const file = $("pilot-file").files[0];
  if (file) form.append("pilot", file, file.name);
  try {
    const run = await api("/api/surveys", { method: "POST", body: form });
    const done = await waitForRun(run.id, (r) => { $("survey-job").textContent = describeRun(r); });
    if (done.status !== "succeeded") { $("survey-error").textContent = done.message; return; }
    await showSurveyResults(done.id);
  } catch (err) { $("survey-error").textContent = err.message; }
});
async function showSurveyResults(id) {
  const res = await api(`/api/surveys/${id}/results`);
  const box = $("survey-results"); box.innerHTML = "";
  // Korean notes for people (results.json notes_ko); the English ones where a run has none
  const notes = res.notes_ko && res.notes_ko.length ? res.notes_ko : res.notes;
  box.append(el("p", { class: "note", text: notes.join(" · ") }));
  for (const q of res.questions) for (const seg of res.segments.filter((s) => !s.includes("*"))) {
    box.append(surveyChart(res, q, seg));
  }
}
function surveyChart(res, question, segment) {
  const rows = res.rows.filter((r) => r.question === question && r.segment === segment);
  const groups = [...new Set(rows.map((r) => r.group))];
  const cats = [...new Set(rows.map((r) => String(r.category)))];
  const colours = ["#2b8cbe", "#e6550d", "#31a354", "#756bb1", "#636363", "#d6616b"];
  const barH = 12, gap = 10, left = 110, W = 620;
  const H = 40 + groups.length * (cats.length * barH + gap) + 20;
  const svg = el("svg:svg", { width: W, height: H, class: "chart survey-chart", "data-question": question, "data-segment": segment });
  const label = (res.labels || {})[question] || { text: question, options: {} };
  const optionName = (c) => label.options[c] || c;
  svg.append(el("svg:text", { x: 4, y: 14, "font-weight": "bold", text: `${question} ${label.text} · ${segment} (95% 구간, n=응답자 수)` }));
  const sx = (v) => left + v * (W - left - 120);
  let y = 28;
  for (const g of groups) {
    const first = rows.find((r) => r.group === g);
    svg.append(el("svg:text", { x: 4, y: y + 10, text: `${g}` }));
    svg.append(el("svg:text", { x: 4, y: y + 22, class: `basis-${first.basis}`, text: `n=${first.n_respondents} ${first.basis}` }));
    cats.forEach((c, i) => {
      const r = rows.find((x) => x.group === g && String(x.category) === c);
      if (r && r.share !== null) {
        svg.append(el("svg:rect", { x: left, y, width: sx(r.share) - left, height: barH - 2, fill: colours[i % colours.length],
          opacity: r.basis === "measured" ? 1 : 0.5 }, el("svg:title", { text: `${optionName(c)}: ${pct(r.share)} [${pct(r.ci_low)}, ${pct(r.ci_high)}] n=${r.n_respondents} (${r.basis})` })));
        svg.append(el("svg:line", { x1: sx(r.ci_low), x2: sx(r.ci_high), y1: y + barH / 2 - 1, y2: y + barH / 2 - 1, stroke: "#000", class: "interval" }));
        svg.append(el("svg:text", { x: sx(r.ci_high) + 4, y: y + barH - 3, text: `${optionName(c)} ${pct(r.share)}` }));
      }
      y += barH;
    });
    y += gap;
  }
  svg.append(el("svg:text", { x: 4, y: H - 6, class: "note", text: "흐린 막대: measured 아님 (thin/modelled: 응답자가 적거나 없음, 다른 집단에서 빌려 옴)" }));
  return svg;
}

// ---------------------------------------------------------------- simulations
async function loadScenarios() {
  const list = await api("/api/scenarios");
  const sel = $("scenario-select"); sel.innerHTML = "";
  for (const s of list) sel.append(el("option", { value: s.name, text: `${s.name} (${s.model})` }));
  const describe = () => { const s = list.find((x) => x.name === sel.value); $("scenario-description").textContent = s ? s.description : ""; };
  sel.onchange = describe; describe();
}
$("simulation-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const box = $("simulation-results"); box.innerHTML = "";
  const label = document.querySelector("#simulation-progress .label"), fill = document.querySelector("#simulation-progress .fill");
  try {
    const run = await postJSON("/api/simulations", { population: state.population, scenario: $("scenario-select").value,
      replicates: Number($("replicates").value), seed: Number($("sim-seed").value) });
    state.simRun = run.id; $("simulation-cancel").disabled = false;
    const done = await waitForRun(run.id, (r) => { fill.style.width = `${Math.round(100 * r.progress)}%`; label.textContent = ` ${describeRun(r)}`; });
    $("simulation-cancel").disabled = true;
    if (done.status === "succeeded") await showSimulation(done.id);
  } catch (err) { label.textContent = ` 오류: ${err.message}`; }
});
$("simulation-cancel").addEventListener("click", async () => { if (state.simRun) await api(`/api/runs/${state.simRun}/cancel`, { method: "POST" }); });
async function showSimulation(id) {
  const s = await api(`/api/simulations/${id}/summary`);
  const box = $("simulation-results"); box.innerHTML = "";
  const t = el("table", { class: "grid", id: "verdict-table" });
  t.append(el("tr", {}, ...["결과 (outcome)", "평균", "95% 구간", "판정", "이유", "규칙"].map((c) => el("th", { text: c }))));
  for (const [name, v] of Object.entries(s.outcomes)) {
    const cls = v.label.startsWith("converging") ? "verdict-converging" : v.label.startsWith("diverging") ? "verdict-diverging" : "verdict-insufficient";
    t.append(el("tr", {}, el("td", { text: name }), el("td", { text: fmt(v.mean, 4) }), el("td", { text: `[${fmt(v.ci_low, 4)}, ${fmt(v.ci_high, 4)}]` }),
      el("td", { class: cls, text: v.label }), el("td", { text: v.reason }), el("td", { class: "note", text: v.rule })));
  }
  box.append(el("p", { text: `${s.scenario.name}: ${s.replicates}회 반복, 에이전트 ${s.agents}명` }), t);
  const totals = s.totals && s.totals.totals ? Object.entries(s.totals.totals) : [];
  if (totals.length) {
    const where = s.totals.scaled_to || "population (not scaled)";
    const tt = el("table", { class: "grid", id: "totals-table" });
    tt.append(el("tr", {}, ...["합계 (total)", "합성 표본 평균 [95% 구간]", `${where} [95% 구간]`].map((c) => el("th", { text: c }))));
    const cell = (v) => v ? `${fmt(v.mean, 4)} [${fmt(v.ci_low, 4)}, ${fmt(v.ci_high, 4)}]` : "-";
    for (const [name, v] of totals) tt.append(el("tr", {}, el("td", { text: name }), el("td", { text: cell(v.sample) }), el("td", { text: cell(v.population) })));
    box.append(el("h4", { text: "합계" }), tt, el("p", { class: "note", text: s.totals.rule }));
  }
  const sel = el("select", { id: "series-metric" }, ...s.metrics.map((m) => el("option", { value: m, text: m })));
  const chart = el("div", { id: "series-chart" });
  sel.addEventListener("change", () => drawSeries(id, sel.value, chart));
  box.append(el("p", {}, "시계열 ", sel), chart);
  if (s.metrics.length) await drawSeries(id, s.metrics[0], chart);
}
async function drawSeries(id, metric, box) {
  const d = await api(`/api/simulations/${id}/series?metric=${encodeURIComponent(metric)}`);
  const W = 620, H = 260, L = 50, B = 30;
  const xs = d.rows.map((r) => r.step), lo = Math.min(...d.rows.map((r) => r.p05)), hi = Math.max(...d.rows.map((r) => r.p95));
  const sx = (x) => L + (x - xs[0]) / Math.max(1, xs[xs.length - 1] - xs[0]) * (W - L - 10);
  const sy = (y) => H - B - (y - lo) / Math.max(1e-12, hi - lo) * (H - B - 20);
  const svg = el("svg:svg", { width: W, height: H, class: "chart series-chart" });
  const band = d.rows.map((r) => `${sx(r.step)},${sy(r.p95)}`).concat(d.rows.slice().reverse().map((r) => `${sx(r.step)},${sy(r.p05)}`));
  svg.append(el("svg:polygon", { points: band.join(" "), fill: "#9ecae1", opacity: 0.6 }));
  svg.append(el("svg:polyline", { points: d.rows.map((r) => `${sx(r.step)},${sy(r.median)}`).join(" "), fill: "none", stroke: "#08519c", "stroke-width": 2 }));
  svg.append(el("svg:text", { x: L, y: 14, text: `${metric}: ${d.band}` }));
  svg.append(el("svg:text", { x: 2, y: sy(hi) + 4, text: fmt(hi, 3) }), el("svg:text", { x: 2, y: sy(lo), text: fmt(lo, 3) }));
  svg.append(el("svg:text", { x: W - 60, y: H - 8, text: `step ${xs[xs.length - 1]}` }));
  box.innerHTML = ""; box.append(svg);
}

// ---------------------------------------------------------------- runs
async function loadRuns() {
  const runs = await api("/api/runs");
  const t = $("runs-table"); t.innerHTML = "";
  t.append(el("tr", {}, ...["종류", "제목", "상태", "진행", "메시지", "공유", ""].map((c) => el("th", { text: c }))));
  for (const r of runs) {
    const mine = r.owner === state.me;
    const cancel = mine && ["queued", "running"].includes(r.status)
      ? el("button", { text: "취소", onclick: async () => { await api(`/api/runs/${r.id}/cancel`, { method: "POST" }); loadRuns(); } }) : "";
    let sharing;
    if (mine) {
      const who = el("input", { class: "share-user", placeholder: "사용자 이름", size: 10 });
      const shown = el("span", { class: "share-readers" });
      api(`/api/runs/${r.id}/shares`).then((s) => { shown.textContent = s.readers.join(", "); });
      const button = el("button", { class: "share-button", text: "공유", onclick: async () => {
        try { const s = await postJSON(`/api/runs/${r.id}/shares`, { user: who.value.trim() }); shown.textContent = s.readers.join(", "); }
        catch (err) { shown.textContent = `오류: ${err.message}`; }
      } });
      sharing = el("td", {}, who, button, " ", shown);
    } else sharing = el("td", { class: "note", text: `${r.owner}의 공유 (읽기 전용)` });
    t.append(el("tr", { "data-run": r.id }, el("td", { text: r.kind }), el("td", { text: r.title }), el("td", { class: "status", text: r.status }),
      el("td", { text: `${Math.round(100 * r.progress)}%` }), el("td", { class: "note", text: r.message }), sharing, el("td", {}, cancel)));
  }
}

start();
