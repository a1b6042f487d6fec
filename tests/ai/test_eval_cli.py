"""`kefu ai eval`: figures as JSON on a tiny CSV, one clear line and an exit code on a bad one."""

import json
from pathlib import Path

from typer.testing import CliRunner

from kefu.cli import app

runner = CliRunner()
TRAIN = """text,intent
where is my order,order_status
has my parcel shipped yet,order_status
track my package please,order_status
when will my order arrive,order_status
please cancel my order,cancel_order
I want to cancel the purchase,cancel_order
cancel order 1234 now,cancel_order
stop my order I changed my mind,cancel_order
I need an invoice,invoice
send me a receipt for my order,invoice
can I get a VAT invoice,invoice
invoice with my company name please,invoice
"""
TEST = """text,intent
where is my parcel,order_status
cancel my purchase please,cancel_order
I need a receipt,invoice
what's the weather on mars tomorrow,oos
"""


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_eval_prints_the_figures_as_json(tmp_path: Path) -> None:
    # given
    train, test = write(tmp_path, "train.csv", TRAIN), write(tmp_path, "test.csv", TEST)
    # when
    result = runner.invoke(app, ["ai", "eval", "--train", str(train), "--test", str(test),
                                 "--calibration", str(test), "--json"])  # fmt: skip
    # then
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    for key in ("macro_f1", "accuracy", "in_scope_accuracy", "oos_recall",
                "messages_per_second", "load_seconds", "peak_rss_mb"):  # fmt: skip
        assert key in figures
    assert 0 <= figures["macro_f1"] <= 1 and 0 <= figures["oos_recall"] <= 1
    assert figures["in_scope_accuracy"] >= 0.9  # the threshold keeps the in-scope answers
    assert figures["test_rows"] == 4 and figures["train_rows"] == 12
    assert figures["messages_per_second"] > 0 and figures["peak_rss_mb"] > 0


def test_shots_train_on_that_many_examples_per_intent(tmp_path: Path) -> None:
    train, test = write(tmp_path, "train.csv", TRAIN), write(tmp_path, "test.csv", TEST)
    result = runner.invoke(app, ["ai", "eval", "--train", str(train), "--test", str(test),
                                 "--shots", "2", "--seed", "7", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["train_rows"] == 6
    assert "oos_recall" in figures  # the test has oos rows even without a calibration


def refusal(tmp_path: Path, train_text: bytes) -> str:
    train = tmp_path / "train.csv"
    train.write_bytes(train_text)
    test = write(tmp_path, "test.csv", TEST)
    result = runner.invoke(app, ["ai", "eval", "--train", str(train), "--test", str(test)])
    assert result.exit_code == 1
    return result.output


def test_a_csv_without_the_intent_column_is_refused(tmp_path: Path) -> None:
    assert "missing column intent" in refusal(tmp_path, b"text,label\nhello,greeting\n")


def test_an_empty_csv_is_refused(tmp_path: Path) -> None:
    assert "the file is empty" in refusal(tmp_path, b"")


def test_a_csv_in_an_unknown_encoding_is_refused(tmp_path: Path) -> None:
    assert "unknown text encoding" in refusal(tmp_path, b"text,intent\n\xff\xfe\x80\x81,x\n")


def test_a_row_without_its_intent_is_refused(tmp_path: Path) -> None:
    assert "line 3: needs both text and intent" in refusal(
        tmp_path, b"text,intent\nwhere is my order,order_status\ncancel it,\n"
    )


def test_a_gb18030_csv_is_read(tmp_path: Path) -> None:
    chinese = "text,intent\n我的订单到哪了,order_status\n取消订单,cancel_order\n"
    train = write(tmp_path, "train.csv", chinese, encoding="gb18030")
    test = write(tmp_path, "test.csv", chinese)
    result = runner.invoke(app, ["ai", "eval", "--train", str(train), "--test", str(test),
                                 "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1])["accuracy"] == 1.0


def test_scores_without_out_of_scope_rows_have_no_oos_recall() -> None:
    from kefu.ai.evaluation import scores

    figures = scores(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert figures == {"macro_f1": 0.7333, "accuracy": 0.75, "in_scope_accuracy": 0.75}
