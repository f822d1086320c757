"""The terminal chat: a person types as a Telegram user and reads the bot's replies as they come.

Inline buttons are numbered; typing the number presses the button. Lines starting with `:` are
for the terminal itself (`:help`). Works on a terminal and on a pipe (`printf '/start\\n' | …`):
after each line it waits briefly for the bot's answer, so replies print before the next prompt.
"""

from __future__ import annotations

import asyncio
import html
import os
import stat
import sys
from dataclasses import dataclass, field
from typing import Any, TextIO
from urllib.parse import urlsplit

from bot.sandbox.consent import decide
from bot.sandbox.driver import ChatDriver, SeenButton, SeenMessage

HELP = """\
Type a message or a command (/start) and press Enter.
  <number>          press the inline button with that number
  :accounts         the sandbox TikTok accounts, one for each branch of the conversation
  :approve <key>    authorize the last authorization link as that account, no browser needed
  :deny <key>       press Deny on TikTok's consent page instead
  :lang <code>      change your Telegram language_code (id, en, id-ID, none)
  :wait [seconds]   wait for the bot's next message (for scripts; default 30)
  :topic <id>       (agents) write into that topic of the support group
  :help             this text
  :quit             leave (Ctrl-D works too)"""

WATCHED = ("message", "edit", "callback_answer")


@dataclass
class _Keyboard:
    """The buttons of the newest bot message that has any, numbered from 1."""

    message_id: int | None = None
    buttons: list[SeenButton] = field(default_factory=list)


AUTH_PAGE = "/portal/auth"


