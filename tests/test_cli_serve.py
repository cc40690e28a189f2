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
    (["-m", "tiny.en", "--device", "cpu", "--compute-type", "float16", "--cache-dir", "{tmp}/c"],
     ["--compute-type float16", "GPU only"]),
    (["-m", "tiny.en", "--threads", "0", "--cache-dir", "{tmp}/c"], ["--threads 0"]),
    (["--compute-type", "int4"], ["--compute-type", "int4"]),
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


def test_compute_type_and_threads_reach_the_served_engine(capsys, tmp_path, monkeypatch):
    """The flags transcribe has (one shared definition): the served model computes in int8 on one thread."""
    import torch

    import subtitler.service.server as server

    served = {}
    monkeypatch.setattr(server, "serve", lambda config, engines: served.update(config=config, engines=engines))
    threads = torch.get_num_threads()
    try:
        code, _, err = run_cli(capsys, "serve", "-m", "tiny.en", "--device", "cpu", "--compute-type", "int8",
                               "--threads", "1", "--offline", "--cache-dir", str(tmp_path))
        assert code == 0, err
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(threads)
    config, engines = served["config"], served["engines"]
    assert (config.compute_type, config.threads) == ("int8", 1)
    assert [e.compute_type for e in engines.values()] == ["int8"]


def test_cached_results_are_kept_apart_by_compute_type(tmp_path):
    """A result transcribed in float32 is not served for the same audio once the server runs int8."""
    from types import SimpleNamespace

    from subtitler.service.app import _ServiceState
    from subtitler.service.config import ServiceConfig

    config = ServiceConfig(model="tiny.en", cache_dir=tmp_path)
    ids = {_ServiceState(config, {"cpu": SimpleNamespace(source="/m/tiny.en", compute_type=kind)}, "tiny.en").model_id
           for kind in ("float32", "int8")}
    assert len(ids) == 2
