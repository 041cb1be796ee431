"""The ``pbplatform tally`` command."""

from __future__ import annotations

import json

from pbplatform.tally.cli import main

FILE = """META
key;value
budget;100
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name
a;60;Park
b;50;Bench
c;30;Trees
VOTES
voter_id;vote
1;a,b
2;a
3;b,c
4;a
"""


def test_json_output(tmp_path, capsys) -> None:
    path = tmp_path / "e.pb"
    path.write_text(FILE)
    assert main(["tally", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rule"] == "greedy"
    assert data["selected"] == ["a", "c"]
    assert data["spent"] == 90
    first = data["projects"][0]
    assert set(first) >= {"id", "cost", "score", "selected", "rank", "explanation"}
    assert data["projects"][1]["explanation"] == "did not fit: 40 left, costs 50"


def test_table_and_rule_option(tmp_path, capsys) -> None:
    path = tmp_path / "e.pb"
    path.write_text(FILE)
    assert main(["tally", str(path), "--rule", "equalshares"]) == 0
    out = capsys.readouterr().out
    assert "rule: equalshares" in out
    assert "budget: 100" in out


def test_errors_exit_2(tmp_path, capsys) -> None:
    path = tmp_path / "bad.pb"
    path.write_text(FILE.replace("c;30;Trees", "c;3x;Trees"))
    assert main(["tally", str(path)]) == 2
    assert "line 10" in capsys.readouterr().err
    assert main(["tally", str(path), "--rule", "greedy-custom"]) == 2


def test_check_needs_a_recorded_outcome_and_says_when_a_file_cannot_reproduce(
    tmp_path, capsys
) -> None:
    from pbplatform.tally.count import count
    from pbplatform.tally.io import published
    from pbplatform.tally.io.pabulib import read_pabulib

    path = tmp_path / "e.pb"
    path.write_text(FILE)
    assert main(["tally", str(path), "--check"]) == 1
    assert "records no published outcome" in capsys.readouterr().out
    # A file that records its outcome reproduces it ...
    outcome = count(read_pabulib(str(path))).to_dict()
    record = "".join(
        f'{k};"{v.replace(chr(34), 2 * chr(34))}"\n'
        for k, v in published.published_meta(outcome).items()
    )
    path.write_text(FILE.replace("rule;greedy\n", "rule;greedy\n" + record))
    assert main(["tally", str(path), "--check"]) == 0
    assert capsys.readouterr().out == "reproduced\n"
    # ... and one the export marks as incomplete never passes, loudly.
    path.write_text(
        FILE.replace("rule;greedy\n", "rule;greedy\nrecount;incomplete: why\n" + record)
    )
    assert main(["tally", str(path), "--check"]) == 1
    assert "cannot reproduce" in capsys.readouterr().out
    assert main(["tally", str(path)]) == 0
    assert "NOT REPRODUCED" in capsys.readouterr().err
