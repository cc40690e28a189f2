"""Transcription in the editor: cues stream into the document on a worker thread, one undo step, cancel, failures, dialog."""

from __future__ import annotations

import re

import logging
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QUndoStack

from subtitler.asr.models import ModelInfo
from subtitler.asr.transcribe import Segment, TranscribeOptions, TranscriptionInfo
from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.core.history import History
from subtitler.errors import Cancelled
from subtitler.core.commands_transcription import ApplyTranscription, plan_inserts
from subtitler.gui.transcription.choice import KEY_LANGUAGE, KEY_MODEL, TranscribeChoice
from subtitler.gui.transcription.controller import TranscriptionBusy, TranscriptionController
from subtitler.gui.transcription.dialog import TranscribeDialog
from subtitler.gui.transcription.job import EngineCache, TranscriptionJob, load_engine_by_name
from subtitler.gui.undo import push_command

JOB_TIMEOUT_MS = 120_000  # a limit on waiting, not a speed target: a busy CI machine is 10x slower


def job(media, model: str, options: TranscribeOptions | None = None, device: str = "auto", **more) -> TranscriptionJob:
    return TranscriptionJob(Path(media), model, options, device, **more)


def cue(start_ms: int, text: str = "x") -> Cue:
    return Cue(start_ms, start_ms + 500, text)


# --- Qt-free pieces -------------------------------------------------------------------------------

def test_plan_inserts_places_by_time_after_equal_starts():
    starts = [0, 1000, 1000, 5000]
    runs = plan_inserts(starts, [cue(6000, "d"), cue(1000, "b"), cue(500, "a"), cue(1200, "c")])
    assert [(row, [c.text for c in cues]) for row, cues in runs] == [(1, ["a"]), (4, ["b", "c"]), (7, ["d"])]


def test_batches_of_one_job_merge_into_one_exact_undo_step():
    doc = Document([cue(1000, "old1"), cue(9000, "old2")])
    before = doc.snapshot()
    history, job = History(), object()
    history.push(ApplyTranscription(doc, [cue(0, "a"), cue(2000, "b")], job))
    history.push(ApplyTranscription(doc, [cue(8000, "c"), cue(9000, "d")], job))
    assert [c.text for c in doc] == ["a", "old1", "b", "c", "old2", "d"]
    assert len(history) == 1 and history.undo_text == "Transcribe"
    history.push(ApplyTranscription(doc, [cue(20_000, "other job")], object()))
    assert len(history) == 2, "another job is another step"
    history.undo()
    history.undo()
    assert doc.snapshot() == before
    history.redo()
    assert [c.text for c in doc] == ["a", "old1", "b", "c", "old2", "d"]
    with pytest.raises(ValueError):
        ApplyTranscription(doc, [], job)


def test_engine_cache_loads_once_per_model_and_device():
    loads: list[tuple[str, str]] = []

    def factory(name: str, device: str, precision: str) -> object:
        loads.append((name, device))
        return object()

    cache = EngineCache(factory)
    assert cache.recent() is None
    first = cache.get("tiny.en", "cpu")
    assert cache.get("tiny.en", "cpu") is first and loads == [("tiny.en", "cpu")]
    assert ("tiny.en", "cpu", "auto") in cache and cache.recent() == ("tiny.en", "cpu")
    cache.get("base", "cpu")  # capacity 1: the tiny.en engine is let go
    assert ("tiny.en", "cpu", "auto") not in cache and len(loads) == 2


def test_word_alignment_reuses_the_engine_that_transcribed_whatever_its_precision():
    loads: list[tuple[str, str, str]] = []
    cache = EngineCache(lambda name, device, precision: loads.append((name, device, precision)) or object())
    transcribed = cache.get("base", "cpu", "float32")  # the dialog's explicit precision
    assert cache.recent() == ("base", "cpu")
    assert cache.get(*cache.recent()) is transcribed, "alignment asks without a precision"
    assert cache.get("base", "cpu", "float16") is not transcribed, "an explicit other precision loads its own"
    assert loads == [("base", "cpu", "float32"), ("base", "cpu", "float16")]


