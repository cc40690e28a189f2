"""The `ffmpeg -i` report parser, on reports captured from ffmpeg (see reports/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from subtitler.media.ffprobe_json import media_info_from_json
from subtitler.media.info import AudioStream, VideoStream
from subtitler.media.report_parser import layout_channels, parse_ffmpeg_report, split_fields

REPORTS = Path(__file__).parent / "reports"
P = Path("/media/x")


def parse(name: str):
    return parse_ffmpeg_report((REPORTS / name).read_text(), P)


def test_multi_audio_mkv_lists_every_track_with_language_and_title():
    info = parse("multi_audio_mkv.txt")
    assert info.format_name == "matroska,webm"
    assert info.duration_s == pytest.approx(5.16)
    assert info.audio_streams == (
        AudioStream(1, 0, "aac", 1, 44100, "eng", None),
        AudioStream(2, 1, "aac", 1, 24000, "deu", "German dub, commentary"),
        AudioStream(3, 2, "aac", 6, 16000, None, None),
    )
    assert info.video_streams == (VideoStream(0, "h264", 320, 240, 25.0),)


def test_multi_audio_mp4_with_hex_ids_and_undetermined_language():
    info = parse("multi_audio_mp4.txt")
    assert [(a.index, a.position, a.codec, a.sample_rate, a.language) for a in info.audio_streams] == [
        (1, 0, "mp3", 24000, None),
        (2, 1, "aac", 44100, None),
    ]
    assert info.has_video


def test_video_without_audio():
    info = parse("video_no_audio_mp4.txt")
    assert not info.has_audio and info.has_video
    assert info.duration_s == pytest.approx(11.36)


def test_wav_with_guessed_layout_line_before_input():
    info = parse("stereo_wav.txt")
    assert info.audio_streams == (AudioStream(0, 0, "pcm_s16le", 2, 16000, None, None),)
    assert not info.has_video


def test_cover_art_is_not_a_video_and_its_title_is_not_the_audio_title():
    info = parse("mp3_cover_art.txt")
    assert not info.has_video
    assert info.audio_streams[0].title is None
    assert info.duration_s == pytest.approx(59.9)


def test_not_media_report_gives_none():
    assert parse("not_media.txt") is None


def test_older_style_movie_report():
    info = parse("handwritten_ffmpeg4_style_movie.txt")
    assert info.duration_s == pytest.approx(7083.42)
    assert [(a.codec, a.channels, a.language, a.title) for a in info.audio_streams] == [
        ("ac3", 6, "eng", "Surround 5.1"),
        ("dts", 8, "fre", None),
        ("opus", 3, None, "Director's commentary: part 1, part 2"),
    ]
    assert info.video_streams == (VideoStream(0, "h264", 1920, 1080, 23.98),)


def test_duration_not_available():
    text = "Input #0, mpegts, from 'live.ts':\n  Duration: N/A, start: 1.4\n  Stream #0:0: Audio: aac, 48000 Hz, stereo\n"
    info = parse_ffmpeg_report(text, P)
    assert info.duration_s is None and info.audio_streams[0].channels == 2


@pytest.mark.parametrize(
    "layout, channels",
    [("mono", 1), ("stereo", 2), ("5.1(side)", 6), ("7.1", 8), ("quad", 4), ("2.1", 3), ("3 channels", 3),
     ("22.2", 24), ("weird", 0)],
)
def test_layout_channels(layout, channels):
    assert layout_channels(layout) == channels


def test_split_fields_keeps_parentheses_whole():
    assert split_fields("h264 (High), yuv420p(tv, bt709), 1920x1080 [SAR 1:1, x], 25 fps") == [
        "h264 (High)", "yuv420p(tv, bt709)", "1920x1080 [SAR 1:1, x]", "25 fps",
    ]


def test_ffprobe_json():
    data = {
        "format": {"format_name": "matroska,webm", "duration": "5.160000"},
        "streams": [
            {"index": 0, "codec_type": "video", "codec_name": "h264", "width": 320, "height": 240,
             "avg_frame_rate": "25/1"},
            {"index": 1, "codec_type": "audio", "codec_name": "aac", "channels": 1, "sample_rate": "44100",
             "tags": {"language": "und"}},
            {"index": 2, "codec_type": "audio", "codec_name": "opus", "channels": 6, "sample_rate": "48000",
             "tags": {"language": "deu", "TITLE": "Kommentar"}},
            {"index": 3, "codec_type": "video", "codec_name": "png", "disposition": {"attached_pic": 1}},
        ],
    }
    info = media_info_from_json(data, P)
    assert info.duration_s == pytest.approx(5.16)
    assert info.audio_streams == (
        AudioStream(1, 0, "aac", 1, 44100, None, None),
        AudioStream(2, 1, "opus", 6, 48000, "deu", "Kommentar"),
    )
    assert info.video_streams == (VideoStream(0, "h264", 320, 240, 25.0),)
