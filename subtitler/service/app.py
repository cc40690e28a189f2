"""The HTTP routes: OpenAI's audio transcriptions/translations and models, plus /health.

A request is answered from the cache when its audio and options were seen before, joins
the job of an identical request still running, or decodes its upload and queues a new job.
Errors are OpenAI-shaped ({"error": {"message", "type", "param", "code"}}) with the one-line
messages the command line prints; the client's file name replaces the upload's path in them.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from subtitler import __version__
from subtitler.errors import Cancelled, UserError
from subtitler.service.cache import ResultCache, cache_key
from subtitler.service.config import ServiceConfig
from subtitler.service.form import OPENAI_MODEL_ALIAS, AudioRequest, parse_request
from subtitler.service.jobs import Job, JobQueue, ServiceBusy
from subtitler.service.render import delta_event, done_event, error_event, render, sse
from subtitler.service.results import TranscriptResult
from subtitler.service.upload import BadForm, Upload, UploadTooLarge, check_content_length, receive_upload

log = logging.getLogger(__name__)
CACHE_HEADER = "X-Subtitler-Cache"  # hit | joined | miss: where the answer came from


class ApiError(Exception):
    def __init__(self, status: int, message: str, kind: str = "invalid_request_error", headers: dict | None = None):
        super().__init__(message)
        self.status, self.kind, self.headers = status, kind, headers


def create_app(config: ServiceConfig, engines: dict[str, object], model_name: str) -> FastAPI:
    """The application for loaded ``engines`` (device -> Engine, all the same model)."""
    state = _ServiceState(config, engines, model_name)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        state.start()
        yield
        state.stop()

    app = FastAPI(title="Subtitler transcription service", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    app.state.service = state

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error_response(exc)

    @app.get("/health")
    async def health() -> dict:
        return {"status": "ok", "version": __version__, "model": model_name, "devices": list(engines),
                "jobs": state.queue.stats(), "in_flight": len(state.in_flight), "cache": state.cache.stats()}

    @app.get("/v1/models")
    async def models(request: Request) -> dict:
        state.authorize(request)
        return {"object": "list", "data": [{"id": name, "object": "model", "created": 0, "owned_by": "subtitler"}
                                           for name in state.served]}

    @app.post("/v1/audio/transcriptions")
    async def transcriptions(request: Request) -> Response:
        return await state.answer(request, "transcribe")

    @app.post("/v1/audio/translations")
    async def translations(request: Request) -> Response:
        return await state.answer(request, "translate")

    return app


class _ServiceState:
    """What the routes share: the queue, the cache and the jobs in flight (touched on the event loop only)."""

    def __init__(self, config: ServiceConfig, engines: dict[str, object], model_name: str) -> None:
        self.config = config
        self.engines = engines
        self.engine = next(iter(engines.values()))  # any of them: same model, same checks
        self.model_id = f"{model_name}:{self.engine.source}:{self.engine.compute_type}"  # int8 transcribes differently
        self.served = tuple(dict.fromkeys((model_name, OPENAI_MODEL_ALIAS)))
        self.cache = ResultCache(config.results_dir, config.cache_max_bytes)
        self.in_flight: dict[str, Job] = {}
        self.queue: JobQueue | None = None

    def start(self) -> None:
        for stale in self.config.uploads_dir.glob("upload-*"):  # left by a server that was killed mid-request
            stale.unlink(missing_ok=True)
        self.queue = JobQueue(self.engines, self.config.queue_size, self.cache.put)

    def stop(self) -> None:
        for job in list(self.in_flight.values()):
            job.cancel()
        self.queue.close()

    def authorize(self, request: Request) -> None:
        key = self.config.api_key
        if not key:
            return
        given = request.headers.get("authorization", "")
        scheme, _, token = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), key.encode()):
            raise ApiError(401, "missing or wrong API key; send 'Authorization: Bearer KEY' with the server's key",
                           "authentication_error", {"WWW-Authenticate": "Bearer"})

    # --- one request ----------------------------------------------------------------
    async def answer(self, request: Request, task: str) -> Response:
        self.authorize(request)
        upload = await self._receive(request)
        try:
            audio_request = parse_request(upload.fields, task, self.served)
            self._check_options(audio_request)
            key = cache_key(upload.sha256, audio_request.options, self.model_id)
            found, source = await self._find(key)
            if found is None:
                found, source = await self._start(key, task, upload, audio_request), "miss"
        except UserError as exc:
            raise ApiError(400, _client_message(str(exc), upload)) from None
        finally:
            upload.discard()
        headers = {CACHE_HEADER: source}
        if audio_request.stream:
            return StreamingResponse(self._events(found, audio_request), media_type="text/event-stream",
                                     headers={**headers, "Cache-Control": "no-cache"})
        result = found if isinstance(found, TranscriptResult) else await self._wait(request, found)
        body, media_type = render(result, audio_request)
        return Response(body, media_type=media_type, headers=headers)

    async def _receive(self, request: Request) -> Upload:
        limit = self.config.max_upload_bytes
        try:
            check_content_length(request.headers, limit)
            return await receive_upload(request.headers.get("content-type"), request.stream(),
                                        self.config.uploads_dir, limit)
        except UploadTooLarge as exc:
            raise ApiError(413, str(exc)) from None
        except BadForm as exc:
            raise ApiError(400, str(exc)) from None

    def _check_options(self, audio_request: AudioRequest) -> None:
        """The engine's own check (English-only models cannot translate...), naming the model rather than its folder."""
        try:
            self.engine.check_options(audio_request.options)
        except UserError as exc:
            raise UserError(str(exc).replace(str(self.engine.source), f"model {self.served[0]}")) from None

    async def _find(self, key: str) -> tuple[TranscriptResult | Job | None, str]:
        """A cached result or an identical job in flight. In-flight first: a job writes the cache before it leaves."""
        if key in self.in_flight:
            return self._joined(key), "joined"
        cached = await run_in_threadpool(self.cache.get, key)
        if cached is not None:
            return cached, "hit"
        if key in self.in_flight:  # started while the cache was read
            return self._joined(key), "joined"
        return None, "miss"

    def _joined(self, key: str) -> Job:
        job = self.in_flight[key]
        job.join()
        return job

    async def _start(self, key: str, task: str, upload: Upload, audio_request: AudioRequest) -> Job:
        """Register the job before decoding, so identical requests arriving meanwhile wait for it."""
        job = Job(key, task, asyncio.get_running_loop())
        job.join()
        self.in_flight[key] = job
        job.add_finished_callback(self._forget)
        try:
            audio = await run_in_threadpool(_decode, upload.path)
            self.queue.submit(job, audio, audio_request.options)
        except ServiceBusy as exc:
            job.fail(exc)
            raise ApiError(503, str(exc), "server_error", {"Retry-After": "30"}) from None
        except UserError as exc:
            job.fail(UserError(_client_message(str(exc), upload)))
            raise
        except BaseException as exc:
            job.fail(exc)
            raise
        return job

    def _forget(self, job: Job) -> None:
        if self.in_flight.get(job.key) is job:
            del self.in_flight[job.key]

    async def _wait(self, request: Request, job: Job) -> TranscriptResult:
        """The job's result; a client that disconnects meanwhile leaves the job (the last one cancels it)."""
        waiting = asyncio.ensure_future(job.wait())
        gone = asyncio.ensure_future(_disconnected(request))
        try:
            await asyncio.wait({waiting, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
            if not waiting.done():
                waiting.cancel()
                job.leave()
        if not waiting.done() or waiting.cancelled():
            raise ApiError(499, "the client went away", "client_closed")
        job.leave()
        try:
            return waiting.result()
        except UserError as exc:
            raise ApiError(400, str(exc)) from None
        except ServiceBusy as exc:
            raise ApiError(503, str(exc), "server_error", {"Retry-After": "30"}) from None
        except Cancelled:
            raise ApiError(503, "the transcription was cancelled (the server is stopping); try again",
                           "server_error") from None
        except Exception as exc:
            raise ApiError(500, f"transcription failed ({type(exc).__name__}: {exc})", "server_error") from None

    async def _events(self, found: TranscriptResult | Job, audio_request: AudioRequest) -> AsyncIterator[bytes]:
        """Segments as they are final, then the whole text; an error ends the stream with an error event."""
        if isinstance(found, TranscriptResult):
            for index, segment in enumerate(found.segments):
                yield sse(delta_event(segment, index == 0, audio_request.words))
            yield sse(done_event(found))
            return
        job, left = found, False
        try:
            index = 0
            async for segment in job.updates():
                yield sse(delta_event(segment, index == 0, audio_request.words))
                index += 1
            left = True
            job.leave()
            result = await job.wait()
            yield sse(done_event(result))
        except asyncio.CancelledError:  # the client disconnected: Starlette cancels the stream
            raise
        except Cancelled:
            yield sse(error_event("the transcription was cancelled (the server is stopping); try again", "server_error"))
        except UserError as exc:
            yield sse(error_event(str(exc), "invalid_request_error"))
        except Exception as exc:
            yield sse(error_event(f"transcription failed ({type(exc).__name__}: {exc})", "server_error"))
        finally:
            if not left:
                job.leave()


def _decode(path: Path):
    """The upload's audio; the decoder's warnings about a damaged file are logged, the audio is used."""
    from subtitler.media.decode import decode_audio

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        audio = decode_audio(path)
    for warning in caught:
        log.warning("%s", warning.message)
    return audio


async def _disconnected(request: Request) -> None:
    """Returns when the client closes the connection (the body has been read, so only that can come)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _client_message(message: str, upload: Upload) -> str:
    """The CLI's line about the file, naming the client's file instead of the server's copy of it."""
    if upload.path is not None:
        message = message.replace(str(upload.path), upload.filename or "the uploaded file")
    return message


def _error_response(exc: ApiError) -> JSONResponse:
    body = {"error": {"message": str(exc), "type": exc.kind, "param": None, "code": exc.status}}
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)

