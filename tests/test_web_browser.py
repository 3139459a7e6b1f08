"""The web page in a real browser: Debian's headless Chromium driven through chromium-driver by Selenium.

``reviewer serve --port 0`` runs as a user would start it; the browser uploads a Word draft, sees its findings
highlighted, downloads the annotated DOCX (opened with python-docx), uploads a revision and sees the
comparison, uploads a broken file and sees the one-line error. A screenshot of each step is written under the
test's temporary folder (``screenshots/``). Nothing is downloaded at test time: the browser and its driver are
the system's (``.ci/run`` installs them); without them the test is skipped.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import docx
import pytest

from web_helpers import SAMPLE_DOCX, Server

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                                reason="needs Debian's chromium and chromium-driver (/usr/bin/chromium, chromedriver)")

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en-US")


@pytest.fixture
def browser(tmp_path: Path):  # type: ignore[no-untyped-def]
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False,
                                              "safebrowsing.enabled": False})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def shot(driver, folder: Path, name: str) -> Path:  # type: ignore[no-untyped-def]
    """A screenshot of the whole page, beyond the window (Chromium's DevTools capture)."""
    import base64

    folder.mkdir(exist_ok=True)
    width, height = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    png = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 12000), "scale": 1}})
    path = folder / f"{name}.png"
    path.write_bytes(base64.b64decode(png["data"]))
    return path


def wait_for(driver, condition, timeout: float = 60.0):  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition)


def revised_draft(tmp_path: Path, quotes: list[str]) -> Path:
    """The sample draft with the sentences ``quotes`` taken out (the other paragraphs keep their formatting)."""
    document = docx.Document(str(SAMPLE_DOCX))
    for quote in quotes:
        hits = [p for p in document.paragraphs if quote in p.text]
        assert hits, quote
        hits[0].text = " ".join(hits[0].text.replace(quote, "").split())
    path = tmp_path / "ps_draft_v2.docx"
    document.save(str(path))
    return path


