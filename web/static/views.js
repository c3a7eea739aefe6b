/* The grid's quarter and year views (staff), beside the month grid of app.js, which passes
   its kit (texts, element builder, API client, pager). Quarter: milestone targets × units,
   each cell the answer (M met, P partly, X not met, ? unanswered). Year: months × units, each
   cell what counts of what was owed. */
"use strict";
window.LedgerViews = function (kit) {
  const { el, api, t, show } = kit;
  Object.assign(kit.T.zh, { view: "视图", month: "月度", quarter: "季度", year: "年度", target: "节点目标",
    M: "已完成", P: "部分完成", X: "未完成", "?": "未答复", total: "合计", noTargets: "本季度没有节点目标。",
    monthN: "{m}月", counted: "已报 {c}/{o}", yG: "全部报送", yY: "部分报送", yR: "逾期未报齐", yN: "未到期" });
  Object.assign(kit.T.en, { view: "View", month: "Month", quarter: "Quarter", year: "Year", target: "Target",
    M: "met", P: "partly", X: "not met", "?": "no answer", total: "Total", noTargets: "No milestone targets this quarter.",
    monthN: "{m}", counted: "counted {c}/{o}", yG: "all counted", yY: "partly counted", yR: "overdue, incomplete",
    yN: "not yet due" });
  const state = { page: 0 };

  function select(current) {
    return el("select", { id: "view", onchange: (e) => open(e.target.value).catch(kit.fail) },
      ["month", "quarter", "year"].map((v) => el("option", { value: v, selected: v === current }, t("view") + ": " + t(v))));
  }
  function open(view, key) {
    state.page = 0;
    if (view === "quarter") return showQuarter(key);
    if (view === "year") return showYear(key);
    return kit.showGrid();
  }
  function stepper(id, label, back, forth) {
    return [el("button", { class: "plain step", onclick: back }, "◀"), el("span", { id, class: "key" }, label),
      el("button", { class: "plain step", onclick: forth }, "▶")];
  }
  function paged(rows, redraw) {
    const pages = Math.max(1, Math.ceil(rows.length / kit.PAGE));
    state.page = Math.min(state.page, pages - 1);
    return [rows.slice(state.page * kit.PAGE, (state.page + 1) * kit.PAGE), kit.pager(state.page, pages, (p) => { state.page = p; redraw(); })];
  }

  // ---- quarter: tasks × units, the milestone answers ----
  async function showQuarter(key) {
    show(el("p", { class: "note" }, t("loading")));
    const d = await api("grid/quarter" + (key ? "?quarter=" + key : ""));
    const shift = (q, by) => { const y = +q.slice(0, 4), n = +q.slice(5) - 1 + by; return `${y + Math.floor(n / 4)}Q${((n % 4) + 4) % 4 + 1}`; };
    const draw = () => {
      const [units, pager] = paged(d.units, draw);
      const td = (u, x, k) => {
        const c = u.cells[k];
        if (c === ".") return el("td", { class: "c c-none", "data-unit": u.name, "data-task": x.number });
        const note = u.notes[String(x.id)];
        return el("td", { class: "c q-" + (c === "?" ? "Q" : c), title: `${u.name} · ${x.plan}/${x.number} · ${t(c)}${note ? " · " + note : ""}`,
          "data-unit": u.name, "data-task": x.number });
      };
      const head = el("tr", {}, el("th", { class: "row" }, t("target")), units.map((u) => el("th", { class: "unit", title: u.name }, u.name)));
      const rows = d.tasks.map((x, k) => el("tr", {}, el("th", { class: "row task", title: x.target }, `${x.number}. ${x.target}`), units.map((u) => td(u, x, k))));
      const legend = el("div", { class: "legend" }, ["M", "P", "X", "?"].map((s) => el("span", {}, el("i", { class: "sw q-" + (s === "?" ? "Q" : s) }), `${t(s)} ${d.totals[s]}`)));
      show(el("div", { class: "bar" }, select("quarter"), stepper("quarter-key", d.quarter,
        () => showQuarter(shift(d.quarter, -1)).catch(kit.fail), () => showQuarter(shift(d.quarter, 1)).catch(kit.fail))),
      d.tasks.length ? [legend, el("div", { class: "scroll" }, el("table", { class: "grid", id: "quarter-grid" }, el("thead", {}, head), el("tbody", {}, rows))), pager]
        : el("p", { class: "note" }, t("noTargets")));
    };
    draw();
  }

  // ---- year: units × months, what counts of what was owed ----
  async function showYear(key) {
    show(el("p", { class: "note" }, t("loading")));
    const d = await api("grid/year" + (key ? "?year=" + key : ""));
    const tone = (c, o, passed) => (c === o ? "G" : passed ? "R" : c ? "Y" : "N");
    const draw = () => {
      const [units, pager] = paged(d.units, draw);
      const head = el("tr", {}, el("th", { class: "row" }, t("unit")), d.months.map((m) => el("th", { class: "month" }, t("monthN", { m: +m.period.slice(5) }))));
      const total = el("tr", { class: "total" }, el("th", { class: "row" }, t("total")),
        d.months.map((m) => el("td", { class: "y y-" + tone(m.counted, m.owed, m.due_passed), title: t("counted", { c: m.counted, o: m.owed }) }, m.owed ? `${Math.round((100 * m.counted) / m.owed)}%` : "—")));
      const rows = units.map((u) => el("tr", {}, el("th", { class: "row unit", title: u.name }, u.name), u.months.map((cell, k) => cell
        ? el("td", { class: "y y-" + tone(cell[0], cell[1], d.months[k].due_passed), "data-unit": u.name, "data-period": d.months[k].period,
          title: `${u.name} · ${d.months[k].period} · ${t("counted", { c: cell[0], o: cell[1] })}` }, `${cell[0]}/${cell[1]}`)
        : el("td", { class: "y c-none" }, ""))));
      show(el("div", { class: "bar" }, select("year"), stepper("year-key", String(d.year),
        () => showYear(d.year - 1).catch(kit.fail), () => showYear(d.year + 1).catch(kit.fail))),
      el("div", { class: "legend" }, ["G", "Y", "R", "N"].map((s) => el("span", {}, el("i", { class: "sw y-" + s }), t("y" + s)))),
      el("div", { class: "scroll" }, el("table", { class: "grid", id: "year-grid" }, el("thead", {}, head), el("tbody", {}, total, rows))), pager);
    };
    draw();
  }
  return { select, open };
};
