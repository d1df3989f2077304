"""``python -m bench load`` for a few seconds: real gunicorn, real logins, a tiny SQLite archive."""

import re
import socket

from bench.__main__ import main


def test_load_section_runs_every_kind_of_request_without_errors_and_stops_gunicorn(
    bench_archive, tmp_path, capsys
):
    url = bench_archive(60, repeat_share=0.0)

    main(
        [
            "load",
            "--database-url",
            url,
            "--users",
            "2",
            "--seconds",
            "3",
            "--think",
            "0",
            "--workers",
            "1",
            "--threads",
            "2",
            "--server-log",
            str(tmp_path / "gunicorn.log"),
        ]
    )
    output = capsys.readouterr().out

    # Not the latency target: this machine may be busy. What must hold anywhere:
    assert re.search(r"^no errors\s+0 of \d+ requests\s+0\s+PASS$", output, re.MULTILINE), output
    assert re.search(r"^every kind of request ran\s+yes\s+all\s+PASS$", output, re.MULTILINE)
    for kind in ("login", "search", "search \\+ filters", "article", "region page", "regions list"):
        count = re.search(rf"^{kind}\s+([\d,]+)\s+0\s", output, re.MULTILINE)
        assert count and int(count.group(1).replace(",", "")) >= 2, (kind, output)
    assert "60 articles; bench editor 'bench-load' ready" in output

    port = int(re.search(r"gunicorn answering at http://127\.0\.0\.1:(\d+)", output).group(1))
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "gunicorn is still listening"
