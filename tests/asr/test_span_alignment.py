"""Re-aligning one cue or a selection: retyped words get times from the audio, the others keep theirs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from subtitler.asr.result import segments_to_cues
from subtitler.asr.span_alignment import media_loader, plan_runs, realign_rows
from subtitler.asr.tokenizer import Tokenizer
from subtitler.asr.transcribe import transcribe
from subtitler.core.commands import SetText, SetWords
from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.core.history import History
from subtitler.errors import UserError
from tests.asr.clips import load_clip

SR = 16_000


@pytest.fixture(scope="module")
def jfk(tiny_en, tiny_en_dir: Path, data_dir: Path):
    tok = Tokenizer.from_file(tiny_en_dir / "tokenizer.json", multilingual=False)
    audio = load_clip(data_dir / "jfk.flac")
    cues = segments_to_cues(list(transcribe(tiny_en, tok, audio)), len(audio) / SR)
    return tiny_en, tok, audio, cues


def clip_loader(audio: np.ndarray):
    return lambda start_ms, end_ms: audio[start_ms * SR // 1000: end_ms * SR // 1000]


def test_runs_join_neighbouring_cues_and_stop_at_the_kept_words_around_them() -> None:
    kept = (Word(" a", 1000, 1400),)
    cues = [Cue(900, 1800, "a", kept), Cue(2000, 3000, "b c"), Cue(3100, 4000, "d"), Cue(9000, 9500, "e", (Word(" e", 9100, 9400),))]
    runs = plan_runs(cues, [0, 1, 2, 3])
    assert [r.rows for r in runs] == [(1, 2)]  # rows 0 and 3 have nothing to align
    assert (runs[0].start_ms, runs[0].end_ms) == (1500, 4500)  # from after "a" was spoken, a pad past the last cue
    assert plan_runs(cues, [3]) == []


@pytest.mark.slow
def test_retyped_word_gets_new_times_and_the_others_keep_theirs(jfk) -> None:
    model, tok, audio, cues = jfk
    doc = Document(list(cues))
    row = next(i for i, c in enumerate(doc) if "country" in c.text)
    before = doc[row].words
    k = next(i for i, w in enumerate(before) if w.text.strip().startswith("country"))
    history = History()
    history.push(SetText(doc, row, doc[row].text.replace("country", "nation", 1)))
    typed = doc[row].words
    assert typed[k].needs_alignment and typed[k].text.strip().startswith("nation")
    new = realign_rows(model, tok, clip_loader(audio), doc.cues, [row])
    assert set(new) == {row}
    history.push(SetWords(doc, new))
    words = doc[row].words
    assert [w.start_ms for i, w in enumerate(words) if i != k] == [w.start_ms for i, w in enumerate(typed) if i != k]
    assert all(words[i] == typed[i] for i in range(len(words)) if i != k)
    assert not words[k].needs_alignment and words[k].probability is not None
    assert (words[k].start_ms, words[k].end_ms) != (typed[k].start_ms, typed[k].end_ms)
    assert abs(words[k].start_ms - before[k].start_ms) <= 200  # where "country" was said
    assert words[k - 1].end_ms <= words[k].start_ms <= words[k].end_ms <= words[k + 1].start_ms
    history.undo()
    assert doc[row].words == typed


@pytest.mark.slow
def test_cue_typed_by_hand_is_aligned_from_the_media_file(jfk, data_dir) -> None:
    model, tok, _, _ = jfk
    doc = Document([Cue(3000, 11000, "ask not what your country can do for you,\nask what you can do for your country.")])
    new = realign_rows(model, tok, media_loader(data_dir / "jfk.mp4"), doc.cues, [0])
    words = new[0]
    assert [w.text.strip() for w in words] == doc[0].text.split()
    assert all(not w.needs_alignment for w in words)
    starts = [w.start_ms for w in words]
    assert starts == sorted(starts) and 2500 <= starts[0] < 5000 and words[-1].end_ms <= 11500


def test_a_cue_that_is_not_spoken_there_is_named(jfk) -> None:
    model, tok, audio, _ = jfk
    doc = Document([Cue(0, 3000, "intro"), Cue(3000, 9000, "Las arenas son blanquecinas de grano medio y tiene muy poca asistencia.")])
    with pytest.raises(UserError, match="cue 2: the text does not match the speech"):
        realign_rows(model, tok, clip_loader(audio), doc.cues, [1])