# --- controller and worker with a scripted engine (fast, deterministic) ------------------------------

FILLER = " (scripted)."  # marks a scripted segment's text: the reading rules may join segments into one cue


def labels(doc: Document) -> list[str]:
    """In order, each scripted segment's text found in the document (the reading rules may join or split segments)."""
    return re.findall(r"(\S+)" + re.escape(FILLER), " ".join(cue.plain_text for cue in doc))


class ScriptedEngine:
    """Engine-shaped: yields one segment per 'window' with an optional pause, honouring should_stop.

    Each text gets FILLER so that tests can find it in cues the reading rules made.
    """

    multilingual = False

    def __init__(self, texts: list[str], pause_s: float = 0.0, crash_at: int | None = None) -> None:
        self.texts, self.pause_s, self.crash_at = texts, pause_s, crash_at
        self.threads: set[int] = set()

    def transcribe(self, audio, options, on_progress=None, should_stop=None, on_info=None):
        self.threads.add(threading.get_ident())
        total = len(audio) / 16_000
        on_info(TranscriptionInfo("en", 1.0, total))
        step = total / len(self.texts)
        for i, text in enumerate(self.texts):
            if should_stop():
                raise Cancelled("transcription stopped")
            if i == self.crash_at:
                raise ZeroDivisionError("scripted bug")
            time.sleep(self.pause_s)
            yield Segment(i, 0, i * step, (i + 1) * step, " " + text + FILLER, (), 0.0, -0.1, 1.0, 0.0, "en")
            on_progress((i + 1) * step, total)


class Harness:
    """A document, an undo stack and a controller wired like the main window wires them."""

    def __init__(self, engine_factory, doc: Document | None = None) -> None:
        self.doc = doc if doc is not None else Document()
        self.stack = QUndoStack()
        self.controller = TranscriptionController(lambda: self.doc, self._push, engine_factory)
        self.handler_threads: set[int] = set()  # where the controller ran its slots: must be the GUI thread
        self.events: list[tuple[str, int, bool]] = []  # (what, cues in document, thread still running)
        self.progress: list[tuple[float, float]] = []
        self.controller.cues_added.connect(lambda n: self.events.append(("cues", len(self.doc), self.controller.is_running)))
        self.controller.finished.connect(lambda n: self.events.append(("finished", n, self.controller.is_running)))
        self.controller.progress_changed.connect(lambda d, t: self.progress.append((d, t)))
        self.controller.running_changed.connect(lambda _r: self.handler_threads.add(threading.get_ident()))

    def _push(self, command) -> None:
        self.handler_threads.add(threading.get_ident())
        push_command(self.stack, command)

    def wait_idle(self, qtbot) -> None:
        qtbot.waitUntil(lambda: not self.controller.is_running, timeout=JOB_TIMEOUT_MS)


@pytest.fixture
def harnesses():
    made: list[Harness] = []
    yield made
    for harness in made:  # never leave a QThread running past its test
        assert harness.controller.shutdown()


def make(harnesses, engine_factory, doc: Document | None = None) -> Harness:
    harnesses.append(Harness(engine_factory, doc))
    return harnesses[-1]


