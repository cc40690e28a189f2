"""Speaker diarization (who speaks when) and speaker labels on words, all without Qt.

``diarize`` (diarize.py) yields speaker turns; ``words`` puts them on transcribed words so a
speaker change never falls inside a word; ``rttm`` reads and writes the NIST turn format.
"""

from subtitler.asr.speakers.clustering import ClusterOptions, SpeakerCount
from subtitler.asr.speakers.diarize import DiarizationOptions, SpeakerTurn, diarize, speaker_name

__all__ = ["ClusterOptions", "DiarizationOptions", "SpeakerCount", "SpeakerTurn", "diarize", "speaker_name"]
