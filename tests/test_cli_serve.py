"""`subtitler serve` refuses wrong flags with one line and status 2, before it listens."""

from __future__ import annotations

import pytest

from tests.test_cli_asr import assert_one_line_error, run_cli


@pytest.mark.parametrize("args, needles", [
    (["--port", "0"], ["--port 0"]),
    (["--port", "70000"], ["--port 70000"]),
    (["--max-upload-mb", "0"], ["--max-upload-mb 0"]),
    (["--queue-size", "-1"], ["--queue-size -1"]),
    (["--cache-mb", "0"], ["--cache-mb 0"]),
    (["--cache-dir", "{tmp}/file"], ["--cache-dir", "cannot create it"]),
    (["-m", "no-such-model", "--cache-dir", "{tmp}/c"], ["no-such-model", "unknown model"]),
    (["-m", "tiny.en", "--device", "tpu", "--cache-dir", "{tmp}/c"], ["--device tpu"]),
])
def test_wrong_serve_flags_give_one_line_and_status_2(capsys, tmp_path, args, needles):
    (tmp_path / "file").write_text("x")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, _, err = run_cli(capsys, "serve", *args)
    assert_one_line_error(code, err, *needles)


def test_cuda_without_a_gpu(capsys, tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    code, _, err = run_cli(capsys, "serve", "-m", "tiny.en", "--device", "cpu,cuda", "--cache-dir", str(tmp_path))
    assert_one_line_error(code, err, "cuda")
