/* The ledger's Mini App: grid (staff), report form (contacts), review queue (principals).
   Launch parameters come from the URL fragment (#tgWebAppData=…); Telegram's script is used
   only when the client injected it. Every request carries "Authorization: tma <init data>". */
"use strict";
(function () {
  const params = new URLSearchParams(location.hash.slice(1));
  const tg = window.Telegram && window.Telegram.WebApp;
  const initData = (tg && tg.initData) || params.get("tgWebAppData") || "";
  const T = {
    zh: { title: "推进台账", grid: "台账", form: "填报", review: "审定", loading: "加载中…",
      refused: "身份验证失败，请从机器人中重新打开。", unknown: "您尚未绑定单位，请联系市同城化发展工作局。",
      period: "月份", plan: "计划", allPlans: "全部计划", unit: "单位", state: "状态", all: "全部",
      transpose: "转置", prev: "上一页", next: "下一页", page: "第 {p}/{n} 页", task: "任务",
      G: "已报送", Y: "临近截止", W: "待审定", R: "已逾期", N: "未到期", u: "未绑定", none: "无需报送",
      status: "完成状态", progress: "进展情况", problems: "存在问题", next_steps: "下步打算",
      done: "已完成", on_track: "序时推进", behind: "滞后", not_started: "未启动",
      saveDraft: "保存草稿", submitAll: "全部提交", saved: "草稿已保存，在其他设备上打开也能继续填写。", draftFrom: "草稿（{at} 保存）", submitted: "已提交 {n} 项。",
      nothing: "请至少填写一项的进展情况。", returnedWhy: "已退回：{r}", last: "上次填报（第{v}版）",
      noTasks: "本期没有需要填报的任务。", queueEmpty: "没有待审定的条目。", approve: "审定通过",
      approveAll: "全部通过", ret: "退回修改", reason: "退回原因", confirmReturn: "确认退回",
      approvedOne: "已审定通过：{u} 任务 {n}。", returnedOne: "已退回：{u} 任务 {n}。",
      changed: "相比上次审定通过的版本有变化的内容已标出。", firstVersion: "首次报送",
      versions: "历次版本", version: "第{v}版", s_draft: "草稿", s_submitted: "待审定", s_approved: "已审定",
      s_accepted: "已采纳", s_returned: "已退回", s_superseded: "已被新版本替代", reviewNote: "审定意见", evidence: "佐证材料", late: "逾期",
      closedMark: "销", extendedMark: "延", m_closed: "已销号", m_extended: "已延期" },
    en: { title: "Progress ledger", grid: "Ledger", form: "Report", review: "Approve", loading: "Loading…",
      refused: "Authentication failed; open the app from the bot again.", unknown: "You are not bound to a unit; contact the bureau.",
      period: "Month", plan: "Plan", allPlans: "All plans", unit: "Unit", state: "State", all: "All",
      transpose: "Transpose", prev: "Previous", next: "Next", page: "page {p}/{n}", task: "Task",
      G: "counted", Y: "due soon", W: "waiting for approval", R: "overdue", N: "not yet due", u: "no contact", none: "not owed",
      status: "Status", progress: "Progress", problems: "Problems", next_steps: "Next steps",
      done: "Done", on_track: "On track", behind: "Behind", not_started: "Not started",
      saveDraft: "Save draft", submitAll: "Submit all", saved: "Draft saved: it opens on your other devices too.", draftFrom: "Draft (saved {at})", submitted: "{n} submitted.",
      nothing: "Fill in the progress of at least one task.", returnedWhy: "Returned: {r}", last: "Last report (version {v})",
      noTasks: "Nothing to report this period.", queueEmpty: "Nothing waits for approval.", approve: "Approve",
      approveAll: "Approve all", ret: "Return", reason: "Reason", confirmReturn: "Return it",
      approvedOne: "Approved: {u} task {n}.", returnedOne: "Returned: {u} task {n}.",
      changed: "What changed since the last approved version is marked.", firstVersion: "first report",
      versions: "Versions", version: "version {v}", s_draft: "draft", s_submitted: "waiting for approval",
      s_approved: "approved", s_accepted: "accepted", s_returned: "returned", s_superseded: "superseded", reviewNote: "Review note", evidence: "Evidence", late: "late",
      closedMark: "C", extendedMark: "E", m_closed: "closed off", m_extended: "extended" },
  };
  let lang = "zh", me = null;
  const t = (key, vars) => String(T[lang][key] ?? key).replace(/\{(\w+)\}/g, (_, k) => (vars || {})[k] ?? "");
  const $ = (sel) => document.querySelector(sel);
  const el = (tag, attrs, ...kids) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
    }
    for (const kid of kids.flat(Infinity)) if (kid !== null && kid !== undefined) node.append(kid.nodeType ? kid : String(kid));
    return node;
  };
  async function api(path, options) {
    const response = await fetch("/api/v1/" + path, Object.assign({}, options, {
      headers: { "Authorization": "tma " + initData, "Content-Type": "application/json" } }));
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw Object.assign(new Error(body.error || response.statusText), { status: response.status });
    return body;
  }
  const show = (...nodes) => { $("#main").replaceChildren(...nodes.flat(2).filter((n) => n)); };
  const fail = (error) => show(el("p", { class: "error", id: "error" }, error.status === 401 ? t("refused") : error.message));
  function dialog(...nodes) { $("#dialog-body").replaceChildren(...nodes.flat(2).filter((n) => n)); $("#dialog").hidden = false; }
  $("#close").addEventListener("click", () => { $("#dialog").hidden = true; });

  function theme() {
    if (tg) { tg.ready(); tg.expand(); return; }
    try {
      const colours = JSON.parse(params.get("tgWebAppThemeParams") || "{}");
      for (const [k, v] of Object.entries(colours)) document.documentElement.style.setProperty("--tg-theme-" + k.replace(/_/g, "-"), v);
    } catch (_) { /* no theme: the defaults */ }
  }

  // ---- the ledger grid (staff) ----
  const grid = { data: null, page: 0, transpose: false, plan: "", unit: "", state: "", task: null };
  const PAGE = 20;
  async function showGrid(period, aim) {
    show(el("p", { class: "note" }, t("loading")));
    grid.data = await api("grid" + (period ? "?period=" + period : ""));
    grid.page = 0;
    const unit = aim && aim.unit && grid.data.units.find((u) => String(u.id) === aim.unit);
    const task = aim && aim.task && grid.data.tasks.find((x) => String(x.id) === aim.task);
    if (unit) grid.unit = unit.name;
    grid.task = task ? task.id : null;
    drawGrid();
    if (unit && task) await openEntry(grid.data.period, task, unit);
  }
  function drawGrid() {
    const d = grid.data;
    const tasks = d.tasks.map((task, i) => Object.assign({ col: i }, task))
      .filter((x) => (!grid.plan || x.plan === grid.plan) && (grid.task === null || x.id === grid.task));
    const units = d.units.filter((u) => (!grid.unit || u.name.includes(grid.unit)) &&
      (!grid.state || tasks.some((x) => u.cells[x.col].toUpperCase() === grid.state || (grid.state === "u" && u.unbound))));
    const pages = Math.max(1, Math.ceil(units.length / PAGE));
    grid.page = Math.min(grid.page, pages - 1);
    const shown = units.slice(grid.page * PAGE, grid.page * PAGE + PAGE);
    const code = (u, x) => u.cells[x.col];
    const marks = d.marks || { closed: {}, extended: {} };
    const td = (u, x) => {
      const c = code(u, x), key = `${u.id}-${x.id}`, closed = marks.closed[key], until = marks.extended[key];
      const mark = closed ? " m-closed" : until ? " m-extended" : "";
      const note = closed ? " · " + t("closed", { d: closed }) : until ? " · " + t("extended", { d: until }) : "";
      const letter = closed ? t("closedMark") : until ? t("extendedMark") : "";
      if (c === ".") return el("td", { class: "c c-none" + mark, title: (closed ? `${u.name} · ${x.plan}/${x.number}` : t("none")) + note, "data-unit": u.name, "data-task": x.number }, letter);
      const cls = "c c-" + c.toUpperCase() + (c !== c.toUpperCase() ? " c-u" : "") + mark;
      const tip = `${u.name} · ${x.plan}/${x.number} · ${t(c.toUpperCase())}${c !== c.toUpperCase() ? " · " + t("u") : ""}${note}`;
      return el("td", { class: cls, title: tip, "data-unit": u.name, "data-task": x.number, onclick: () => openEntry(d.period, x, u).catch((error) => dialog(el("p", { class: "error" }, error.message))) }, letter);
    };
    let table;
    if (!grid.transpose) {
      const head = el("tr", {}, el("th", { class: "row" }, t("task")), shown.map((u) => el("th", { title: u.name, class: "unit" }, u.name)));
      const rows = []; let group = null;
      for (const x of tasks) {
        const g = x.plan + " " + (x.section || "");
        if (g !== group) { group = g; rows.push(el("tr", { class: "group" }, el("th", { colspan: shown.length + 1 }, g))); }
        rows.push(el("tr", {}, el("th", { class: "row task", title: x.text }, `${x.number}. ${x.text}`), shown.map((u) => td(u, x))));
      }
      table = el("table", { class: "grid", id: "grid" }, el("thead", {}, head), el("tbody", {}, rows));
    } else {
      const head = el("tr", {}, el("th", { class: "row" }, t("unit")), tasks.map((x) => el("th", { title: x.text, class: "task" }, x.number)));
      table = el("table", { class: "grid", id: "grid" }, el("thead", {}, head),
        el("tbody", {}, shown.map((u) => el("tr", {}, el("th", { class: "row unit" }, u.name), tasks.map((x) => td(u, x))))));
    }
    const planSelect = el("select", { id: "plan", onchange: (e) => { grid.plan = e.target.value; grid.task = null; drawGrid(); } },
      el("option", { value: "" }, t("allPlans")), d.plans.map((p) => el("option", { value: p.code, selected: p.code === grid.plan }, p.code)));
    const stateSelect = el("select", { id: "state", onchange: (e) => { grid.state = e.target.value; grid.page = 0; drawGrid(); } },
      el("option", { value: "" }, t("state") + ": " + t("all")), ["G", "Y", "W", "R", "N", "u"].map((s) => el("option", { value: s, selected: s === grid.state }, t(s))));
    const unitInput = el("input", { id: "unit", placeholder: t("unit"), value: grid.unit, onchange: (e) => { grid.unit = e.target.value; grid.page = 0; drawGrid(); } });
    const period = el("input", { id: "period", type: "month", value: d.period, onchange: (e) => showGrid(e.target.value).catch(fail) });
    const legend = el("div", { class: "legend" }, ["G", "Y", "W", "R", "N", "u"].map((s) => el("span", {}, el("i", { class: "sw sw-" + s + (s === "u" ? " sw-N" : "") }), t(s))),
      ["closed", "extended"].map((m) => el("span", {}, el("i", { class: "sw sw-m" }, t(m + "Mark")), t("m_" + m))));
    const paging = pager(grid.page, pages, (p) => { grid.page = p; drawGrid(); });
    show(el("div", { class: "bar" }, views ? views.select("month") : null, el("label", {}, t("period") + " "), period, planSelect, stateSelect, unitInput,
      el("button", { class: "plain", id: "transpose", onclick: () => { grid.transpose = !grid.transpose; drawGrid(); } }, t("transpose"))),
      legend, el("div", { class: "scroll" }, table), paging);
  }
  function openEntry(period, task, unit) {
    return entries.open(grid.data, task, unit);
  }
  function pager(page, pages, go) {
    return el("div", { class: "pager" },
      el("button", { class: "plain", disabled: page === 0, onclick: () => go(page - 1) }, t("prev")),
      el("span", {}, t("page", { p: page + 1, n: pages })),
      el("button", { class: "plain", disabled: page >= pages - 1, onclick: () => go(page + 1) }, t("next")));
  }
  const views = window.LedgerViews ? window.LedgerViews({ T, t, el, api, show, PAGE, pager, showGrid: () => showGrid(),
    fail: (error) => fail(error) }) : null;
  const entries = window.LedgerEntry({ T, t, el, api, dialog, initData, openPeriod: () => me && me.open_period });

  // ---- the report form (contacts) ----
  const FIELDS = ["progress", "problems", "next_steps"];
  const STATUSES = ["done", "on_track", "behind", "not_started"];
  async function showForm(period, aim) {
    const data = await api("form" + (period ? "?period=" + period : ""));
    const cards = [];
    for (const unit of data.units) {
      cards.push(el("h2", {}, `${unit.unit} · ${data.period}`));
      if (!unit.tasks.length) cards.push(el("p", { class: "note" }, t("noTasks")));
      for (const task of unit.tasks) {
        const last = task.last || {}; const mine = task.draft || {};
        const value = (f) => mine[f] ?? (last[f] || "");
        cards.push(el("div", { class: "card task", "data-task": task.task_id, "data-unit": unit.unit_id, "data-number": task.number },
          el("h3", {}, `${task.plan}/${task.number}  ${task.text}`),
          task.draft ? el("p", { class: "note draft" }, t("draftFrom", { at: task.draft.saved_at.slice(0, 16).replace("T", " ") })) : null,
          last.state === "returned" ? el("p", { class: "returned" }, t("returnedWhy", { r: last.review_note || "" })) : null,
          task.last ? el("p", { class: "note" }, t("last", { v: last.version })) : null,
          el("label", {}, t("status")),
          el("select", { name: "status" }, STATUSES.map((s) => el("option", { value: s, selected: s === (mine.status || last.status || "on_track") }, t(s)))),
          FIELDS.map((f) => [el("label", {}, t(f)), el("textarea", { name: f }, value(f))])));
      }
    }
    const collect = () => [...document.querySelectorAll(".card.task")].map((card) => {
      const item = { unit_id: Number(card.dataset.unit), task_id: Number(card.dataset.task), status: card.querySelector("[name=status]").value };
      for (const f of FIELDS) item[f] = card.querySelector(`[name=${f}]`).value;
      return item;
    });
    const message = el("p", { id: "message", class: "note" });
    const save = async () => {
      const items = collect();
      if (!items.length) return;
      try {
        await api("form/draft?period=" + data.period, { method: "POST", body: JSON.stringify({ items }) });
        message.className = "note"; message.textContent = t("saved");
      } catch (error) { message.className = "error"; message.textContent = error.message; }
    };
    const submit = async () => {
      const items = collect().filter((i) => i.progress.trim());
      if (!items.length) { message.textContent = t("nothing"); return; }
      try {
        const result = await api("form?period=" + data.period, { method: "POST", body: JSON.stringify({ items }) });
        await showForm(data.period);
        $("#message").textContent = t("submitted", { n: result.stored.length });
      } catch (error) { message.className = "error"; message.textContent = error.message; }
    };
    show(...cards, message, el("div", { class: "actions" },
      el("button", { class: "plain", id: "save", onclick: save }, t("saveDraft")),
      el("button", { class: "act", id: "submit", onclick: submit }, t("submitAll"))));
    const card = aim && aim.task && document.querySelector(`.card.task[data-task="${Number(aim.task)}"]`);
    if (card) { card.classList.add("aimed"); card.scrollIntoView(); }
  }

  // ---- the review queue (principals) ----
  async function showReviews(note) {
    const data = await api("reviews");
    const message = el("p", { id: "message", class: "note" }, note || "");
    const act = async (item, body) => {
      const path = `entries/${item.entry.id}/` + (body ? "return" : "approve");
      const r = await api(path, { method: "POST", body: JSON.stringify(body || {}) });
      return t(body ? "returnedOne" : "approvedOne", { u: item.unit, n: r.number });
    };
    const cards = data.entries.map((item) => {
      const e = item.entry; const reason = el("div", { class: "reason", hidden: true });
      const mark = (f) => (item.approved_before && item.changed.includes(f) ? "changed" : null);
      reason.append(el("label", {}, t("reason")), el("textarea", { name: "reason" }),
        el("button", { class: "act confirm-return", onclick: async () => {
          const text = reason.querySelector("textarea").value;
          try { await showReviews(await act(item, { reason: text })); } catch (error) { message.className = "error"; message.textContent = error.message; }
        } }, t("confirmReturn")));
      return el("div", { class: "card review", "data-number": item.task.number, "data-entry": e.id },
        el("h3", {}, `${item.unit} · ${item.period} · ${t("task")} ${item.task.number} · ${t("version", { v: e.version })}`),
        el("p", { class: "note" }, item.task.text),
        el("div", { class: mark("status") }, el("label", {}, t("status")), t(e.status)),
        FIELDS.map((f) => el("div", { class: mark(f) }, el("label", {}, t(f)), e[f] || "—")),
        el("p", { class: "note" }, item.approved_before ? t("changed") : t("firstVersion")),
        item.own ? null : el("div", { class: "actions" },
          el("button", { class: "act approve", onclick: async () => {
            try { await showReviews(await act(item)); } catch (error) { message.className = "error"; message.textContent = error.message; }
          } }, t("approve")),
          el("button", { class: "plain return", onclick: () => { reason.hidden = false; } }, t("ret"))),
        reason);
    });
    const all = el("button", { class: "act", id: "approve-all", onclick: async () => {
      const done = [];
      for (const item of data.entries.filter((i) => !i.own)) done.push(await act(item).catch((error) => error.message));
      await showReviews(done.join(" "));
    } }, t("approveAll"));
    show(message, cards.length ? [all, ...cards] : el("p", { class: "note" }, t("queueEmpty")));
  }

  // ---- start ----
  const SCREENS = { grid: showGrid, form: showForm, review: () => showReviews() };
  function tabs(names) {
    const nav = $("#tabs");
    nav.replaceChildren(...names.map((n) => el("button", { type: "button", "data-screen": n, onclick: () => open(n) }, t(n))));
  }
  function open(name, aim) {
    for (const b of document.querySelectorAll("nav button")) b.classList.toggle("on", b.dataset.screen === name);
    document.body.dataset.screen = name;
    SCREENS[name](aim && aim.period, aim).catch(fail);
  }
  // Where to open: ?screen=grid&period=2023-03&unit=12&task=5 (a web_app button), or the
  // startapp parameter grid_p2023-03_u12_t5 (a t.me link; start_param in the init data).
  function aimed() {
    const q = new URLSearchParams(location.search);
    const aim = { screen: q.get("screen") || params.get("screen"), period: q.get("period"), unit: q.get("unit"), task: q.get("task") };
    const start = params.get("tgWebAppStartParam") || new URLSearchParams(initData).get("start_param") || "";
    const [screen, ...parts] = start.split("_");
    if (start && !aim.screen) {
      aim.screen = screen;
      for (const part of parts) { const k = { p: "period", u: "unit", t: "task" }[part[0]]; if (k) aim[k] = part.slice(1); }
    }
    if (aim.period && !/^\d{4}-\d{2}$/.test(aim.period)) aim.period = null;
    for (const k of ["unit", "task"]) if (aim[k] && !/^\d+$/.test(aim[k])) aim[k] = null;
    return aim;
  }
  async function start() {
    theme();
    try { me = await api("me"); } catch (error) { fail(error); return; }
    lang = me.lang === "en" ? "en" : "zh";
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    document.title = $("#title").textContent = t("title");
    const names = [];
    if (me.roles.includes("staff")) names.push("grid");
    if (me.roles.includes("contact")) names.push("form");
    if (me.roles.includes("principal")) names.push("review");
    if (!names.length) { show(el("p", { class: "error", id: "error" }, t("unknown"))); return; }
    tabs(names);
    const aim = aimed();
    open(names.includes(aim.screen) ? aim.screen : names[0], names.includes(aim.screen) ? aim : null);
  }
  start();
})();
