"""Silero VAD's 16-kHz network, evaluated over whole sequences of frames instead of one frame per call.

Why our own evaluation of Silero's weights: the TorchScript model in the ``silero-vad`` wheel takes one
32-ms frame per call and keeps its recurrent state inside itself, so a minute of audio costs 1,875
interpreted calls (about 0.5 ms each on one core). It dominated short transcriptions: on the benchmark's
English set with tiny.en, voice activity took 1.8 s of 6.5. Only the last layer is recurrent: the STFT and
the four convolutions see one frame (and the 64 samples before it) at a time. So they run here for every
frame at once, and the LSTM runs over the whole sequence in a single ``torch.lstm`` call: the same
arithmetic, with the same weights, read from the installed model (they are not copied into our tree).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

FRAME_SAMPLES = 512  # what the 16-kHz network reads per step
CONTEXT_SAMPLES = 64  # the samples before a frame that the network also sees
SLICE_FRAMES = 4096  # frames through the convolutions at once (~40 MB of activations)


class SileroSequence:
    """Speech probabilities for a batch of independent streams, each read from a fresh recurrent state.

    Equivalent to resetting Silero's model and feeding it ``x[:, k*512:(k+1)*512]`` for k = 0, 1, ...
    """

    def __init__(self, jit_model: torch.nn.Module) -> None:
        state = {name: value.detach().clone() for name, value in jit_model._model.state_dict().items()}
        self.basis = state["stft.forward_basis_buffer"]  # (258, 1, 256): the real and imaginary STFT kernels
        self.hop = int(jit_model._model.stft.hop_length)
        self.bins = self.basis.shape[0] // 2
        self.convs = [(state[f"encoder.{i}.reparam_conv.weight"], state[f"encoder.{i}.reparam_conv.bias"], stride)
                      for i, stride in enumerate((1, 2, 2, 1))]
        self.lstm = [state["decoder.rnn.weight_ih"], state["decoder.rnn.weight_hh"],
                     state["decoder.rnn.bias_ih"], state["decoder.rnn.bias_hh"]]
        self.hidden = self.lstm[1].shape[1]
        self.out_weight = state["decoder.decoder.2.weight"][:, :, 0]  # (1, 128)
        self.out_bias = state["decoder.decoder.2.bias"]

    def __call__(self, x: torch.Tensor, check: Callable[[], None] = lambda: None) -> torch.Tensor:
        """``x``: (streams, steps * 512) float32 samples; returns (streams, steps) probabilities.

        ``check`` is called between slices of frames (it may raise to stop a long file)."""
        return self.recurrent(self.features(x, check))

    @torch.no_grad()
    def features(self, x: torch.Tensor, check: Callable[[], None] = lambda: None) -> torch.Tensor:
        """The per-frame part, every frame at once: (streams, steps * 512) samples -> (steps, streams, 128).

        Large batched products: they use every thread torch has."""
        streams, samples = x.shape
        steps = samples // FRAME_SAMPLES
        if steps == 0:
            return torch.zeros(0, streams, self.hidden)
        # Each frame with the 64 samples before it (zeros before a stream's first frame), as the model's context.
        windows = F.pad(x[:, : steps * FRAME_SAMPLES], (CONTEXT_SAMPLES, 0)).unfold(
            1, CONTEXT_SAMPLES + FRAME_SAMPLES, FRAME_SAMPLES).reshape(streams * steps, -1)
        slices = []
        for i in range(0, len(windows), SLICE_FRAMES):
            check()
            slices.append(self.frame_features(windows[i: i + SLICE_FRAMES]))
        return torch.cat(slices).reshape(streams, steps, -1).transpose(0, 1).contiguous()

    @torch.no_grad()
    def recurrent(self, features: torch.Tensor) -> torch.Tensor:
        """The LSTM and the output layer over (steps, streams, 128) features -> (streams, steps) probabilities.

        Thousands of tiny sequential steps: run it on one thread (see subtitler.asr.vad.one_thread)."""
        steps, streams, _ = features.shape
        if steps == 0:
            return torch.zeros(streams, 0)
        zeros = torch.zeros(1, streams, self.hidden)
        hidden, _, _ = torch.lstm(features, (zeros, zeros), self.lstm, has_biases=True, num_layers=1,
                                  dropout=0.0, train=False, bidirectional=False, batch_first=False)
        logits = F.linear(torch.relu(hidden), self.out_weight, self.out_bias)[..., 0]  # (steps, streams)
        return torch.sigmoid(logits).transpose(0, 1)

    def frame_features(self, windows: torch.Tensor) -> torch.Tensor:
        """(frames, 576) samples -> (frames, 128): the STFT magnitude through the four convolutions."""
        padded = F.pad(windows[:, None], (0, CONTEXT_SAMPLES), mode="reflect")
        spectrum = F.conv1d(padded, self.basis, stride=self.hop)
        x = torch.sqrt(spectrum[:, : self.bins] ** 2 + spectrum[:, self.bins:] ** 2)
        for weight, bias, stride in self.convs:
            x = torch.relu(F.conv1d(x, weight, bias, stride=stride, padding=1))
        return x[:, :, 0]
