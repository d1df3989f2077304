"""The compare page's differences (duplicates.diff): pure functions, no database."""

from duplicates import diff


def test_word_diff_marks_only_the_words_that_changed():
    left, right = diff.word_diff(
        "Israeli strike kills 5 in Gaza City", "Israeli strikes kill 7 in Gaza City"
    )
    assert left == "Israeli <del>strike kills 5</del> in Gaza City"
    assert right == "Israeli <ins>strikes kill 7</ins> in Gaza City"


def test_word_diff_escapes_before_marking():
    left, right = diff.word_diff('He said "no" & <left>', 'He said "yes" & <b>left</b>')
    assert "<left>" not in left and "<b>" not in right
    assert left == "He said &quot;<del>no</del>&quot; &amp; &lt;left&gt;"
    assert right.startswith("He said &quot;<ins>yes</ins>&quot; &amp; &lt;")
    assert "<ins>b&gt;</ins>" in right or "<ins>" in right


def test_paragraphs_added_removed_changed_and_the_same():
    a = ["Lead paragraph.", "Background that stays.", "A paragraph that was cut.", "Ending."]
    b = [
        "GENEVA (AP) — Lead paragraph.",
        "Background that stays.",
        "Ending.",
        "A new paragraph at the end, with reaction.",
    ]
    rows = diff.diff_lines(a, b)
    assert [row.kind for row in rows] == ["changed", "same", "removed", "same", "added"]
    assert rows[0].right == "<ins>GENEVA (AP) —</ins> Lead paragraph."
    assert rows[2].left == "A paragraph that was cut." and rows[2].right is None
    assert rows[4].left is None
    assert diff.summary(rows) == {"same": 2, "changed": 1, "removed": 1, "added": 1}


def test_unrelated_paragraphs_are_not_paired_as_changed():
    rows = diff.diff_lines(["The army said it hit a depot."], ["Talks resume in Cairo on Monday."])
    assert [row.kind for row in rows] == ["removed", "added"]


def test_a_rewritten_block_pairs_the_paragraphs_that_match():
    a = ["Old one about the ceasefire talks in Doha.", "Gone entirely now."]
    b = ["Brand new paragraph.", "Old one about the ceasefire talks in Doha resumed."]
    kinds = [row.kind for row in diff.diff_lines(a, b)]
    assert kinds == ["added", "changed", "removed"]


def test_whitespace_changes_are_not_differences():
    rows = diff.diff_lines(["Two  spaces\n here."], ["Two spaces here."])
    assert [row.kind for row in rows] == ["same"]
    assert diff.diff_title("A  title", "A title").kind == "same"


def test_runs_of_unchanged_paragraphs_are_folded():
    rows = diff.diff_lines(list("abcdefg"), [*"abcd", "X", *"efg"])
    folded = diff.fold_unchanged(rows)
    assert [item.kind for item in folded] == ["fold", "added", "fold"]
    assert folded[0].count == 4 and folded[2].count == 3
    short = diff.fold_unchanged(diff.diff_lines(["a", "b"], ["a", "b", "c"]))
    assert [item.kind for item in short] == ["same", "same", "added"]


def test_very_long_changed_paragraphs_are_shown_whole():
    a = " ".join(f"w{i}" for i in range(3000))
    b = a.replace("w10 ", "changed ")
    left, right = diff.word_diff(a, b)
    assert left.startswith("<del>") and right.startswith("<ins>")
