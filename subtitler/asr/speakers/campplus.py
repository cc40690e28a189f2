"""CAM++, the speaker encoder: 80 filter banks in, one 192-dimensional voice embedding out.

CAM++ (Wang et al., "CAM++: A Fast and Efficient Network for Speaker Verification Using
Context-Aware Masking", Interspeech 2023; 3D-Speaker, Apache-2.0) is a 2-D convolutional front
end followed by densely connected time-delay layers whose outputs are gated by a context mask
(mean over the utterance plus a 100-frame segment mean), statistics pooling and a linear layer.
Written here from the paper and the checkpoint's shapes, as the Whisper model is, so that only
the weights come from the package that ships them. Parameter names follow the checkpoint so it
loads key by key with shape checks.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import Tensor, nn

EMBEDDING_SIZE = 192
SEGMENT_FRAMES = 100  # the context mask's local pooling span (1 s of frames after the front end)


def _bn_relu(channels: int) -> nn.Sequential:
    return nn.Sequential(OrderedDict(batchnorm=nn.BatchNorm1d(channels), relu=nn.ReLU()))


class _ResidualBlock(nn.Module):
    """Two 3x3 convolutions with a shortcut; stride 2 along frequency halves the bands."""

    def __init__(self, channels: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, stride=(stride, 1), padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.shortcut = nn.Sequential()
        if stride != 1:
            self.shortcut = nn.Sequential(nn.Conv2d(channels, channels, 1, stride=(stride, 1), bias=False), nn.BatchNorm2d(channels))

    def forward(self, x: Tensor) -> Tensor:
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(out + self.shortcut(x))


class _FrontEnd(nn.Module):
    """(batch, bands, frames) -> (batch, 32 * bands / 8, frames): local time-frequency patterns."""

    def __init__(self, bands: int = 80, channels: int = 32) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.layer1 = nn.Sequential(_ResidualBlock(channels, 2), _ResidualBlock(channels, 1))
        self.layer2 = nn.Sequential(_ResidualBlock(channels, 2), _ResidualBlock(channels, 1))
        self.conv2 = nn.Conv2d(channels, channels, 3, stride=(2, 1), padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.out_channels = channels * (bands // 8)

    def forward(self, x: Tensor) -> Tensor:
        out = F.relu(self.bn1(self.conv1(x.unsqueeze(1))))
        out = self.layer2(self.layer1(out))
        out = F.relu(self.bn2(self.conv2(out)))
        return out.flatten(1, 2)


class _Tdnn(nn.Module):
    def __init__(self, channels_in: int, channels_out: int, kernel: int, stride: int) -> None:
        super().__init__()
        self.linear = nn.Conv1d(channels_in, channels_out, kernel, stride=stride, padding=kernel // 2, bias=False)
        self.nonlinear = _bn_relu(channels_out)

    def forward(self, x: Tensor) -> Tensor:
        return self.nonlinear(self.linear(x))


class _ContextMask(nn.Module):
    """A local convolution gated by what the whole utterance and the surrounding second sound like."""

    def __init__(self, channels_in: int, channels_out: int, kernel: int, dilation: int) -> None:
        super().__init__()
        self.linear_local = nn.Conv1d(channels_in, channels_out, kernel, padding=(kernel - 1) // 2 * dilation,
                                      dilation=dilation, bias=False)
        self.linear1 = nn.Conv1d(channels_in, channels_in // 2, 1)
        self.linear2 = nn.Conv1d(channels_in // 2, channels_out, 1)

    def forward(self, x: Tensor) -> Tensor:
        frames = x.shape[-1]
        segments = F.avg_pool1d(x, SEGMENT_FRAMES, SEGMENT_FRAMES, ceil_mode=True)
        local = segments.repeat_interleave(SEGMENT_FRAMES, dim=-1)[..., :frames]
        context = x.mean(dim=-1, keepdim=True) + local
        return self.linear_local(x) * torch.sigmoid(self.linear2(F.relu(self.linear1(context))))


class _DenseLayer(nn.Module):
    def __init__(self, channels_in: int, growth: int, bottleneck: int, kernel: int, dilation: int) -> None:
        super().__init__()
        self.nonlinear1 = _bn_relu(channels_in)
        self.linear1 = nn.Conv1d(channels_in, bottleneck, 1, bias=False)
        self.nonlinear2 = _bn_relu(bottleneck)
        self.cam_layer = _ContextMask(bottleneck, growth, kernel, dilation)

    def forward(self, x: Tensor) -> Tensor:
        return self.cam_layer(self.nonlinear2(self.linear1(self.nonlinear1(x))))


class _DenseBlock(nn.Module):
    """Each layer sees every earlier layer's output (concatenated along channels)."""

    def __init__(self, layers: int, channels_in: int, growth: int, bottleneck: int, kernel: int, dilation: int) -> None:
        super().__init__()
        for k in range(layers):
            self.add_module(f"tdnnd{k + 1}", _DenseLayer(channels_in + k * growth, growth, bottleneck, kernel, dilation))

    def forward(self, x: Tensor) -> Tensor:
        for layer in self.children():
            x = torch.cat([x, layer(x)], dim=1)
        return x


class _Transit(nn.Module):
    def __init__(self, channels_in: int, channels_out: int) -> None:
        super().__init__()
        self.nonlinear = _bn_relu(channels_in)
        self.linear = nn.Conv1d(channels_in, channels_out, 1, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        return self.linear(self.nonlinear(x))


class _StatsPool(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([x.mean(dim=-1), x.std(dim=-1, unbiased=True)], dim=-1)


class _Embedding(nn.Module):
    """Pooled statistics -> embedding, standardised by a batch norm without scale or shift."""

    def __init__(self, channels_in: int, size: int) -> None:
        super().__init__()
        self.linear = nn.Conv1d(channels_in, size, 1, bias=False)
        self.nonlinear = nn.Sequential(OrderedDict(batchnorm=nn.BatchNorm1d(size, affine=False)))

    def forward(self, x: Tensor) -> Tensor:
        return self.nonlinear(self.linear(x.unsqueeze(-1)).squeeze(-1))


class CamPlusPlus(nn.Module):
    """The network; ``forward`` takes (batch, frames, 80) mean-normalised filter banks."""

    BLOCKS = ((12, 3, 1), (24, 3, 2), (16, 3, 2))  # (layers, kernel, dilation)

    def __init__(self, bands: int = 80, size: int = EMBEDDING_SIZE, growth: int = 32, init_channels: int = 128) -> None:
        super().__init__()
        self.head = _FrontEnd(bands)
        layers: list[tuple[str, nn.Module]] = [("tdnn", _Tdnn(self.head.out_channels, init_channels, 5, stride=2))]
        channels = init_channels
        for k, (count, kernel, dilation) in enumerate(self.BLOCKS, start=1):
            layers.append((f"block{k}", _DenseBlock(count, channels, growth, 4 * growth, kernel, dilation)))
            channels += count * growth
            layers.append((f"transit{k}", _Transit(channels, channels // 2)))
            channels //= 2
        layers += [("out_nonlinear", _bn_relu(channels)), ("stats", _StatsPool()), ("dense", _Embedding(2 * channels, size))]
        self.xvector = nn.Sequential(OrderedDict(layers))

    def forward(self, features: Tensor) -> Tensor:
        return self.xvector(self.head(features.transpose(1, 2)))