def test_cues_stream_in_as_one_undo_step_and_the_engine_is_reused(qtbot, harnesses, data_dir):
    engine = ScriptedEngine(["one", "two", "three", "four"], pause_s=0.15)
    loads: list[str] = []
    h = make(harnesses, lambda name, device, precision: loads.append(name) or engine,
             Document([Cue(0, 50, "before"), Cue(60_000, 61_000, "after")]))
    statuses: list[str] = []
    h.controller.status_changed.connect(statuses.append)
    with qtbot.waitSignal(h.controller.finished, timeout=JOB_TIMEOUT_MS) as finished:
        h.controller.start(job(data_dir / "jfk.mp4", "scripted"))
        with pytest.raises(TranscriptionBusy, match="still running"):
            h.controller.start(job(data_dir / "jfk.mp4", "scripted"))
    h.wait_idle(qtbot)
    # 11 s of audio in a little over 4 x 0.15 s (plus decoding; the reading rules may join segments): the realtime factor ends the job's message
    speed = re.search(r"^Transcribed jfk\.mp4: \d+ cues? \(en\), ([\d.]+)x realtime$", statuses[-1])
    assert speed and 1.0 < float(speed.group(1)) < 11.0 / 0.6, statuses[-1]
    assert labels(h.doc) == ["one", "two", "three", "four"]
    assert h.doc[0].text == "before" and h.doc[len(h.doc) - 1].text == "after"
    assert finished.args == [len(h.doc) - 2]
    batches = [e for e in h.events if e[0] == "cues"]
    assert len(batches) >= 2 and all(running for _what, _n, running in batches), "cues arrive while the job runs"
    assert h.events[-1][0] == "finished"
    assert threading.get_ident() not in engine.threads, "the engine runs off the GUI thread"
    assert h.handler_threads == {threading.get_ident()}, "the document is edited on the GUI thread only"
    assert h.progress[-1] == pytest.approx((11.0, 11.0), abs=0.1)
    assert h.stack.count() == 1 and h.stack.undoText() == "Transcribe"
    h.stack.undo()
    assert [c.text for c in h.doc] == ["before", "after"]

    with qtbot.waitSignal(h.controller.finished, timeout=JOB_TIMEOUT_MS):
        h.controller.start(job(data_dir / "jfk.mp4", "scripted"))
    h.wait_idle(qtbot)
    assert loads == ["scripted"], "the second job reuses the loaded engine"
    assert h.stack.count() == 1, "the redo of the first job was replaced by the second"


def test_progress_and_batches_are_throttled_to_ten_a_second(qtbot, harnesses, data_dir):
    h = make(harnesses, lambda name, device, precision: ScriptedEngine([f"w{i}" for i in range(80)], pause_s=0.01))
    began = time.monotonic()
    with qtbot.waitSignal(h.controller.finished, timeout=JOB_TIMEOUT_MS):
        h.controller.start(job(data_dir / "jfk.mp4", "scripted"))
    elapsed = time.monotonic() - began
    h.wait_idle(qtbot)
    batches = [e for e in h.events if e[0] == "cues"]
    allowed = 10 * elapsed + 3  # the first, the last and the (0, total) start always pass
    assert labels(h.doc) == [f"w{i}" for i in range(80)], "every segment's text reached the document, in order"
    assert 2 <= len(batches) <= allowed and len(h.progress) <= allowed, (len(batches), len(h.progress), elapsed)


def test_a_cancel_after_completion_does_not_add_a_second_ending(qtbot, data_dir):
    from subtitler.gui.transcription.worker import TranscriptionWorker

    worker = TranscriptionWorker(TranscriptionJob(data_dir / "jfk.mp4", "scripted"), lambda n, d, p: ScriptedEngine(["a"]))
    endings: list[str] = []
    worker.finished.connect(lambda: (endings.append("finished"), worker.cancel()))
    worker.cancelled.connect(lambda: endings.append("cancelled"))
    worker.failed.connect(endings.append)
    worker.run()  # synchronously: the order of the endings is what is tested here
    assert endings == ["finished"]


def test_cancel_is_distinct_from_failure_and_keeps_a_consistent_document(qtbot, harnesses, data_dir):
    h = make(harnesses, lambda name, device, precision: ScriptedEngine([f"cue {i}" for i in range(50)], pause_s=0.1))
    failed: list[str] = []
    h.controller.failed.connect(failed.append)
    h.controller.cues_added.connect(lambda _n: h.controller.cancel())
    with qtbot.waitSignal(h.controller.cancelled, timeout=JOB_TIMEOUT_MS):
        h.controller.start(job(data_dir / "jfk.mp4", "scripted"))
    h.wait_idle(qtbot)
    assert failed == [] and 1 <= len(h.doc) < 50
    assert [c.start_ms for c in h.doc] == sorted(c.start_ms for c in h.doc)
    assert h.stack.count() == 1
    h.stack.undo()
    assert len(h.doc) == 0


