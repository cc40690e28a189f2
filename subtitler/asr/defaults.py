"""The transcription defaults, in one place: ``TranscribeOptions`` takes its field defaults from here.

The command line and the editor both start from ``TranscribeOptions()`` (and describe each setting through
``subtitler.asr.option_specs``), so they cannot drift apart; this module has no imports so that
``subtitler --help`` can print the defaults without loading torch.

Decoding: beam search 5 at temperature 0, and 5 samples per window when the temperature fallback decodes
hotter (``best_of``): the peers' command-line default, chosen by measurement. ``benchmarks/bench_accuracy.py``
(see benchmarks/README.md) with every guard on found beam 5 better than greedy on the long-form programme
with both models and on base's clips, and tied with the best peer on tiny.en's clips; on ordinary speech
it costs about 1.3x greedy. ``--beam-size off --best-of off`` (unticked in the editor) is greedy. Live captions stay greedy
(subtitler.asr.streaming): there every decode is on the clock. The prompt from previous text is reset after a
window decoded hotter than 0.5 (openai-whisper's ``prompt_reset_on_temperature``).
"""

# Decoding
TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)  # tried in turn until a window's text passes the checks below
BEAM_SIZE: int | None = 5  # beams at temperature 0 (None: greedy)
BEST_OF: int | None = 5  # samples per window above temperature 0 (None: one)
PATIENCE: float | None = None  # beam search: stop after beam_size x patience finished candidates (None: 1)
LENGTH_PENALTY: float | None = None  # None: rank candidates by log probability per token
COMPRESSION_RATIO_THRESHOLD = 2.4  # above: the text repeats itself, retry hotter
LOGPROB_THRESHOLD = -1.0  # below: the model is unsure, retry hotter
NO_SPEECH_THRESHOLD = 0.6  # above (and unsure): the window is silence
CONDITION_ON_PREVIOUS_TEXT = True
PROMPT_RESET_ON_TEMPERATURE = 0.5  # a window decoded hotter than this does not prompt the next
SAMPLING_SEED: int | None = 0  # the fallback's samples are drawn from this seed, per window: the same media and settings give the same transcript (None: a new draw every run, as openai-whisper)
WORD_TIMESTAMPS = True
WORD_TIMING = "refined"  # word edges moved out of pauses by the audio; "reference": openai-whisper's exactly
VAD_FILTER = False  # decode only where the voice-activity model hears speech
SUPPRESS_TOKENS: str | None = "-1"  # token ids never emitted; -1: the non-speech symbols
SUPPRESS_BLANK = True  # a window never starts with a blank
MAX_INITIAL_TIMESTAMP: float | None = 1.0  # seconds; a window's first segment starts within this
BATCH_SIZE: int | None = None  # chunks decoded at once by the batched long-form mode (None: sequential, previous text as prompt)
LANGUAGE_PER_WINDOW = True  # with no language given, detect it per window (mixed-language media)

# Guards against invented text (subtitler.asr.hallucination); each can be switched off
MAX_REPEATS = 3  # the same segment text at most this often in a row
REPEAT_LOOKBACK = 10  # segments of recent text a new segment must not replay
REPEAT_MIN_WORDS = 4  # shorter texts may recur ("Okay.")
DROP_REPETITIVE = True  # looping segments of a window no temperature made less repetitive are dropped
RETRY_REPLAYS = True  # a window that replays recent text (or writes only a stock phrase, or nothing, over speech) is decoded again without the previous text as prompt; one that turns to repeating its new text is cut there
SPEECH_THRESHOLD = 0.2  # voice-activity probability below which a stretch yields no words (None: off)
DROP_FILLERS = True  # known filler phrases ("Thank you.", "Subtitles by ...") are dropped on non-speech
HALLUCINATION_SILENCE_THRESHOLD: float | None = None  # seconds; skip silence around suspicious segments (None: off)
REDECODE_SKIPPED = True  # a window whose text starts after clear speech it left out is decoded again, ending where its text starts (batched: clear speech a chunk's text leaves out is decoded as a chunk of its own)
REPAIR_WORD_TIMES = True  # words the alignment put outside their segment are re-timed inside it; the next window starts by the timestamps
