"""The words of the registry commands admins use in chat (/units, /pause, /staff, …)."""

from __future__ import annotations

from bot.i18n import Catalog
from services.unit_roster import RosterRow

texts = Catalog(
    {
        "unit_line": {"zh": "{unit}{kind}{paused}", "en": "{unit}{kind}{paused}"},
        "collective": {"zh": "（集体）", "en": " (collective)"},
        "paused_mark": {"zh": " ⏸ 暂停中", "en": " ⏸ paused"},
        "contacts": {"zh": "  填报人：{names}", "en": "  contacts: {names}"},
        "principals": {"zh": "  主要负责同志：{names}", "en": "  principals: {names}"},
        "unbound": {"zh": "  （未绑定填报人）", "en": "  (no contact bound)"},
        "members": {"zh": "  成员：{names}", "en": "  members: {names}"},
        "no_members": {
            "zh": "  ⚠ 无成员：/group {unit} 成员…",
            "en": "  ⚠ no members: /group {unit} MEMBER…",
        },
        "aliases": {"zh": "  别名：{names}", "en": "  aliases: {names}"},
        "units_header": {"zh": "单位 {n} 个：", "en": "{n} units:"},
        "pause_usage": {"zh": "用法：/pause 单位", "en": "Usage: /pause UNIT"},
        "resume_usage": {"zh": "用法：/resume 单位", "en": "Usage: /resume UNIT"},
        "paused": {
            "zh": "已暂停 {unit}：自 {day} 起，至恢复为止（{changes}）",
            "en": "{unit} paused from {day} until resumed ({changes})",
        },
        "resumed": {
            "zh": "已恢复 {unit}：自 {day} 起（{changes}）",
            "en": "{unit} resumed from {day} ({changes})",
        },
        "not_paused": {"zh": "{unit} 未处于暂停状态。", "en": "{unit} is not paused."},
        "unchanged": {"zh": "已开放期次不变", "en": "open periods unchanged"},
        "period_change": {
            "zh": "{period}：应报 -{removed} +{added}",
            "en": "{period}: -{removed} +{added} obligations",
        },
        "staff_usage": {
            "zh": "用法：/staff add 用户ID [admin] 或 /staff remove 用户ID",
            "en": "Usage: /staff add ID [admin] or /staff remove ID",
        },
        "staff_added": {"zh": "{id} 已设为工作人员{admin}。", "en": "{id} is now staff{admin}."},
        "as_admin": {"zh": "（管理员）", "en": " (admin)"},
        "staff_removed": {"zh": "{id} 已移出工作人员。", "en": "{id} removed from staff."},
        "not_staff": {"zh": "{id} 不是工作人员。", "en": "{id} is not staff."},
        "alias_usage": {"zh": "用法：/alias 单位 别名", "en": "Usage: /alias UNIT ALIAS"},
        "alias_added": {
            "zh": "“{alias}”现为 {unit} 的别名{merged}。",
            "en": "“{alias}” is now an alias of {unit}{merged}.",
        },
        "merged": {
            "zh": "（原单位“{alias}”已并入，{n} 项任务关联转移）",
            "en": " (the unit “{alias}” was folded in: {n} task links moved)",
        },
        "group_usage": {
            "zh": "用法：/group 集体名称 成员1 成员2 …",
            "en": "Usage: /group COLLECTIVE MEMBER…",
        },
        "grouped": {
            "zh": "{collective} 的成员：{members}{created}",
            "en": "Members of {collective}: {members}{created}",
        },
        "created": {"zh": "（新建单位：{names}）", "en": " (new units: {names})"},
        "refused_change": {"zh": "未改动：{reason}", "en": "Nothing changed: {reason}"},
    }
)


def roster_lines(row: RosterRow, lang: str) -> list[str]:
    collective = row.kind == "collective"
    lines = [
        texts(
            "unit_line",
            lang,
            unit=row.name,
            kind=texts("collective", lang) if collective else "",
            paused=texts("paused_mark", lang) if row.paused else "",
        )
    ]
    if collective:
        if row.members:
            lines.append(texts("members", lang, names="、".join(row.members)))
        else:
            lines.append(texts("no_members", lang, unit=row.name))
    elif row.contacts:
        lines.append(texts("contacts", lang, names="、".join(row.contacts)))
    else:
        lines.append(texts("unbound", lang))
    if row.principals:
        lines.append(texts("principals", lang, names="、".join(row.principals)))
    if row.aliases:
        lines.append(texts("aliases", lang, names="、".join(row.aliases)))
    return lines


def changes_text(changed: dict[str, dict[str, int]], lang: str) -> str:
    if not changed:
        return texts("unchanged", lang)
    return "; ".join(
        texts("period_change", lang, period=p, removed=c["removed"], added=c["added"])
        for p, c in changed.items()
    )
