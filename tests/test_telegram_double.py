"""The Telegram Bot API double, driven by python-telegram-bot and raw httpx."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import httpx
import pytest
import telegram
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from tests.telegram_double import AsyncDoubleClient, DoubleError, TelegramDouble

# RetryAfter.retry_after warns about its future timedelta type; the int is what we check.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
async def tg() -> AsyncIterator[TelegramDouble]:
    async with TelegramDouble(webhook_retry=0.05) as double:
        yield double
        assert double.validation_failures == []


@pytest.fixture
async def control(tg: TelegramDouble) -> AsyncIterator[AsyncDoubleClient]:
    client = tg.client()
    yield client
    await client.aclose()


def make_bot(tg: TelegramDouble, read_timeout: float = 2.0) -> telegram.Bot:
    return telegram.Bot(
        tg.token,
        base_url=tg.base_url,
        base_file_url=tg.base_file_url,
        request=HTTPXRequest(read_timeout=read_timeout, connect_timeout=2.0),
        get_updates_request=HTTPXRequest(read_timeout=2.0),
    )


@pytest.fixture
async def bot(tg: TelegramDouble) -> AsyncIterator[telegram.Bot]:
    async with make_bot(tg) as b:
        yield b


@pytest.fixture
async def user(control: AsyncDoubleClient) -> dict[str, Any]:
    return await control.create_user("Ann", username="ann", language_code="zh")


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in pairs]])


async def test_get_me_tokens_and_unknown_methods(tg: TelegramDouble, bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.username == "ledger_test_bot" and me.id == 123456789
    async with httpx.AsyncClient() as http:
        raw = (await http.get(f"{tg.base_url}{tg.token}/getme")).json()
        assert raw["ok"] and raw["result"]["first_name"] == "LedgerBot"
        wrong = await http.post(f"{tg.base_url}123456789:WRONG/getMe")
        assert wrong.status_code == 401 and wrong.json()["description"] == "Unauthorized"
        malformed = await http.post(f"{tg.base_url}nonsense/getMe")
        assert malformed.status_code == 404
        unknown = await http.post(f"{tg.base_url}{tg.token}/fooBar")
        assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_send_message_round_trip(
    tg: TelegramDouble, bot: telegram.Bot, control: AsyncDoubleClient, user: dict[str, Any]
) -> None:
    first = await bot.send_message(user["id"], "plain")
    sent = await bot.send_message(
        user["id"],
        "<b>Due</b> &lt;today&gt; <a href='https://example.org'>plan</a> 😀<i>x</i>",
        parse_mode="HTML",
        reply_markup=keyboard(("Done", "done:1")),
        reply_to_message_id=first.message_id,
    )
    assert sent.text == "Due <today> plan 😀x"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 3),
        ("text_link", 12, 4),
        ("italic", 19, 1),  # UTF-16 offsets: the emoji counts 2
    ]
    assert sent.reply_to_message.message_id == first.message_id
    assert sent.message_id == first.message_id + 1
    [_, seen] = await control.messages(user["id"])
    assert seen["parse_mode"] == "HTML" and seen["from"]["is_bot"]
    assert seen["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "done:1"
    assert "from_user" not in seen and isinstance(seen["date"], int)
    async with httpx.AsyncClient() as http:  # JSON body and form data, as other clients send
        url = f"{tg.base_url}{tg.token}/sendMessage"
        by_json = await http.post(url, json={"chat_id": user["id"], "text": "123"})
        markup = json.dumps({"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]})
        form = {"chat_id": str(user["id"]), "text": "42", "reply_markup": markup}
        by_form = await http.post(url, data=form)
    assert by_json.json()["result"]["text"] == "123"
    assert by_form.json()["result"]["text"] == "42"  # a numeric-looking text stays a string
    assert by_form.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "a"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"chat_id": 999, "text": "x"}, "Chat not found"),
        ({"text": "   "}, "Message text is empty"),
        ({"text": "a" * 4097}, "Message is too long"),
        ({"text": "<b>x</i>", "parse_mode": "HTML"}, "Can't parse entities: unmatched end tag"),
        ({"text": "<b>x", "parse_mode": "HTML"}, "Can't find end tag corresponding"),
        ({"text": "<div>x</div>", "parse_mode": "HTML"}, 'Unsupported start tag "div"'),
        ({"text": "x", "reply_markup": keyboard(("b", "d" * 65))}, "Button_data_invalid"),
    ],
)
async def test_bad_requests(
    bot: telegram.Bot, user: dict[str, Any], kwargs: dict[str, Any], message: str
) -> None:
    kwargs.setdefault("chat_id", user["id"])
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(**kwargs)
    assert message.lower() in caught.value.message.lower()


async def test_length_counts_after_entity_parsing(bot: telegram.Bot, user: dict[str, Any]) -> None:
    sent = await bot.send_message(user["id"], "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    assert len(sent.text) == 4096


async def test_edit_errors_and_edit_history(
    bot: telegram.Bot, control: AsyncDoubleClient, user: dict[str, Any]
) -> None:
    msg = await bot.send_message(user["id"], "v1", reply_markup=keyboard(("A", "a")))
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=user["id"], message_id=999)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "v1", chat_id=user["id"], message_id=msg.message_id, reply_markup=keyboard(("A", "a"))
        )
    edited = await bot.edit_message_text("v2", chat_id=user["id"], message_id=msg.message_id)
    assert edited.text == "v2" and edited.edit_date and edited.reply_markup is None
    markup = await bot.edit_message_reply_markup(
        chat_id=user["id"], message_id=msg.message_id, reply_markup=keyboard(("B", "b"))
    )
    assert markup.reply_markup.inline_keyboard[0][0].text == "B"
    [seen] = await control.messages(user["id"])
    assert [h["text"] for h in seen["edit_history"]] == ["v1", "v2"]
    assert await bot.delete_message(user["id"], msg.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(user["id"], msg.message_id)
    assert await control.messages(user["id"]) == []


async def test_forbidden_blocked_and_deactivated(
    bot: telegram.Bot, control: AsyncDoubleClient, user: dict[str, Any]
) -> None:
    await control.block(user["id"])
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(user["id"], "hi")
    await control.block(user["id"], blocked=False)
    await control.add_fault("sendMessage", "deactivated", chat_id=user["id"])
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_message(user["id"], "hi")
    assert (await bot.send_message(user["id"], "hi")).text == "hi"
    stranger = await control.create_user("Bob", started=False)
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(stranger["id"], "hi")


async def test_retry_after_and_server_errors(
    tg: TelegramDouble, bot: telegram.Bot, control: AsyncDoubleClient, user: dict[str, Any]
) -> None:
    await control.add_fault("sendMessage", "429", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(user["id"], "hi")
    assert caught.value.retry_after == 7
    await control.add_fault("sendMessage", "502")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(user["id"], "hi")
    await control.add_fault("sendMessage", "500", probability=0.5, seed=3)
    outcomes = []
    for _ in range(20):
        try:
            await bot.send_message(user["id"], "x")
            outcomes.append(True)
        except NetworkError:
            outcomes.append(False)
    assert 3 < outcomes.count(False) < 17
    stats = await control.stats()
    assert stats["too_many_requests"] == 1 and stats["statuses"]["502"] == 1
    assert len(stats["sends"][str(user["id"])]) == outcomes.count(True)


async def test_chat_migrated(
    bot: telegram.Bot, control: AsyncDoubleClient, user: dict[str, Any]
) -> None:
    group = await control.create_group("Bureau", [user["id"]])
    await control.add_fault("sendMessage", "migrate", chat_id=group["id"])
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(group["id"], "hi")
    new_id = caught.value.new_chat_id
    assert str(new_id).startswith("-100")
    with pytest.raises(ChatMigrated):  # the old id keeps answering the error
        await bot.send_message(group["id"], "again")
    sent = await bot.send_message(new_id, "hello supergroup")
    assert sent.chat.type == "supergroup" and sent.chat.title == "Bureau"
    updates = await bot.get_updates()
    assert updates[0].message.migrate_to_chat_id == new_id
    assert updates[1].message.migrate_from_chat_id == group["id"]


async def test_web_app_buttons_only_in_private_chats(
    bot: telegram.Bot, control: AsyncDoubleClient, user: dict[str, Any]
) -> None:
    app = InlineKeyboardMarkup(
        [[InlineKeyboardButton("打开台账", web_app=WebAppInfo("https://ledger.example/app/"))]]
    )
    sent = await bot.send_message(user["id"], "private", reply_markup=app)
    assert sent.reply_markup == app
    group = await control.create_group("Bureau", [user["id"]])
    with pytest.raises(BadRequest, match=r"(?i)button_type_invalid"):
        await bot.send_message(group["id"], "group", reply_markup=app)
    link = InlineKeyboardMarkup(
        [[InlineKeyboardButton("打开台账", url="https://t.me/ledger_test_bot?startapp=grid")]]
    )
    assert (await bot.send_message(group["id"], "group", reply_markup=link)).reply_markup == link


async def polling(tg: TelegramDouble, poll: Awaitable[Any]) -> asyncio.Task[Any]:
    """Start a getUpdates call and return once the double holds it (no sleeping)."""
    updates = tg.state.updates
    version = updates.changed.version
    task = asyncio.ensure_future(poll)
    while not updates.polling:
        version = await updates.changed.wait(version, 10)
    return task


async def test_long_polling_offsets_and_timeouts(
    tg: TelegramDouble, bot: telegram.Bot, control: AsyncDoubleClient, user: dict[str, Any]
) -> None:
    assert await bot.get_updates(timeout=1) == ()  # held, then empty
    poll = await polling(tg, bot.get_updates(timeout=30))
    sent = await control.send_message(user["id"], "/start ledger")
    # Answered when the update came, not at the end of its 30 s: the wait is only a guard.
    [update] = await asyncio.wait_for(poll, 25)
    assert update.update_id == sent["update_id"]
    assert update.message.text == "/start ledger" and update.message.from_user.id == user["id"]
    assert update.message.entities[0].type == "bot_command"
    await control.send_message(user["id"], "second")
    again = await bot.get_updates(offset=update.update_id)  # not confirmed yet: both
    assert [u.update_id for u in again] == [update.update_id, update.update_id + 1]
    rest = await bot.get_updates(offset=update.update_id + 1, limit=10)
    assert [u.message.text for u in rest] == ["second"]
    assert await bot.get_updates(offset=update.update_id + 2) == ()


async def test_get_updates_conflicts(
    tg: TelegramDouble, bot: telegram.Bot, control: AsyncDoubleClient
) -> None:
    first = await polling(tg, bot.get_updates(timeout=3))
    second = asyncio.create_task(bot.get_updates(timeout=1))
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first
    assert await second == ()
    assert await bot.set_webhook("http://127.0.0.1:9/hook")
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_webhook_delivery_with_secret_and_retries(
    bot: telegram.Bot, control: AsyncDoubleClient, user: dict[str, Any]
) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    calls = 0

    async def hook(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return web.Response(status=500)  # first attempt fails: the double retries
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        url = f"http://127.0.0.1:{port}/hook"
        assert await bot.set_webhook(url, secret_token="s3cret", max_connections=5)
        for text in ("one", "two", "three"):
            await control.send_message(user["id"], text)
        await control.wait_until(lambda: _pending_empty(control), timeout=5)
        assert [body["message"]["text"] for _, body in received] == ["one", "two", "three"]
        assert {secret for secret, _ in received} == {"s3cret"}
        info = await bot.get_webhook_info()
        assert info.url == url and info.pending_update_count == 0
        assert info.last_error_message.startswith("Wrong response from the webhook: 500")
    finally:
        await bot.delete_webhook()
        await runner.cleanup()


async def _pending_empty(control: AsyncDoubleClient) -> bool:
    return not await control.pending_updates()


async def test_callback_button_flow(
    bot: telegram.Bot, control: AsyncDoubleClient, user: dict[str, Any]
) -> None:
    msg = await bot.send_message(user["id"], "Done?", reply_markup=keyboard(("Yes", "y:1")))
    pressed = await control.press_button(user["id"], msg.message_id, button_text="Yes")
    [update] = await bot.get_updates()
    query = update.callback_query
    assert query.id == pressed["callback_query_id"] and query.data == "y:1"
    assert query.message.message_id == msg.message_id and query.from_user.id == user["id"]
    assert await query.answer("Recorded", show_alert=True)
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer("again")
    [answer] = await control.callback_answers()
    assert answer["answer"] == {"text": "Recorded", "show_alert": True}
    with pytest.raises(DoubleError):
        await control.press_button(user["id"], msg.message_id, data="nope")


async def test_photo_from_user_get_file_and_uploads(
    tg: TelegramDouble, bot: telegram.Bot, control: AsyncDoubleClient, user: dict[str, Any]
) -> None:
    await control.send_photo(user["id"], b"\xff\xd8fake-jpeg", caption="receipt")
    [update] = await bot.get_updates()
    photo = update.message.photo[-1]
    assert update.message.caption == "receipt"
    file = await bot.get_file(photo.file_id)
    assert bytes(await file.download_as_bytearray()) == b"\xff\xd8fake-jpeg"
    doc = await bot.send_document(
        user["id"],
        b"col1,col2\n",
        filename="ledger.csv",
        caption="<i>report</i>",
        parse_mode="HTML",
    )
    assert doc.document.file_name == "ledger.csv" and doc.caption == "report"
    again = await bot.send_photo(user["id"], photo.file_id)  # resend by file_id
    assert again.photo[-1].file_unique_id == photo.file_unique_id
    downloaded = await (await bot.get_file(doc.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"col1,col2\n"
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("nope")
    assert await bot.send_chat_action(user["id"], "upload_document")
    assert (await control.chat_actions())[0]["action"] == "upload_document"


async def test_flood_limits(
    tg: TelegramDouble, bot: telegram.Bot, control: AsyncDoubleClient, user: dict[str, Any]
) -> None:
    clock = [1000.0]  # the limits run on a fake clock: no sleeping, no timing
    tg.limiter.clock = lambda: clock[0]
    await control.configure_flood(
        enabled=True, global_per_second=5, private_burst=10, group_per_minute=3
    )
    users = [await control.create_user(f"U{i}") for i in range(6)]
    for target in users[:5]:
        await bot.send_message(target["id"], "ok")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(users[5]["id"], "over 5/s")
    assert caught.value.retry_after == 1
    clock[0] += 1.05  # the second has passed
    group = await control.create_group("G", [user["id"]])
    for _ in range(3):
        await bot.send_message(group["id"], "ok")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(group["id"], "over 3/min")
    assert caught.value.retry_after == 60  # all three at the same (fake) instant
    await control.configure_flood(private_burst=1)
    await bot.send_message(user["id"], "1")
    clock[0] += 0.5
    with pytest.raises(RetryAfter):
        await bot.send_message(user["id"], "2 within a second")
    clock[0] += 0.5
    await bot.send_message(user["id"], "3 a second after the first")
    assert (await control.stats())["too_many_requests"] == 3


async def test_timeout_after_send_leaves_message(
    tg: TelegramDouble, control: AsyncDoubleClient, user: dict[str, Any]
) -> None:
    await control.add_fault("sendMessage", "timeout_after", hold=3)
    await control.add_fault("sendMessage", "timeout_before", hold=3)
    async with make_bot(tg, read_timeout=0.5) as impatient:
        with pytest.raises(TimedOut):
            await impatient.send_message(user["id"], "unknown outcome")
        with pytest.raises(TimedOut):
            await impatient.send_message(user["id"], "never arrived")
    assert [m["text"] for m in await control.messages(user["id"])] == ["unknown outcome"]


async def test_aiogram_validation_catches_invalid_request(
    tg: TelegramDouble, control: AsyncDoubleClient
) -> None:
    async with httpx.AsyncClient() as http:
        reply = await http.post(f"{tg.base_url}{tg.token}/sendMessage", data={"text": "hi"})
    assert reply.status_code == 400 and reply.json()["description"].endswith("chat_id is empty")
    [failure] = await control.validation_failures()
    assert failure["method"] == "sendMessage" and "chat_id" in failure["error"]
    await control.clear_validation_failures()


async def test_commands_chat_info_and_members(
    bot: telegram.Bot, control: AsyncDoubleClient, user: dict[str, Any]
) -> None:
    group = await control.create_group("Bureau", [user["id"]], kind="supergroup")
    cmds = [telegram.BotCommand("start", "Start"), telegram.BotCommand("report", "Report")]
    assert await bot.set_my_commands(cmds)
    zh = telegram.BotCommandScopeAllPrivateChats()
    assert await bot.set_my_commands(cmds[:1], scope=zh, language_code="zh")
    assert [c.command for c in await bot.get_my_commands()] == ["start", "report"]
    assert [c.command for c in await bot.get_my_commands(scope=zh, language_code="zh")] == ["start"]
    assert await bot.get_my_commands(scope=zh) == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([telegram.BotCommand("Bad-Name", "x")])
    assert await bot.delete_my_commands(scope=zh, language_code="zh")
    assert len(await control.commands()) == 1
    chat = await bot.get_chat(group["id"])
    assert chat.type == "supergroup" and chat.title == "Bureau"
    member = await bot.get_chat_member(group["id"], user["id"])
    assert member.status == "creator"
    me = await bot.get_chat_member(group["id"], bot.id)
    assert me.status == "member"


def test_threaded_double_with_sync_client() -> None:
    tg = TelegramDouble.start_in_thread(token="42:thread-token")
    try:
        assert tg.base_url.startswith("http://127.0.0.1:") and tg.base_url.endswith("/bot")
        with tg.client() as control:
            user = control.create_user("Sync")
            url = f"{tg.base_url}{tg.token}/sendMessage"
            httpx.post(url, json={"chat_id": user["id"], "text": "from another thread"})
            [msg] = control.wait_for_messages(user["id"], 1, timeout=2)
            assert msg["text"] == "from another thread"
            with pytest.raises(TimeoutError):
                control.wait_for_messages(user["id"], 2, timeout=0.2)
            group = control.create_group("G", [user["id"]])
            new_id = control.migrate(group["id"])
            assert control.get_chat(group["id"])["migrated_to"] == new_id
            assert control.wait_until(lambda: control.stats()["requests"], timeout=1)
            control.reset()
            assert control.stats()["requests"] == {}
    finally:
        tg.stop()


async def test_ptb_application_polls_and_handles_buttons(
    tg: TelegramDouble, control: AsyncDoubleClient, user: dict[str, Any]
) -> None:
    async def start(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_html(
            "<b>Welcome</b>", reply_markup=keyboard(("Report", "report"))
        )

    async def pressed(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("ok")
        await query.edit_message_text(f"chose {query.data}")

    app = (
        Application.builder()
        .token(tg.token)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await control.send_message(user["id"], "/start")
        [welcome] = await control.wait_for_messages(user["id"], 1, timeout=5)
        assert welcome["text"] == "Welcome" and welcome["parse_mode"] == "HTML"
        await control.press_button(user["id"], welcome["message_id"], data="report")

        async def edited() -> bool:
            [msg] = await control.messages(user["id"])
            return msg["text"] == "chose report"

        await control.wait_until(edited, timeout=5)
        assert (await control.callback_answers())[0]["answer"]["text"] == "ok"
        await app.updater.stop()
        await app.stop()
    stats = await control.stats()
    assert stats["requests"]["getUpdates"] >= 2 and stats["requests"]["deleteWebhook"] == 1
