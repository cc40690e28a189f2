"""Speech recognition inside the editor: the settings dialog, the worker thread, the controller, and the job's undo command.

job        the job description, the engine cache and the undo command (no Qt)
worker     runs one job on a QThread and streams its cues
controller starts jobs and feeds their cues into the document
dialog     asks how to transcribe and remembers the answer (choice.py), its decoding settings built from
           subtitler.asr.option_specs (option_fields.py) with the rarer ones under Advanced settings (advanced.py)
"""
