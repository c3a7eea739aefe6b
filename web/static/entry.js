/* The entry view of the grid (a cell opened): every version with its review outcome, its
   evidence (images shown, documents downloaded, both through the bot's own server with the
   caller's init data), and [催办] for a unit overdue in the open period. */
"use strict";
window.LedgerEntry = function (kit) {
  const { el, api, t, dialog } = kit;
  Object.assign(kit.T.zh, { download: "下载", urge: "催办", urging: "正在催办…", closed: "已销号 {d}",
    extended: "已延期至 {d}", photo: "图片", noVersions: "尚未报送" });
  Object.assign(kit.T.en, { download: "Download", urge: "Urge", urging: "Urging…", closed: "closed off {d}",
    extended: "extended to {d}", photo: "photo", noVersions: "nothing reported yet" });

  async function file(id) {
    const response = await fetch("/api/v1/evidence/" + id, { headers: { "Authorization": "tma " + kit.initData } });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.error || response.statusText);
    }
    return response.blob();
  }
  function evidence(item) {
    if (item.kind === "photo") {
      const img = el("img", { class: "evidence", alt: item.caption || t("photo"), "data-evidence": item.id });
      file(item.id).then((blob) => { img.src = URL.createObjectURL(blob); }).catch((error) => img.replaceWith(el("p", { class: "error" }, error.message)));
      return img;
    }
    const name = item.file_name || item.kind;
    const button = el("button", { class: "plain download", "data-evidence": item.id, onclick: async () => {
      try {
        const link = el("a", { href: URL.createObjectURL(await file(item.id)), download: name });
        document.body.append(link); link.click(); link.remove();
      } catch (error) { button.replaceWith(el("p", { class: "error" }, error.message)); }
    } }, `${t("download")} ${name}`);
    return button;
  }
  function urgeButton(unit, period) {
    const line = el("p", { id: "urge-message", class: "note" });
    const button = el("button", { class: "act", id: "urge", onclick: async () => {
      button.disabled = true; line.textContent = t("urging");
      try {
        const done = await api(`units/${unit.id}/urge?period=${period}`, { method: "POST", body: "{}" });
        line.className = "note"; line.textContent = done.message;
      } catch (error) { line.className = "error"; line.textContent = error.message; }
    } }, `${t("urge")} ${unit.name}`);
    return el("div", { class: "actions" }, button, line);
  }

  async function open(d, task, unit) {
    const h = await api(`entry?period=${d.period}&task_id=${task.id}&unit_id=${unit.id}`);
    const col = d.tasks.findIndex((x) => x.id === task.id);
    const code = col >= 0 ? unit.cells[col] : ".";
    const overdue = code.toUpperCase() === "R" && d.period === kit.openPeriod();
    const marks = [h.closed ? t("closed", { d: h.closed }) : null, h.extended ? t("extended", { d: h.extended }) : null].filter((m) => m);
    dialog(el("h2", {}, `${h.unit.name} · ${task.plan}/${h.task.number}`), el("p", {}, h.task.text),
      marks.length ? el("p", { class: "marks", id: "marks" }, marks.join(" · ")) : null,
      overdue ? urgeButton(unit, d.period) : null,
      el("h2", {}, t("versions")), h.versions.length ? h.versions.map((v) => el("div", { class: "card" },
        el("h3", {}, `${t("version", { v: v.version })} · ${t(v.status)} · ${t("s_" + v.state)}${v.late ? " · " + t("late") : ""}`),
        ["progress", "problems", "next_steps"].map((f) => el("div", {}, el("label", {}, t(f)), v[f] || "—")),
        v.review_note ? el("p", { class: "returned" }, t("reviewNote") + "：" + v.review_note) : null,
        v.evidence.length ? el("div", { class: "evidence-list" }, el("label", {}, t("evidence")), v.evidence.map(evidence)) : null))
        : el("p", { class: "note" }, t("noVersions")));
  }
  return { open };
};