def test_upload_review_download_revise_and_a_broken_file(tmp_path: Path, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select

    screenshots = tmp_path / "screenshots"
    server = Server(tmp_path)
    driver = browser
    try:
        driver.get(server.url)
        assert driver.find_element(By.CSS_SELECTOR, "label[for=files]").text == "Drop your drafts here, or choose them"
        shot(driver, screenshots, "1-start")

        # keyboard: the file chooser is reached with Tab, as every other control
        reached = []
        for _ in range(8):
            ActionChains(driver).send_keys(Keys.TAB).perform()
            active = driver.switch_to.active_element
            reached.append(active.get_attribute("id") or active.tag_name)
        assert "files" in reached and reached.index("files") < reached.index("paste-text") if "paste-text" in \
            reached else "files" in reached

        # 1. upload a Word draft; its kind is guessed from its name
        driver.find_element(By.ID, "files").send_keys(str(SAMPLE_DOCX))
        driver.find_element(By.CSS_SELECTOR, "#upload button[type=submit]").click()
        table = wait_for(driver, ec.presence_of_element_located((By.CSS_SELECTOR, "table.documents")))
        assert "ps_draft.docx" in table.text
        select = Select(driver.find_element(By.CSS_SELECTOR, "table.documents select"))
        assert select.first_selected_option.get_attribute("value") == "personal_statement"
        shot(driver, screenshots, "2-ready")

        # 2. review it: the result shows the draft with its findings highlighted
        driver.find_element(By.ID, "review-button").click()
        wait_for(driver, ec.presence_of_element_located((By.ID, "result")))
        assert "Judged by the rules engine (offline)." in driver.find_element(By.ID, "result").text
        frame = driver.find_element(By.CSS_SELECTOR, "iframe.review")
        wait_for(driver, lambda d: int(frame.size["height"]) > 1200)  # the script grew the frame to its page
        driver.switch_to.frame(frame)
        marks = driver.find_elements(By.CSS_SELECTOR, "mark.fail, mark.warn")
        notes = driver.find_elements(By.CSS_SELECTOR, "aside.note")
        assert marks and notes and all(m.is_displayed() for m in marks)
        assert "Scorecard" in driver.find_element(By.ID, "scorecard").text
        labels = {e.text for e in driver.find_elements(By.CSS_SELECTOR, "#scorecard .label")}
        assert labels & {"✗\xa0FAIL", "FAIL", "!\xa0WARN", "WARN"}  # verdicts in words, not colour alone
        driver.switch_to.default_content()
        shot(driver, screenshots, "3-review")

        # 3. download the annotated DOCX and open it
        link = driver.find_element(By.CSS_SELECTOR, "a.download.docx")
        assert link.text == "Download Word (annotated DOCX)"
        link.click()
        target = driver.downloads / "ps_draft.review.docx"
        wait_for(driver, lambda d: target.exists() and not list(driver.downloads.glob("*.crdownload")), 30)
        annotated = docx.Document(io.BytesIO(target.read_bytes()))
        comments = list(annotated.comments)
        assert comments and len(comments) == len(marks)
        json_url = driver.find_element(By.CSS_SELECTOR, "a.download.json").get_attribute("href")
        status, text = server.get("/" + json_url.split("/", 3)[3], headers={"cookie": _cookie(driver)})
        assert status == 200
        first_round = json.loads(text)

        # 4. upload a revision: resolved / persisting / new
        excuses = [f["quote"] for f in first_round["findings"] if f["criterion"] in ("score.excuse", "score.emotion")]
        assert excuses
        driver.find_element(By.ID, "revised-0").send_keys(str(revised_draft(tmp_path, sorted(set(excuses))[:2])))
        driver.find_element(By.ID, "revise-button").click()
        wait_for(driver, ec.text_to_be_present_in_element((By.ID, "result-h"), "round 2"))
        comparison = driver.find_element(By.CSS_SELECTOR, "table.changes").text
        assert "ps_draft_v2.docx" in comparison
        for status_word in ("resolved", "persisting", "new"):
            assert status_word in comparison
        resolved = int(driver.find_element(By.CSS_SELECTOR, ".change.resolved").text.split()[-2])
        assert resolved >= 1
        driver.switch_to.frame(driver.find_element(By.CSS_SELECTOR, "iframe.review"))
        assert "Since your last draft" in driver.find_element(By.ID, "since").text
        driver.switch_to.default_content()
        shot(driver, screenshots, "4-round-two")

        # 5. a broken file: the CLI's one-line error, no traceback
        broken = tmp_path / "broken.docx"
        broken.write_bytes(b"this is not a Word document")
        driver.find_element(By.ID, "files").send_keys(str(broken))
        driver.find_element(By.CSS_SELECTOR, "#upload button[type=submit]").click()
        error = wait_for(driver, ec.presence_of_element_located((By.CSS_SELECTOR, "#errors .error")))
        assert error.text == "error: broken.docx: damaged or incomplete Word file (re-save it from Word as .docx)"
        assert "Traceback" not in driver.page_source
        shot(driver, screenshots, "5-error")
        logs = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        assert not logs, logs  # nothing refused by the Content-Security-Policy, no script error
    finally:
        code, _, err = server.stop()
    assert code == 0, err
    assert server.roots() == []  # the temporary folder went with the server
    for name in ("1-start", "2-ready", "3-review", "4-round-two", "5-error"):
        png = screenshots / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000


def _cookie(driver) -> str:  # type: ignore[no-untyped-def]
    return "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())


def test_a_dropped_file_is_uploaded(tmp_path: Path, browser) -> None:  # type: ignore[no-untyped-def]
    """Drag and drop: a file dropped on the zone is added at once (the script submits the upload form)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    server = Server(tmp_path)
    driver = browser
    try:
        driver.get(server.url)
        # A browser cannot be made to drag a file from the desktop; a DataTransfer built in the page is the same
        # drop event the zone receives from one.
        driver.execute_script("""
            const data = new DataTransfer();
            data.items.add(new File(["I failed Step 1 on my first attempt. I then scored 241 on Step 2 CK."],
                                    "interview_step1.txt", {type: "text/plain"}));
            const zone = document.getElementById("dropzone");
            zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: data, bubbles: true, cancelable: true}));
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
        """)
        table = wait_for(driver, ec.presence_of_element_located((By.CSS_SELECTOR, "table.documents")), 20)
        assert "interview_step1.txt" in table.text
        time.sleep(0.1)
    finally:
        server.stop()


def test_progress_while_a_model_engine_works(tmp_path: Path, browser) -> None:  # type: ignore[no-untyped-def]
    """With a model engine the page shows the model calls answered as they come, then which engine judged.

    The model is a stub OpenAI-compatible server on loopback that holds every answer after the first until the
    page has shown the progress."""
    pytest.importorskip("langchain_openai")
    import threading

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    from faultstub import FaultStub

    class HeldStub(FaultStub):
        def __init__(self) -> None:
            self.release = threading.Event()
            self.answered = 0
            super().__init__(max_seconds=120)

        def respond(self, handler, body, raw) -> None:  # type: ignore[no-untyped-def]
            with self._lock:
                self.answered += 1
                first = self.answered == 1
            if not first:
                self.release.wait(60)
            super().respond(handler, body, raw)

    screenshots = tmp_path / "screenshots"
    driver = browser
    with HeldStub() as stub:
        server = Server(tmp_path, "--engine", "hybrid", "--model", "stub-model", "--base-url", stub.base_url,
                        "--local-only")
        try:
            driver.get(server.url)
            assert "Hybrid engine: rules + model stub-model" in driver.find_element(By.CLASS_NAME, "engine").text
            driver.find_element(By.ID, "files").send_keys(str(SAMPLE_DOCX))
            driver.find_element(By.CSS_SELECTOR, "#upload button[type=submit]").click()
            wait_for(driver, ec.presence_of_element_located((By.ID, "review-button"))).click()
            shown = ec.text_to_be_present_in_element((By.ID, "progress-text"), "Model calls answered: 1 of")
            assert wait_for(driver, shown)
            bar = driver.find_element(By.ID, "progress-bar")
            assert bar.get_attribute("value") == "1" and int(bar.get_attribute("max")) > 1
            shot(driver, screenshots, "progress")
            stub.release.set()
            wait_for(driver, ec.presence_of_element_located((By.ID, "result")))
            judged = driver.find_element(By.CSS_SELECTOR, "#result .judged").text
            assert judged == f"Judged by the hybrid engine: rules + model stub-model at {stub.base_url}."
            shot(driver, screenshots, "judged-by-model")
        finally:
            stub.release.set()
            server.stop()
