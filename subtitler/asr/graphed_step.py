"""Decoding steps with fixed shapes, replayed as CUDA graphs on a GPU.

On a GPU one decoding step is little arithmetic spread over hundreds of kernel launches
(large-v3: 32 layers of about fifteen kernels each), and launching them one by one from Python
takes longer than running them. A CUDA graph records one step's kernels once and replays them
with a single launch. A graph replays fixed shapes at fixed addresses, so the step here

- attends over the whole self-attention buffer of the cache (the decoder's text context, which
  :class:`subtitler.asr.model._LayerCache` allocates once) under a mask, instead of over the
  filled part, whose length grows every step;
- writes the new keys/values at a position held in a tensor, and takes the token and the
  position from buffers it owns;
- records a graph again only when the cache's buffers move (a new window, or the batch of
  running rows shrinking), and keeps no graph but the last.

:class:`StaticSteps` runs the same step eagerly wherever no graph can be recorded (the CPU), so
that the tests can hold it to the ordinary step (``Whisper.logits``) on the CPU. The graphs
themselves (``torch.cuda.CUDAGraph``) need a CUDA device. The environment variable
``SUBTITLER_CUDA_GRAPHS=0`` turns them off; the model then decodes with the ordinary step.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable

import torch
from torch import Tensor

from subtitler.asr.model import KVCache

StepFunction = Callable[[Tensor, Tensor, KVCache], Tensor]


def cuda_graphs_wanted(device: torch.device) -> bool:
    """Whether decoding on ``device`` should replay its steps as CUDA graphs."""
    return device.type == "cuda" and os.environ.get("SUBTITLER_CUDA_GRAPHS", "1") != "0"


def decoding_steps(model) -> StepFunction:
    """What a decoding loop calls for one new token per row: ``(tokens [B, 1], features, cache) -> logits``.

    ``model.step_mode`` picks it: "graph" replays CUDA graphs, "static" runs the graph's fixed-shape step
    eagerly, anything else the ordinary step.
    """
    mode = getattr(model, "step_mode", "eager")
    if mode == "graph":
        return StaticSteps(model, record_graphs=True)
    if mode == "static":
        return StaticSteps(model, record_graphs=False)
    return model.logits


class StaticSteps:
    """One-token decoding steps over fixed shapes, one instance per decoded batch of windows.

    Called like ``model.logits(tokens[:, -1:], features, cache)`` once the cache holds the start sequence;
    it keeps the cache's ``offset`` and lengths as that would.
    """

    def __init__(self, model, record_graphs: bool) -> None:
        self.model = model
        self.record_graphs = record_graphs
        self._key: tuple[int, ...] | None = None
        self._tokens: Tensor | None = None  # [B, 1], the graph's input
        self._position: Tensor | None = None  # [1]
        self._columns: Tensor | None = None  # [capacity]: 0, 1, ... for the mask
        self._cache: KVCache | None = None
        self._graph = None
        self._logits: Tensor | None = None  # the graph's output

    def __call__(self, tokens: Tensor, audio_features: Tensor, kv_cache: KVCache) -> Tensor:
        if tokens.shape[1] != 1:
            raise ValueError("StaticSteps decodes one new token per row; the start sequence goes through Whisper.logits")
        layers = kv_cache.layers
        position = kv_cache.offset
        if layers[0].keys is None or layers[0].cross_k is None or any(layer.length != position for layer in layers):
            raise ValueError("StaticSteps needs a cache that already holds the start sequence")
        if position >= layers[0].capacity:
            raise ValueError(f"token sequence too long: {position + 1} > {layers[0].capacity}")
        key = self._buffers_key(tokens, kv_cache)
        buffers_moved = key != self._key
        if buffers_moved:
            self._bind(tokens, kv_cache, key)
        self._tokens.copy_(tokens)
        self._position.fill_(position)
        if buffers_moved and self.record_graphs:
            logits = self._record()
        elif self._graph is not None:
            self._graph.replay()
            logits = self._logits.clone()  # the next replay writes over the graph's output
        else:
            logits = self._step(kv_cache)
        for layer in layers:
            layer.length += 1
        kv_cache.offset += 1
        return logits

    @staticmethod
    def _buffers_key(tokens: Tensor, kv_cache: KVCache) -> tuple[int, ...]:
        """Where every tensor the step reads and writes lives: a graph recorded over other addresses is stale."""
        key = [tokens.shape[0]]
        for layer in kv_cache.layers:
            key += [layer.keys.data_ptr(), layer.values.data_ptr(), layer.cross_k.data_ptr(), layer.cross_v.data_ptr()]
        return tuple(key)

    def _bind(self, tokens: Tensor, kv_cache: KVCache, key: tuple[int, ...]) -> None:
        """New buffers for these rows; the unfilled positions of the cache are zeroed (masked, but never read as NaN)."""
        self._graph, self._logits = None, None
        self._key = key
        self._cache = kv_cache
        device = tokens.device
        self._tokens = torch.zeros_like(tokens)
        self._position = torch.zeros(1, dtype=torch.long, device=device)
        self._columns = torch.arange(kv_cache.layers[0].capacity, device=device)
        for layer in kv_cache.layers:
            layer.keys[:, :, layer.length:].zero_()
            layer.values[:, :, layer.length:].zero_()

    def _record(self) -> Tensor:
        """Run this step on a side stream (libraries set themselves up outside the graph), then record it."""
        kv_cache = self._cache
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            logits = self._step(kv_cache)  # this step's real result: the recording below computes nothing
        torch.cuda.current_stream().wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        try:
            # thread_local: the editor's other threads may use the GPU meanwhile (the recording refuses only this one's)
            with torch.cuda.graph(graph, capture_error_mode="thread_local"):
                self._logits = self._step(kv_cache)
        except RuntimeError as error:  # a kernel this torch/driver cannot record: the same steps, launched one by one
            warnings.warn(f"CUDA graphs are off for this decode ({error}); decoding goes on without them", RuntimeWarning)
            self.record_graphs, self._logits = False, None
            return logits
        self._graph = graph
        return logits

    def _step(self, kv_cache: KVCache) -> Tensor:
        """The decoder on ``self._tokens`` at ``self._position``: fixed shapes, no reads back to the host."""
        model = self.model
        decoder = model.decoder
        x = decoder.token_embedding(self._tokens).to(decoder.positions.dtype)
        x = (x + decoder.positions.index_select(0, self._position)).to(model.dtype)
        visible = (self._columns <= self._position).view(1, 1, 1, -1)  # the filled positions and this one
        for layer, cache in zip(decoder.layers, kv_cache.layers):
            x = layer(x, (cache.cross_k, cache.cross_v), visible, _AtPosition(cache, self._position))
        return decoder.project(x)


class _AtPosition:
    """A layer's cache as ``DecoderLayer.forward`` appends to it, at a position held in a tensor: the new keys/values
    are written there and the whole buffer is attended (under the caller's mask), so that every shape is fixed."""

    def __init__(self, cache, position: Tensor) -> None:
        self.cache, self.position = cache, position

    def append(self, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        self.cache.keys.index_copy_(2, self.position, k)
        self.cache.values.index_copy_(2, self.position, v)
        return self.cache.keys, self.cache.values