def test_a_bug_in_the_engine_fails_with_one_line_and_logs_the_traceback(qtbot, harnesses, data_dir, caplog):
    h = make(harnesses, lambda name, device, precision: ScriptedEngine(["a", "b", "c"], crash_at=1))
    with caplog.at_level(logging.ERROR), qtbot.waitSignal(h.controller.failed, timeout=JOB_TIMEOUT_MS) as failed:
        h.controller.start(job(data_dir / "jfk.mp4", "scripted"))
    h.wait_idle(qtbot)
    assert "jfk.mp4" in failed.args[0] and "ZeroDivisionError" in failed.args[0] and "\n" not in failed.args[0]
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)


def test_opening_another_document_stops_the_job_and_leaves_the_new_one_alone(qtbot, harnesses, data_dir):
    h = make(harnesses, lambda name, device, precision: ScriptedEngine([f"cue {i}" for i in range(50)], pause_s=0.1))
    old = h.doc

    def replace_document(_n: int) -> None:
        h.doc = Document([Cue(0, 1000, "opened later")])

    h.controller.cues_added.connect(replace_document)
    with qtbot.waitSignal(h.controller.cancelled, timeout=JOB_TIMEOUT_MS):
        h.controller.start(job(data_dir / "jfk.mp4", "scripted"))
    h.wait_idle(qtbot)
    assert [c.text for c in h.doc] == ["opened later"]
    assert 1 <= len(old) < 50


def test_corrupt_media_fails_with_the_file_name(qtbot, harnesses, tmp_path):
    bad = tmp_path / "holiday.mp4"
    bad.write_text("this is not a video\n" * 50)
    h = make(harnesses, lambda name, device, precision: pytest.fail("no model is loaded for a file that cannot be decoded"))
    cancelled: list[bool] = []
    h.controller.cancelled.connect(lambda: cancelled.append(True))
    with qtbot.waitSignal(h.controller.failed, timeout=JOB_TIMEOUT_MS) as failed:
        h.controller.start(job(bad, "tiny.en"))
    h.wait_idle(qtbot)
    assert "holiday.mp4" in failed.args[0] and not cancelled and len(h.doc) == 0


