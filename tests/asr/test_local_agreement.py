"""The LocalAgreement-2 bookkeeping: what is committed, what stays tentative, what is recognised as a repeat."""

from __future__ import annotations

from subtitler.asr.alignment import WordTiming
from subtitler.asr.local_agreement import LocalAgreement


def hyp(*items: tuple[str, float, float]) -> list[WordTiming]:
    return [WordTiming(w, s, e, 0.9) for w, s, e in items]


def texts(words) -> list[str]:
    return [w.word for w in words]


def test_first_hypothesis_commits_nothing_and_is_all_tentative() -> None:
    la = LocalAgreement()
    assert la.insert(hyp((" and", 0.0, 0.3), (" so", 0.3, 0.6))) == []
    assert texts(la.tentative) == [" and", " so"]


def test_commits_the_longest_common_prefix_with_the_newer_timings() -> None:
    la = LocalAgreement()
    la.insert(hyp((" and", 0.0, 0.3), (" so", 0.3, 0.6), (" my", 0.6, 0.8)))
    committed = la.insert(hyp((" and", 0.0, 0.35), (" so", 0.35, 0.62), (" by", 0.62, 0.9), (" fellow", 0.9, 1.2)))
    assert texts(committed) == [" and", " so"]
    assert committed[0].end == 0.35  # the newer decode heard more audio around the word
    assert texts(la.tentative) == [" by", " fellow"]
    assert la.last_commit_end == 0.62


def test_punctuation_difference_blocks_agreement() -> None:
    la = LocalAgreement()
    la.insert(hyp((" country", 0.0, 0.5),))
    assert la.insert(hyp((" country.", 0.0, 0.5),)) == []


def test_committed_words_decoded_again_are_not_committed_twice() -> None:
    la = LocalAgreement()
    la.insert(hyp((" ask", 0.0, 0.3), (" not", 0.3, 0.6)))
    assert texts(la.insert(hyp((" ask", 0.0, 0.3), (" not", 0.3, 0.6), (" what", 0.6, 0.9)))) == [" ask", " not"]
    # the buffer still holds "ask not"; it comes back slightly shifted and with other punctuation
    third = la.insert(hyp((" Ask", 0.0, 0.3), (" not,", 0.55, 0.62), (" what", 0.62, 0.9), (" your", 0.9, 1.1)))
    assert texts(third) == [" what"]  # agrees with the second hypothesis' tentative " what"; "not," is the repeat
    assert texts(la.tentative) == [" your"]
    assert texts(la.insert(hyp((" not", 0.3, 0.6), (" what", 0.62, 0.9), (" your", 0.9, 1.2)))) == [" your"]


def test_commit_all_takes_the_final_hypothesis_and_clears_tentative() -> None:
    la = LocalAgreement()
    la.insert(hyp((" you", 0.0, 0.3),))
    assert texts(la.commit_all(hyp((" you.", 0.0, 0.3), (" Ask", 0.4, 0.6)))) == [" you.", " Ask"]
    assert la.tentative == ()


def test_commit_before_and_forget_before_bound_what_is_kept() -> None:
    la = LocalAgreement()
    la.insert(hyp((" a", 0.0, 1.0), (" b", 1.0, 2.0), (" c", 2.0, 3.0)))
    assert texts(la.commit_before(2.0)) == [" a", " b"]
    assert texts(la.tentative) == [" c"]
    la.forget_before(1.0)
    assert texts(la.committed_in_buffer) == [" b"]
    la.reset()
    assert la.committed_in_buffer == () and la.tentative == ()