class TerminalChat:
    def __init__(
        self,
        driver: ChatDriver,
        *,
        out: TextIO = sys.stdout,
        interactive: bool = True,
        reply_wait: float = 5.0,
        agent: bool = False,
    ) -> None:
        self.driver = driver
        self.out = out
        self.interactive = interactive
        # An agent in the support group sees every topic and writes into the newest one
        # the bot posted in (or the one chosen with :topic).
        self.agent = agent
        self.reply_wait = reply_wait
        self.keyboard = _Keyboard()
        self.authorization_url: str | None = None  # the newest link to TikTok's consent page
        self._seen = 0
        self._texts: dict[int, str] = {}  # what each bot message said, to spot real edits
        self._answered = asyncio.Event()

    async def run(self, lines: asyncio.StreamReader) -> None:
        self._print(
            f"Terminal chat as {self.driver.first_name} (Telegram id {self.driver.user_id}, "
            f"language {self.driver.language_code or 'none'}). :help for help, :quit to leave."
        )
        watcher = asyncio.create_task(self._watch())
        try:
            while True:
                if self.interactive:
                    self.out.write("you › ")
                    self.out.flush()
                raw = await lines.readline()
                if not raw:
                    break
                line = raw.decode().strip()
                if not self.interactive:  # a script: show what it typed, like a transcript
                    self._print(f"you › {line}")
                if not await self._handle(line):
                    break
        finally:
            watcher.cancel()
            self.out.write("\n")

    async def _handle(self, line: str) -> bool:
        """One line of input; False means leave."""
        if not line:
            return True
        if line in (":quit", ":q", ":exit"):
            return False
        if line == ":help":
            self._print(HELP)
            return True
        if line.startswith(":topic"):
            topic = line.removeprefix(":topic").strip()
            self.driver.thread_id = int(topic) if topic.isdigit() else None
            self._print(f"(writing into topic {self.driver.thread_id})")
            return True
        if line.startswith(":wait"):
            seconds = line.removeprefix(":wait").strip()
            self._answered.clear()
            await self._wait_for_answer(float(seconds) if seconds else 30.0)
            return True
        if line == ":accounts":
            await self._accounts()
            return True
        if line.startswith((":approve", ":deny")):
            command, _, account = line.partition(" ")
            await self._decide(account.strip(), "authorize" if command == ":approve" else "deny")
            return True
        if line.startswith(":lang"):
            code = line.removeprefix(":lang").strip()
            self.driver.language_code = None if code in ("", "none") else code
            self._print(f"(your language_code is now {self.driver.language_code or 'absent'})")
            return True
        self._answered.clear()
        if line.isdigit():
            if not await self._press(int(line)):
                return True
        else:
            await self.driver.send(line)
        await self._wait_for_answer()
        return True

    def _tiktok_url(self) -> str | None:
        if self.authorization_url is None:
            self._print("(no authorization link yet: walk the chat to the authorization step)")
            return None
        parts = urlsplit(self.authorization_url)
        return f"{parts.scheme}://{parts.netloc}"

    async def _accounts(self) -> None:
        base = self._tiktok_url()
        if base is None:
            return
        answer = await self.driver.client.get(f"{base}/sandbox/accounts")
        for account in answer.json()["accounts"]:
            self._print(f"  {account['key']:<20} {account['description']}")

    async def _decide(self, account: str, decision: str) -> None:
        if not account:
            self._print("(name an account: :accounts lists them)")
            return
        if self._tiktok_url() is None or self.authorization_url is None:
            return
        self._answered.clear()
        try:
            page = await decide(
                self.driver.client,
                authorization_url=self.authorization_url,
                account=account,
                decision=decision,
            )
        except ValueError as refused:
            self._print(f"(TikTok sandbox: {refused})")
            return
        title = page.text.split("<h1>", 1)[-1].split("</h1>", 1)[0]
        self._print(f"(browser: {page.status_code} {html.unescape(title)})")
        await self._wait_for_answer()

    async def _press(self, number: int) -> bool:
        buttons = self.keyboard.buttons
        if not 1 <= number <= len(buttons):
            self._print(f"(no button {number}; the last message has {len(buttons)})")
            return False
        button = buttons[number - 1]
        if button.url:
            self._print(f"(button {number} opens {button.url} — open it in a browser)")
            return False
        await self.driver.press(data=button.callback_data, message_id=self.keyboard.message_id)
        return True

    async def _wait_for_answer(self, seconds: float | None = None) -> None:
        """Let the bot's reply print before the next prompt (a pipe would otherwise race it)."""
        try:
            await asyncio.wait_for(self._answered.wait(), seconds or self.reply_wait)
            await asyncio.sleep(0.3)  # a multi-message reply usually follows at once
        except TimeoutError:
            self._print("(no reply yet; it will show up here when it comes)")

    async def _watch(self) -> None:
        while True:
            events = await self.driver.events_after(
                self._seen, kinds=WATCHED, timeout=25, all_threads=self.agent
            )
            for event in events:
                self._seen = event["seq"]
                self._show(event)
            if events:
                self._answered.set()

    def _show(self, event: dict[str, Any]) -> None:
        if event["kind"] == "callback_answer":
            text = (event.get("answer") or {}).get("text")
            if text:
                self._print(f"bot ⓘ {text}")
            return
        message = SeenMessage.from_view(event["message"])
        if event["kind"] == "edit" and self._texts.get(message.message_id) == message.text:
            return  # only its buttons went away (the bot does that after a press)
        self._texts[message.message_id] = message.text
        label = "bot (edited)" if event["kind"] == "edit" else "bot"
        if self.agent and message.thread_id is not None:
            label += f" [topic {message.thread_id}]"
            self.driver.thread_id = message.thread_id
        self._print(self._format(label, message))

    def _format(self, label: str, message: SeenMessage) -> str:
        prefix = f"{label} › "
        pad = " " * len(prefix)
        lines = message.text.splitlines() or [""]
        out = [prefix + lines[0], *((pad + line).rstrip() for line in lines[1:])]
        buttons = [button for row in message.buttons for button in row]
        for button in buttons:
            if button.url and AUTH_PAGE in button.url:
                self.authorization_url = button.url
        if buttons:
            self.keyboard = _Keyboard(message.message_id, buttons)
            for number, button in enumerate(buttons, start=1):
                target = f" → {button.url}" if button.url else ""
                out.append(f"{pad}[{number}] {button.text}{target}")
        return "\n".join(out)

    def _print(self, text: str) -> None:
        # On a terminal, "\r" writes over the pending "you › " prompt.
        self.out.write(("\r" if self.interactive else "") + text + "\n")
        self.out.flush()


async def stdin_reader() -> asyncio.StreamReader:
    """Standard input as an asyncio stream, so typing never blocks the bot's event loop."""
    reader = asyncio.StreamReader()
    if stat.S_ISREG(os.fstat(sys.stdin.fileno()).st_mode):  # `< file`: no pipe transport
        reader.feed_data(sys.stdin.buffer.read())
        reader.feed_eof()
        return reader
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader
