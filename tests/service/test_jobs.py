"""The job queue with the real tiny.en engine: progress to waiters, the cache before done, cancelling, a full queue."""

from __future__ import annotations

import asyncio

import pytest

from subtitler.asr.transcribe import TranscribeOptions
from subtitler.errors import Cancelled, UserError
from subtitler.media.decode import decode_audio
from subtitler.service.jobs import Job, JobQueue, JobState, ServiceBusy

pytestmark = pytest.mark.slow


async def _until(predicate, timeout: float = 30.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


def test_segments_reach_the_waiter_as_they_come_and_the_cache_has_the_result_before_done(tiny_engine, data_dir,
                                                                                         ldc_result):
    order = []

    async def scenario():
        queue = JobQueue({"cpu": tiny_engine}, 4, on_result=lambda key, result: order.append(("cached", key, result)))
        job = Job("k", "transcribe", asyncio.get_running_loop())
        job.join()
        job.add_finished_callback(lambda j: order.append(("finished", j.state)))
        queue.submit(job, decode_audio(data_dir / "LDC93S1.wav"), TranscribeOptions())
        streamed = [segment async for segment in job.updates()]
        result = await job.wait()
        queue.close()
        return streamed, result, queue.stats()

    streamed, result, stats = asyncio.run(scenario())
    assert result == ldc_result and tuple(streamed) == ldc_result.segments
    assert order == [("cached", "k", ldc_result), ("finished", JobState.DONE)]
    assert stats["done"] == 1 and stats["running"] == 0


def test_the_last_waiter_leaving_cancels_a_running_job(tiny_engine, very_long_english):
    cached = []

    async def scenario():
        queue = JobQueue({"cpu": tiny_engine}, 4, on_result=lambda key, result: cached.append(key))
        job = Job("k", "transcribe", asyncio.get_running_loop())
        job.join()
        job.join()
        queue.submit(job, decode_audio(very_long_english), TranscribeOptions())
        await _until(lambda: job.state is JobState.RUNNING)
        job.leave()  # one of two waiters leaves: the job goes on
        await asyncio.sleep(0.5)
        assert job.state is JobState.RUNNING and not job.should_stop()
        job.leave()
        assert job.should_stop()
        await _until(lambda: job.state is JobState.CANCELLED, 10)
        with pytest.raises(Cancelled):
            await job.wait()
        queue.close()
        return queue.stats()

    stats = asyncio.run(scenario())
    assert stats["cancelled"] == 1 and stats["done"] == 0 and cached == []


def test_a_queued_job_whose_waiter_leaves_is_dropped_without_running(tiny_engine, very_long_english, data_dir):
    async def scenario():
        queue = JobQueue({"cpu": tiny_engine}, 4, on_result=lambda key, result: None)
        loop = asyncio.get_running_loop()
        first, second = Job("a", "transcribe", loop), Job("b", "transcribe", loop)
        for job, path in ((first, very_long_english), (second, data_dir / "LDC93S1.wav")):
            job.join()
            queue.submit(job, decode_audio(path), TranscribeOptions())
        await _until(lambda: first.state is JobState.RUNNING)
        second.leave()
        assert second.state is JobState.CANCELLED and second.audio is None  # at once, while it waits
        first.leave()
        await _until(lambda: queue.stats()["cancelled"] == 2, 15)
        queue.close()
        return queue.stats()

    stats = asyncio.run(scenario())
    assert stats["done"] == 0


def test_a_full_queue_is_busy():
    async def scenario():
        queue = JobQueue({}, 1, on_result=lambda key, result: None)  # no worker: nothing leaves the queue
        loop = asyncio.get_running_loop()
        queue.submit(Job("a", "transcribe", loop), None, TranscribeOptions())
        with pytest.raises(ServiceBusy, match="1 jobs are waiting already"):
            queue.submit(Job("b", "transcribe", loop), None, TranscribeOptions())
        return queue.stats()

    assert asyncio.run(scenario())["queued"] == 1


def test_an_error_reaches_every_waiter(tiny_engine, data_dir):
    async def scenario():
        queue = JobQueue({"cpu": tiny_engine}, 4, on_result=lambda key, result: None)
        job = Job("k", "translate", asyncio.get_running_loop())
        job.join()
        job.join()
        queue.submit(job, decode_audio(data_dir / "LDC93S1.wav"), TranscribeOptions(task="translate"))
        outcomes = await asyncio.gather(job.wait(), job.wait(), return_exceptions=True)
        queue.close()
        return outcomes, queue.stats()

    outcomes, stats = asyncio.run(scenario())
    assert all(isinstance(o, UserError) and "cannot translate" in str(o) for o in outcomes)
    assert stats["failed"] == 1
