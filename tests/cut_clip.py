"""A short video with known cuts, made with ffmpeg from the shared jfk.mp4: the test pattern, then a
waveform picture of the same speech, then the pattern again (cuts at CUTS_MS). Audio is jfk's, unbroken."""

from __future__ import annotations

import subprocess
from pathlib import Path

from subtitler.media.ffmpeg_binary import find_ffmpeg

CUTS_MS = (4000, 8000)


def make_cut_clip(data_dir: Path, folder: Path) -> Path:
    out = folder / "cuts.mp4"
    if out.exists():
        return out
    graph = (
        "[0:v]split[v1][v2];[v1]trim=0:4,setpts=PTS-STARTPTS[a];[v2]trim=8:11.36,setpts=PTS-STARTPTS[c];"
        "[0:a]atrim=4:8,asetpts=PTS-STARTPTS,"
        "showwaves=s=320x240:mode=cline:rate=25:colors=yellow,format=yuv420p[b];"
        "[a][b][c]concat=n=3:v=1:a=0[v]"
    )
    cmd = [find_ffmpeg(), "-nostdin", "-loglevel", "error", "-y", "-i", str(data_dir / "jfk.mp4"),
           "-filter_complex", graph, "-map", "[v]", "-map", "0:a", "-c:v", "libx264", "-preset", "ultrafast",
           "-r", "25", "-c:a", "aac", "-shortest", str(out)]
    subprocess.run(cmd, check=True, capture_output=True)
    return out
