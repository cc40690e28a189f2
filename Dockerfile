# Subtitler's transcription server (`subtitler serve`), CPU only, running as a non-root user.
#
#   docker build -t subtitler-serve .
#   docker run --rm -p 127.0.0.1:8000:8000 -v subtitler-models:/models -v subtitler-cache:/cache subtitler-serve
#   docker run ... subtitler-serve -m small                      # another model (downloaded into /models at first start)
#   docker run ... -v /path/to/model:/model:ro subtitler-serve -m /model --offline   # a mounted model folder, no download
#   docker run ... -e SUBTITLER_API_KEY=secret subtitler-serve   # clients then send "Authorization: Bearer secret"
#
# Inside the container the server listens on 0.0.0.0 (the only way a published port reaches it);
# publish it on 127.0.0.1 as above unless an API key is set. The GUI (PySide6, pyqtgraph) is not installed.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY packaging/docker/server_requirements.py packaging/docker/
RUN python -m venv /opt/venv \
 && python packaging/docker/server_requirements.py pyproject.toml > /tmp/requirements.txt \
 && /opt/venv/bin/pip install --index-url https://download.pytorch.org/whl/cpu \
      "$(python packaging/docker/server_requirements.py --torch pyproject.toml)" \
 && /opt/venv/bin/pip install -r /tmp/requirements.txt
COPY subtitler ./subtitler
# --no-deps: the dependencies above are pyproject's minus the GUI; pip would otherwise pull PySide6.
RUN /opt/venv/bin/pip install --no-deps . \
 && /opt/venv/bin/python -c "import subtitler.service.app, subtitler.asr.engine, imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())"

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    SUBTITLER_MODELS_DIR=/models
RUN useradd --create-home --uid 10001 --user-group subtitler \
 && mkdir -p /models /cache \
 && chown subtitler:subtitler /models /cache
COPY --from=build /opt/venv /opt/venv
USER 10001:10001
WORKDIR /home/subtitler
VOLUME ["/models", "/cache"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=300s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
ENTRYPOINT ["subtitler", "serve", "--host", "0.0.0.0", "--port", "8000", "--cache-dir", "/cache"]
CMD ["-m", "base"]
