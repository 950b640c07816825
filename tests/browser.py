"""Headless Chromium driven over the DevTools protocol through a pipe
(``--remote-debugging-pipe``: JSON messages ending in a NUL byte on file descriptors 3 and
4), so the tests need no WebSocket client and no browser download: Debian's
``/usr/bin/chromium``. One browser process serves a whole test module.

    with Browser(CHROMIUM, tmp_path / "profile") as browser:
        page = browser.new_page(width=1400, height=900)
        page.open(report.as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 1400
        page.screenshot(tmp_path / "report.png")
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shlex
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
# The flags that work on this machine: no sandbox (root in a container), no GPU, and no
# network of its own (no updates, no sync, no QUIC).
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio")
# A4 in inches, as printToPDF takes it.
A4 = (8.27, 11.69)


class BrowserError(RuntimeError):
    pass


def require_chromium() -> None:
    """Skip the calling test without the browser, except under CI (``CI=true``), where the
    browser tests must run: `make test` installs it (its `browser` target)."""
    import pytest

    if not os.access(CHROMIUM, os.X_OK):
        message = (f"no browser at {CHROMIUM}: `make test` installs it (apt-get install "
                   "chromium, as root)")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


def _above_nine(fd: int) -> int:
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return moved


class Browser:
    def __init__(self, chromium: Path, profile: Path, timeout: float = 30.0) -> None:
        self.timeout = timeout
        profile.mkdir(parents=True, exist_ok=True)
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()
        # bash puts the pipe ends on descriptors 3 and 4, where Chromium expects them;
        # above 9 first, so that neither end already is 3 or 4.
        to_browser_read = _above_nine(to_browser_read)
        from_browser_write = _above_nine(from_browser_write)
        command = " ".join(shlex.quote(part) for part in (
            str(chromium), *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe",
            "about:blank"))
        self.process = subprocess.Popen(
            ["/bin/bash", "-c", f"exec {command} 3<&{to_browser_read} 4>&{from_browser_write} "
                              f"{to_browser_read}<&- {from_browser_write}>&-"],
            pass_fds=(to_browser_read, from_browser_write),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)

    def send(self, method: str, params: dict[str, Any] | None = None,
             session: str | None = None) -> dict[str, Any]:
        """Send one command and wait for its answer; events that arrive meanwhile are kept."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method,
                                   "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            for answer in self._read(deadline):
                if answer.get("id") == self._next_id:
                    if "error" in answer:
                        raise BrowserError(f"{method}: {answer['error']}")
                    return answer.get("result", {})
                self._events.append(answer)

    def wait_for(self, event: str, session: str | None) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while True:
            for index, message in enumerate(self._events):
                if message.get("method") == event and message.get("sessionId") == session:
                    del self._events[: index + 1]
                    return message.get("params", {})
            self._events.extend(self._read(deadline))

    def _read(self, deadline: float) -> list[dict[str, Any]]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("no answer from Chromium in time")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise BrowserError(f"Chromium exited ({self.process.poll()})")
                self._buffer += chunk
        *messages, self._buffer = self._buffer.split(b"\0")
        return [json.loads(m) for m in messages if m]

    def new_page(self, width: int, height: int) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        page.command("Page.enable")
        page.command("Runtime.enable")
        page.resize(width, height)
        return page


class Page:
    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session
        self.errors: list[str] = []

    def command(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, self.session)

    def resize(self, width: int, height: int) -> None:
        self.width = width
        self.command("Emulation.setDeviceMetricsOverride",
                     {"width": width, "height": height, "deviceScaleFactor": 1,
                      "mobile": False})

    def open(self, url: str) -> None:
        """Load ``url`` and wait until it has loaded (scripts run)."""
        self.command("Page.navigate", {"url": url})
        self.browser.wait_for("Page.loadEventFired", self.session)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page; a thrown error fails."""
        result = self.command("Runtime.evaluate", {"expression": expression,
                                                   "returnByValue": True,
                                                   "awaitPromise": True})
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(details.get("exception", {}).get("description")
                               or details.get("text"))
        return result["result"].get("value")

    def javascript_errors(self) -> list[str]:
        """Uncaught errors the page threw so far."""
        events = self.browser._events
        found = [e["params"]["exceptionDetails"].get("exception", {}).get("description", "")
                 for e in events if e.get("method") == "Runtime.exceptionThrown"
                 and e.get("sessionId") == self.session]
        return found

    def print_media(self, on: bool) -> None:
        self.command("Emulation.setEmulatedMedia", {"media": "print" if on else ""})

    def screenshot(self, path: Path) -> Path:
        """The whole page, not only the window, as PNG."""
        data = self.command("Page.captureScreenshot",
                            {"format": "png", "captureBeyondViewport": True})["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def pdf(self, path: Path) -> Path:
        """The page printed on A4 (print styles apply)."""
        width, height = A4
        data = self.command("Page.printToPDF", {
            "paperWidth": width, "paperHeight": height, "printBackground": True,
            "preferCSSPageSize": True})["data"]
        path.write_bytes(base64.b64decode(data))
        return path


# The printable width of A4 with the report's margins (210 mm - 2 x 12 mm) in CSS pixels.
A4_PRINT_WIDTH = round((210 - 24) / 25.4 * 96)


def browser_session(tmp_path_factory: Any) -> Iterator[Browser]:
    """A module's browser: ``yield from browser_session(tmp_path_factory)`` in a fixture."""
    require_chromium()
    with Browser(CHROMIUM, tmp_path_factory.mktemp("chromium-profile")) as running:
        yield running


def layout_problems(page: Page) -> list[str]:
    """What sticks out sideways: the page, a table wider than its box, a figure wider
    than the page or drawn with no size."""
    return page.evaluate("""(() => {
        const problems = [];
        const root = document.documentElement;
        if (root.scrollWidth > root.clientWidth)
            problems.push(`page ${root.scrollWidth} > ${root.clientWidth}`);
        for (const table of document.querySelectorAll('table')) {
            const box = table.parentElement.clientWidth;
            if (table.scrollWidth > box) problems.push(`${table.id} ${table.scrollWidth} > ${box}`);
        }
        for (const svg of document.querySelectorAll('figure svg')) {
            const r = svg.getBoundingClientRect();
            if (r.width < 100 || r.height < 100 || r.right > root.clientWidth)
                problems.push(`${svg.parentElement.id} ${r.width}x${r.height} at ${r.right}`);
        }
        return problems;
    })()""")


def move(page: Page, control: str, value: object) -> None:
    """Set a control as a person would, with the events a browser sends."""
    page.evaluate(f"""(() => {{
        const element = document.getElementById({control!r});
        element.value = {str(value)!r};
        element.dispatchEvent(new Event('input', {{bubbles: true}}));
        element.dispatchEvent(new Event('change', {{bubbles: true}}));
    }})()""")