def test_a_truncated_file_warns_and_transcribes_what_is_there(qtbot, harnesses, data_dir, tmp_path):
    cut = tmp_path / "cut.flac"
    whole = (data_dir / "jfk.flac").read_bytes()
    cut.write_bytes(whole[: len(whole) // 2])
    h = make(harnesses, lambda name, device, precision: ScriptedEngine(["half"]))
    warned: list[str] = []
    h.controller.warned.connect(warned.append)
    with qtbot.waitSignal(h.controller.finished, timeout=JOB_TIMEOUT_MS):
        h.controller.start(job(cut, "scripted"))
    h.wait_idle(qtbot)
    assert len(warned) == 1 and "cut.flac" in warned[0] and "only part of the audio" in warned[0]
    assert labels(h.doc) == ["half"] and h.doc[0].end_ms < 8000


def test_a_missing_model_fails_and_says_how_to_install_it(qtbot, harnesses, data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("SUBTITLER_MODELS_DIR", str(tmp_path))  # no downloaded models: only the packages count
    h = make(harnesses, load_engine_by_name)
    with qtbot.waitSignal(h.controller.failed, timeout=JOB_TIMEOUT_MS) as failed:
        h.controller.start(job(data_dir / "jfk.mp4", "medium.en"))
    h.wait_idle(qtbot)
    assert "medium.en" in failed.args[0] and "download" in failed.args[0]


# --- the dialog ---------------------------------------------------------------------------------------

MODELS = [
    ModelInfo("tiny", None, "download", True, None, 75_000_000, "any language; the fastest"),
    ModelInfo("tiny.en", Path("/m/tiny.en"), "package", False, 78_000_000),
    ModelInfo("base", Path("/m/base"), "package", True, 145_000_000),
]


def test_dialog_orders_models_guards_english_only_and_remembers(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    dialog = TranscribeDialog(settings, MODELS)
    qtbot.addWidget(dialog)
    combo = dialog.model_combo
    assert [combo.itemData(i) for i in range(combo.count())] == ["tiny.en", "base", "tiny"]
    assert "download about 75 MB" in combo.itemText(2)
    assert combo.currentData() == "base", "the CLI's default model when it is installed"
    combo.setCurrentIndex(0)
    assert not dialog.task_combo.isEnabled() and dialog.choice().task == "transcribe"

    combo.setCurrentIndex(1)
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("de"))
    dialog.task_combo.setCurrentIndex(dialog.task_combo.findData("translate"))
    dialog.device_combo.setCurrentIndex(dialog.device_combo.findData("cpu"))
    assert dialog.task_combo.isEnabled()
    dialog.accept()
    assert settings.value(KEY_MODEL) == "base" and settings.value(KEY_LANGUAGE) == "de"

    again = TranscribeDialog(settings, MODELS)
    qtbot.addWidget(again)
    expected = TranscribeChoice("base", TranscribeOptions(task="translate", language="de"), "cpu")
    assert again.choice() == expected
    again.model_combo.setCurrentIndex(0)  # tiny.en forces English, then base gets the German back
    assert again.choice().language == "en"
    again.model_combo.setCurrentIndex(1)
    assert again.choice() == expected
    assert again.language_combo.itemText(0) == "Detect automatically" and again.language_combo.count() > 90
    again.model_combo.setCurrentIndex(2)  # not installed: download it first
    assert not again.buttons.button(again.buttons.StandardButton.Ok).isEnabled()
    assert again.download_button.isVisibleTo(again) and "75 MB" in again.download_button.text()


def test_dialog_offers_the_batched_mode_and_remembers_it(qtbot, tmp_path):
    """The CLI's --batch-size on the dialog's main form (built from option_specs): off by default, 8 when switched
    on, remembered; the previous-text switch is greyed while it is on; a prefix with it is refused in the dialog."""
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    dialog = TranscribeDialog(settings, MODELS)
    qtbot.addWidget(dialog)
    batch, previous = dialog.fields["batch_size"], dialog.fields["condition_on_previous_text"]
    assert not batch.spec.advanced and batch.widget.isVisibleTo(dialog)
    assert dialog.choice().options.batch_size is None and previous.editor.isEnabled()
    assert "30 s" in batch.editor.toolTip() and batch.editor.maximum() == 64
    batch.off.setChecked(False)
    assert dialog.choice().options.batch_size == 8 and not previous.editor.isEnabled()
    dialog.fields["prefix"].set_value("So")
    assert "works window by window" in dialog.problem()
    dialog.fields["prefix"].set_value(None)
    dialog.accept()
    again = TranscribeDialog(settings, MODELS)
    qtbot.addWidget(again)
    assert again.choice().options == TranscribeOptions(batch_size=8)
    assert not again.fields["condition_on_previous_text"].editor.isEnabled()
    again.restore_defaults()
    assert again.choice().options.batch_size is None and again.fields["condition_on_previous_text"].editor.isEnabled()


def test_dialog_without_installed_models_offers_a_download_or_a_folder(qtbot, tmp_path):
    dialog = TranscribeDialog(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), MODELS[:1])
    qtbot.addWidget(dialog)
    assert dialog.first_run.isVisibleTo(dialog) and "No speech model is installed" in dialog.first_run.text()
    assert dialog.download_button.isVisibleTo(dialog) and dialog.folder_button.isVisibleTo(dialog)
    assert "fastest" in dialog.model_note.text()
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()


# --- end to end on real speech and real weights -------------------------------------------------------

@pytest.fixture(scope="module")
def real_engines() -> EngineCache:
    """One tiny.en load shared by the end-to-end tests."""
    return EngineCache(load_engine_by_name)


@pytest.mark.slow
@pytest.mark.parametrize("batch_size", [None, 4], ids=["sequential", "batched"])
def test_jfk_transcribes_into_the_document_live(qtbot, harnesses, data_dir, real_engines, batch_size):
    h = make(harnesses, real_engines.get)
    with qtbot.waitSignal(h.controller.finished, timeout=JOB_TIMEOUT_MS):
        h.controller.start(job(data_dir / "jfk.mp4", "tiny.en", TranscribeOptions(language="en", batch_size=batch_size), "cpu"))
    h.wait_idle(qtbot)
    text = " ".join(c.plain_text for c in h.doc).lower()
    assert "ask not what your country" in text
    assert h.events[0][0] == "cues" and h.events[0][1] > 0 and h.events[0][2], "cues arrive before the job ends"
    assert h.events[-1][0] == "finished"
    done, total = h.progress[-1]
    assert done == total and total == pytest.approx(11.0, abs=0.2)
    assert h.controller.language == "en"
    assert h.stack.count() == 1
    h.stack.undo()
    assert len(h.doc) == 0


@pytest.mark.slow
def test_cancel_a_real_job_on_a_long_file(qtbot, harnesses, data_dir, real_engines):
    """Cancel in the middle of a window (tiny.en on Spanish falls back through every temperature there)."""
    h = make(harnesses, real_engines.get, Document([Cue(500, 1500, "typed before")]))
    failed: list[str] = []
    h.controller.failed.connect(failed.append)
    with qtbot.waitSignal(h.controller.progress_changed, timeout=JOB_TIMEOUT_MS):  # (0, total): decoding has begun
        h.controller.start(job(data_dir / "aeneas_capitan_veneno_es.mp3", "tiny.en", None, "cpu"))
    qtbot.wait(1500)
    asked = time.monotonic()
    with qtbot.waitSignal(h.controller.cancelled, timeout=JOB_TIMEOUT_MS):
        h.controller.cancel()
    stopped_after = time.monotonic() - asked
    h.wait_idle(qtbot)
    assert failed == [] and stopped_after < 3.0, stopped_after
    assert h.progress[-1][0] < h.progress[-1][1], "stopped before the end"
    assert [c.start_ms for c in h.doc] == sorted(c.start_ms for c in h.doc)
    while h.stack.canUndo():
        h.stack.undo()
    assert [c.text for c in h.doc] == ["typed before"]


TIMING_RULES = ("overlap", "gap_too_small", "too_short")


@pytest.mark.slow
def test_a_fresh_transcription_passes_the_timing_rules_of_qc(qtbot, harnesses, data_dir, real_engines):
    """Issue 11, fault 1: cues made one segment at a time overlapped or touched (five 0-ms gaps on this clip).

    Through the controller the editor uses, with its default options (refined word timings): no cue
    overlaps, crowds the next or is shorter than the minimum, every cue carries its words and starts
    at its first word, never over silence before it.
    """
    from subtitler.core.qc import check

    h = make(harnesses, real_engines.get)
    with qtbot.waitSignal(h.controller.finished, timeout=JOB_TIMEOUT_MS):
        h.controller.start(job(data_dir / "mfa_cold_corpus.wav", "tiny.en", None, "cpu"))
    h.wait_idle(qtbot)
    assert len(h.doc) >= 4
    assert [(f.row, f.rule, f.message) for f in check(h.doc) if f.rule in TIMING_RULES] == []
    for cue in h.doc:
        assert cue.words and cue.start_ms == cue.words[0].start_ms
        assert all(cue.start_ms <= w.start_ms <= w.end_ms <= cue.end_ms for w in cue.words)
    assert h.doc[0].start_ms > 1500, "speech starts at 1.8 s; Whisper's first segment starts at 0"
