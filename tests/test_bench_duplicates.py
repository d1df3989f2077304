"""``python -m bench duplicates`` on a tiny SQLite archive: every phase runs to its report."""

import re

from bench.__main__ import main


def test_duplicates_section_measures_every_phase_and_rolls_back(bench_archive, capsys):
    url = bench_archive(80, repeat_share=0.0, near_share=0.2)

    main(
        [
            "duplicates",
            "--database-url",
            url,
            "--in-place",
            "--new-articles",
            "30",
            "--pairs",
            "2",
            "--workers",
            "1",
        ]
    )
    output = capsys.readouterr().out

    # Not the speed targets (this machine may be busy): that each phase ran and reported.
    assert "exited with status" not in output, output
    assert re.search(r"whole archive: 80 active articles, .* [1-9][\d,]* candidates", output)
    hook = re.search(
        r"new articles: 30 created in \d+ batches, .*planted near-duplicates "
        r"paired with their original: (\d+) of (\d+);.*rolled back: True",
        output,
    )
    assert hook, output
    assert hook.group(1) == hook.group(2) != "0"
    assert re.search(r"merge: p50 .*\(2 pairs, .*restored: True\)", output), output
