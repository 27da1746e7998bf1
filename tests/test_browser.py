"""The student's course in a real JupyterLab, driven in a real browser.

Debian's Chromium, driven by Playwright, opens a JupyterLab served from a copy of the
course: the start page (its cell makes the student's copies), a lecture from the start
page's link, run to the end, with a slider moved and its plot redrawn; the network
playground trained for a few steps; an exercise validated with nbgrader's Validate
button. The browser console must stay free of errors, except the ones JupyterLab logs
when it has no network. Screenshots go to $COURSEKIT_SCREENSHOTS (default
build/screenshots/) for inspection.

Skips, saying why, where Playwright or a Chromium binary is missing
(CI installs both: `pip install -e ".[dev]"` and Debian's chromium package).
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("COURSEKIT_CHROMIUM") or shutil.which("chromium") \
    or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs a Chromium binary "
                                "(Debian: apt-get install chromium)")
TOKEN = "coursekit-browser-test"
SHOTS = Path(os.environ.get("COURSEKIT_SCREENSHOTS", ROOT / "build" / "screenshots"))

# What JupyterLab logs when it cannot reach the internet (news, extension listings, fonts),
# and Chromium's notice about a resource refused by this machine's closed network.
OFFLINE_NOISE = re.compile(r"net::ERR_|Failed to fetch|Failed to load resource|"
                           r"lab/api/news|pypi\.org|ERR_INTERNET_DISCONNECTED")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """The URL of a JupyterLab serving a copy of the course (its root is the course's)."""
    course = tmp_path_factory.mktemp("course")
    for name in ["START.ipynb", "nbgrader_config.py"]:
        shutil.copy(ROOT / name, course / name)
    for folder in ["lectures", "exercises"]:
        shutil.copytree(ROOT / folder, course / folder,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    # every cell in the DOM (no windowing), so that a widget far down can be scrolled to;
    # no news pop-up: it would ask over the page
    settings = course / ".lab-settings"
    for ext, name, value in [("notebook-extension", "tracker", {"windowingMode": "none"}),
                             ("apputils-extension", "notification", {"fetchNews": "false"})]:
        (settings / "@jupyterlab" / ext).mkdir(parents=True, exist_ok=True)
        (settings / "@jupyterlab" / ext / f"{name}.jupyterlab-settings").write_text(
            json.dumps(value))
    port = _free_port()
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={TOKEN}",
           f"--ServerApp.root_dir={course}", "--LabApp.expose_app_in_browser=True",
           f"--LabApp.user_settings_dir={settings}", "--ServerApp.open_browser=False"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"],
               JUPYTER_CONFIG_DIR=str(course / ".jupyter-config"))
    log = open(course / "lab.log", "w")
    server = subprocess.Popen(cmd, cwd=course, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.terminate()
        pytest.fail("JupyterLab did not start:\n" + (course / "lab.log").read_text())
    yield url, course
    server.terminate()
    server.wait(timeout=30)
    log.close()


@pytest.fixture(autouse=True)
def _last_screenshot(request):
    """Each test's last view, pass or fail, for inspection."""
    yield
    pg = request.node.funcargs.get("page")
    if pg is not None:
        pg.screenshot(path=SHOTS / f"last_{request.node.name}.png")


@pytest.fixture(scope="module")
def page(lab):
    """A Chromium page, with the console's errors collected in page.errors."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.errors = []
        pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
        pg.on("pageerror", lambda e: pg.errors.append(f"page error: {e}"))
        yield pg
        browser.close()


def _app(page, js):
    """Evaluate js with `app` bound to the JupyterLab application."""
    return page.evaluate(f"async () => {{ const app = window.jupyterapp; {js} }}")


def _run_all_and_wait(page, timeout=120):
    """Run every cell of the current notebook; wait until none is queued or running."""
    _app(page, "await app.commands.execute('notebook:run-all-cells');")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = _app(page, """
            const nb = app.shell.currentWidget;
            const kernel = nb.sessionContext.session?.kernel;
            const pending = nb.content.widgets.some(
                c => c.model.type === 'code' && c.model.executionCount === null
                     && c.model.sharedModel.getSource().trim() !== '');
            return kernel?.status !== 'idle' || pending;""")
        if not busy:
            return
        time.sleep(0.5)
    raise AssertionError("the notebook did not finish running")


def _open(page, url, path):
    """Open a notebook in JupyterLab (loading JupyterLab first if the page has not)."""
    if page.evaluate("() => !window.jupyterapp"):
        page.goto(f"{url}/lab/tree/{path}?token={TOKEN}")
    else:  # in the running app, as a click in the file browser would
        _app(page, f"await app.commands.execute('docmanager:open', {{path: {json.dumps(path)}}});")
    page.wait_for_function(f"() => window.jupyterapp?.shell.currentWidget?.context?.path === "
                           f"{json.dumps(path)}", timeout=60_000)
    _app(page, "await app.shell.currentWidget.context.ready;"
               "await app.shell.currentWidget.sessionContext.ready;")


def _current(page):
    """The notebook panel in front (the others stay in the page, hidden)."""
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")


def _errors(page):
    return [e for e in page.errors if not OFFLINE_NOISE.search(e)]


def test_start_page_then_a_lecture_with_a_slider(lab, page):
    url, course = lab
    _open(page, url, "START.ipynb")
    _run_all_and_wait(page)
    page.wait_for_selector("text=notebooks copied into work/", timeout=30_000)
    assert (course / "work" / "lectures" / "02_sigmoid_neurons_and_gradient_descent.ipynb").exists()
    page.screenshot(path=SHOTS / "01_start_page.png")

    # the start page's link opens the student's own copy of lecture 2
    page.click("a:has-text('Sigmoid neurons and gradient descent')")
    page.wait_for_function("() => window.jupyterapp.shell.currentWidget?.context?.path"
                           ".endsWith('02_sigmoid_neurons_and_gradient_descent.ipynb')",
                           timeout=60_000)
    assert _app(page, "return app.shell.currentWidget.context.path;") == \
        "work/lectures/02_sigmoid_neurons_and_gradient_descent.ipynb"
    _app(page, "await app.shell.currentWidget.sessionContext.ready;")
    _run_all_and_wait(page, timeout=240)
    errors = _app(page, """
        return app.shell.currentWidget.content.widgets
          .filter(c => c.model.type === 'code')
          .flatMap(c => c.model.outputs.toJSON())
          .filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue);""")
    assert errors == []

    box = page.locator(".widget-interact").first  # lecture 2's learning-rate slider
    box.scroll_into_view_if_needed()
    plot = box.locator(".jp-OutputArea img").first
    before = plot.get_attribute("src")
    page.screenshot(path=SHOTS / "02_lecture_slider_before.png")
    handle = box.locator(".noUi-handle").first.bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y, steps=5)  # drag eta to the right
    page.mouse.up()
    page.wait_for_function(
        "(old) => [...document.querySelectorAll('.widget-interact .jp-OutputArea img')]"
        ".some(img => img.getAttribute('src') !== old)", arg=before, timeout=30_000)
    page.screenshot(path=SHOTS / "03_lecture_slider_after.png")
    assert _errors(page) == []


def test_playground_trains_in_the_browser(lab, page):
    url, course = lab
    nb = course / "playground.ipynb"
    nb.write_text('{"cells": [{"cell_type": "code", "execution_count": null, "id": "p", '
                  '"metadata": {}, "outputs": [], "source": ["from coursekit.widgets import '
                  'playground\\n", "ui = playground(\\"xor\\", hidden=(4,), lr=1.0)\\n", '
                  '"ui"]}], "metadata": {"kernelspec": {"name": "python3", "display_name": '
                  '"Python 3", "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}')
    _open(page, url, "playground.ipynb")
    _run_all_and_wait(page)
    panel = _current(page)
    status = panel.locator(".widget-html").filter(has_text=re.compile(r"step \d+")).first
    status.wait_for(timeout=30_000)
    first = status.inner_text()
    panel.locator("button:has-text('play')").click()
    page.wait_for_function("([el, old]) => el.innerText !== old",
                           arg=[status.element_handle(), first], timeout=60_000)
    time.sleep(2)
    panel.locator("button:has-text('pause')").click()
    page.screenshot(path=SHOTS / "04_playground.png")
    text = status.inner_text()
    steps = int(re.search(r"step (\d+)", text).group(1))
    loss = lambda t: float(re.search(r"loss: train ([0-9.]+)", t).group(1))
    assert steps > 0, text  # it trained while the page stayed responsive
    assert loss(text) < 0.8 * loss(first), (first, text)
    assert _errors(page) == []


def test_an_exercise_validates(lab, page):
    url, course = lab
    _open(page, url, "exercises/01_perceptrons/01_perceptrons.ipynb")
    _current(page).locator(".jp-Toolbar").get_by_text("Validate", exact=True).click()
    dialog = page.wait_for_selector(".jp-Dialog", timeout=120_000)
    text = dialog.inner_text()
    page.screenshot(path=SHOTS / "05_exercise_validated.png")
    # the unchanged release fails its tests, and Validate says so
    assert re.search(r"Validat|fail|error|NotImplementedError", text, re.I), text
    assert _errors(page) == []


def test_feedback_renders_maths_offline(page, tmp_path_factory):
    """A student's feedback page typesets its formulas with no network at all."""
    from _grading_course import ASSIGNMENTS, course
    assignment = next(a for a in ASSIGNMENTS
                      if "$$" in (ROOT / "exercises" / a / f"{a}.ipynb").read_text())
    c = course(assignment, tmp_path_factory)
    html = c.root / "feedback" / "solution" / assignment / f"{assignment}.html"
    assert "cdnjs" not in html.read_text() and "window.MathJax" in html.read_text()
    requested = []

    def only_files(route):
        requested.append(route.request.url)
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    # the module's browser (a second Playwright instance cannot start inside the first)
    before = len(page.errors)
    page.route("**/*", only_files)
    try:
        page.goto(html.as_uri())
        # typesetting a 2 MB page takes seconds on an idle machine, much longer on a busy one
        page.wait_for_selector("mjx-container svg", timeout=240_000)
        typeset = page.evaluate("document.querySelectorAll('mjx-container').length")
        page.screenshot(path=SHOTS / "feedback_offline.png", full_page=False)
    finally:
        page.unroute("**/*")
    errors = [e for e in page.errors[before:] if e.startswith("page error")]
    assert typeset >= 3, typeset
    assert not errors, errors
    assert [u for u in requested if not u.startswith("file:")] == []
