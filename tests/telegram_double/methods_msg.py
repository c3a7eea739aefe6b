"""Message methods: send, edit, delete, files, chat actions, callback answers."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .methods import (
    Ctx,
    Params,
    api,
    formatted,
    parse_mode,
    reply_markup,
    reply_target,
    target_chat,
)
from .state import StoredFile, StoredMessage, now
from .validate import Upload

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def _has_web_app(inline: dict[str, Any]) -> bool:
    return any("web_app" in button for row in inline["inline_keyboard"] for button in row)


def _send(ctx: Ctx, p: Params, fields: dict[str, Any], chat_id: int) -> dict[str, Any]:
    """Shared tail of every send: keyboard, reply, flood limits, store."""
    chat = ctx.state.chats[chat_id]
    thread = p.integer("message_thread_id")
    if thread is not None:
        if not chat.is_forum:
            raise bad_request("message thread not found")
        fields.update(message_thread_id=thread, is_topic_message=True)
    inline, keyboard = reply_markup(p)
    if inline is not None and chat.type != "private" and _has_web_app(inline):
        raise bad_request("BUTTON_TYPE_INVALID")  # Mini App buttons work in private chats only
    reply_to = reply_target(ctx, p, chat)
    ctx.limiter.check(chat.id, chat.type)
    fields["reply_markup"] = inline
    msg = ctx.state.add_message(
        chat,
        ctx.state.bot.id,
        fields,
        reply_to=reply_to,
        parse_mode=parse_mode(p),
        keyboard=keyboard,
    )
    return ctx.state.message_api(msg)


@api("sendMessage")
async def send_message(ctx: Ctx, p: Params) -> Any:
    chat = target_chat(ctx, p)
    text, entities = formatted(p, "text", "entities", required=True)
    return _send(ctx, p, {"text": text, "entities": entities}, chat.id)


def _media(ctx: Ctx, p: Params, key: str, kind: str) -> StoredFile:
    value = p.get(key)
    if isinstance(value, Upload):
        if not value.data:
            raise bad_request("file must be non-empty")
        return ctx.state.add_file(value.data, kind, value.filename, value.content_type)
    if isinstance(value, str) and value:
        stored = ctx.state.files.get(value)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if not stored.file_path.startswith(kind):
            raise bad_request("type of file mismatch")
        return stored
    raise bad_request(f"there is no {key} in the request")


@api("sendPhoto")
async def send_photo(ctx: Ctx, p: Params) -> Any:
    chat = target_chat(ctx, p)
    stored = _media(ctx, p, "photo", "photo")
    caption, entities = formatted(p, "caption", "caption_entities", required=False)
    fields = {"photo": ctx.state.photo_sizes(stored), "caption": caption}
    fields["caption_entities"] = entities
    return _send(ctx, p, fields, chat.id)


@api("sendDocument")
async def send_document(ctx: Ctx, p: Params) -> Any:
    chat = target_chat(ctx, p)
    stored = _media(ctx, p, "document", "document")
    caption, entities = formatted(p, "caption", "caption_entities", required=False)
    document = {k: v for k, v in stored.to_api().items() if k != "file_path"}
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    fields = {"document": document, "caption": caption, "caption_entities": entities}
    return _send(ctx, p, fields, chat.id)


def _own_message(ctx: Ctx, p: Params, missing: str) -> StoredMessage:
    if p.get("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = target_chat(ctx, p, sending=False)
    message_id = p.integer("message_id", missing="message identifier is not specified")
    assert message_id is not None
    msg = ctx.state.find_message(chat.id, message_id)
    if msg is None:
        raise bad_request(missing)
    if msg.from_id != ctx.state.bot.id:
        raise bad_request("message can't be edited")
    return msg


def _apply_edit(ctx: Ctx, msg: StoredMessage, changes: dict[str, Any]) -> dict[str, Any]:
    current = {k: msg.fields.get(k) or None for k in changes}
    if current == {k: v or None for k, v in changes.items()}:
        raise bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
    msg.history.append({**msg.fields, "edit_date": msg.edit_date or msg.date})
    msg.fields.update(changes)
    msg.edit_date = now()
    ctx.state.changed.bump()
    return ctx.state.message_api(msg)


@api("editMessageText")
async def edit_message_text(ctx: Ctx, p: Params) -> Any:
    msg = _own_message(ctx, p, "message to edit not found")
    if "text" not in msg.fields:
        raise bad_request("there is no text in the message to edit")
    text, entities = formatted(p, "text", "entities", required=True)
    inline, _ = reply_markup(p)
    msg.parse_mode = parse_mode(p)
    return _apply_edit(ctx, msg, {"text": text, "entities": entities, "reply_markup": inline})


@api("editMessageReplyMarkup")
async def edit_message_reply_markup(ctx: Ctx, p: Params) -> Any:
    msg = _own_message(ctx, p, "message to edit not found")
    inline, _ = reply_markup(p)
    return _apply_edit(ctx, msg, {"reply_markup": inline})


@api("deleteMessage")
async def delete_message(ctx: Ctx, p: Params) -> Any:
    chat = target_chat(ctx, p, sending=False)
    message_id = p.integer("message_id", missing="message identifier is not specified")
    assert message_id is not None
    msg = ctx.state.find_message(chat.id, message_id)
    if msg is None:
        raise bad_request("message to delete not found")
    others = chat.type != "private" and msg.from_id != ctx.state.bot.id
    if others and chat.bot_status not in ("administrator", "creator"):
        raise bad_request("message can't be deleted")
    msg.deleted = True
    ctx.state.changed.bump()
    return True


@api("sendChatAction")
async def send_chat_action(ctx: Ctx, p: Params) -> Any:
    chat = target_chat(ctx, p)
    action = p.text("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    ctx.state.chat_actions.append({"chat_id": chat.id, "action": action, "date": now()})
    ctx.state.changed.bump()
    return True


@api("answerCallbackQuery")
async def answer_callback_query(ctx: Ctx, p: Params) -> Any:
    query = ctx.state.callback_queries.get(p.text("callback_query_id") or "")
    if query is None or query.get("answer") is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = p.text("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    answer: dict[str, Any] = {"text": text, "show_alert": p.flag("show_alert")}
    for key in ("url", "cache_time"):
        if p.get(key) is not None:
            answer[key] = p.get(key)
    query["answer"] = answer
    ctx.state.changed.bump()
    return True


@api("getFile")
async def get_file(ctx: Ctx, p: Params) -> Any:
    file_id = p.text("file_id")
    if not file_id:
        raise bad_request("file_id is empty")
    stored = ctx.state.files.get(file_id)
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.to_api()


@api("sendMediaGroup")
async def send_media_group(ctx: Ctx, p: Params) -> Any:
    """2–10 photos (or 2–10 documents) sent by file id; one message each, one media_group_id."""
    chat = target_chat(ctx, p)
    media = p.obj("media")
    if not isinstance(media, list) or not 2 <= len(media) <= 10:
        raise bad_request("media_group must include 2-10 items")
    kinds = {item.get("type") for item in media if isinstance(item, dict)}
    if len(kinds) != 1 or not kinds <= {"photo", "document"}:
        raise bad_request("documents can't be mixed with other media types")
    stored = [ctx.state.files.get(str(item.get("media"))) for item in media]
    for kind, found in zip((item["type"] for item in media), stored, strict=True):
        if found is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if not found.file_path.startswith(kind):
            raise bad_request("type of file mismatch")
    group = f"{chat.id}{chat.next_message_id}"
    sent = []
    for item, found in zip(media, stored, strict=True):
        assert found is not None
        if item["type"] == "photo":
            fields: dict[str, Any] = {"photo": ctx.state.photo_sizes(found)}
        else:
            document = {k: v for k, v in found.to_api().items() if k != "file_path"}
            if found.file_name:
                document["file_name"] = found.file_name
            fields = {"document": document}
        fields.update(caption=item.get("caption"), media_group_id=group)
        sent.append(_send(ctx, p, fields, chat.id))
    return sent
