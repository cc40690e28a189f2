"""The timeline: waveform, spectrogram, cue regions and playhead over one time axis (seconds)."""
