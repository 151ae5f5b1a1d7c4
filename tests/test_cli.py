"""The command line through a real subprocess: output, JSON contract, exit codes."""
import json
import subprocess
import sys

import pytest

import closedform as cf


def run(*args):
    return subprocess.run([sys.executable, "-m", "closedform", *args], capture_output=True, text=True, timeout=120)


def test_no_arguments_explains_the_seed_question():
    done = run()
    assert done.returncode == 0
    assert "w*x = log(t/(1 - t))   if 0 < t < 1 and x != 0" in done.stdout
    assert "-(t - s(w*x))*s(w*x)*(1 - s(w*x))*x" in done.stdout


def test_analyze_json_follows_the_contract():
    done = run("analyze", "--activation", "sigmoid", "--loss", "mse", "--data", "1:3/10; 2:9/10", "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert set(answer) == {"problem", "points", "closed_form", "regions", "asymptotic", "obstruction", "complete",
                           "box", "status", "certificate", "reduction", "infimum", "stats", "notes"}
    assert answer["problem"] == {"activation": "sigmoid", "loss": "mse", "dim": 1, "bias": False, "l2": "0", "n": 2}
    (point,) = answer["points"]
    assert point["w"][0].startswith("0.4641455805529390029249253843")
    assert (point["kind"], point["certified"]) == (cf.Kind.MIN.value, True)
    (low, high), = point["enclosure"]
    from decimal import Decimal
    assert Decimal(low) <= Decimal("0.46414558055293900292492538431098325268893272188447") <= Decimal(high)
    assert Decimal(high) - Decimal(low) < Decimal("1e-25")
    assert answer["obstruction"]["group"] == "S7" and answer["obstruction"]["solvable"] is False
    assert "CRootOf(3*u**7 + 11*u**6 + 63*u**5 + 31*u**4 + 21*u**3 - 27*u**2 + u - 7, 0)" in point["exact"]
    assert [(a["description"], a["limit_loss"]) for a in answer["asymptotic"]] == [("w -> +oo", "0.25"),
                                                                                 ("w -> -oo", "0.45")]
    assert answer["complete"] is True and answer["status"] == cf.Status.OK.value and answer["box"] is None
    assert (answer["certificate"]["kind"], answer["certificate"]["scope"]) == ("exact-roots", "global")
    assert answer["reduction"]["polynomial"] == "3*u**7 + 11*u**6 + 63*u**5 + 31*u**4 + 21*u**3 - 27*u**2 + u - 7"
    # the infimum is the lower of the minimum's loss (by hand: 0.0660913...) and the limits 1/4, 9/20
    assert answer["infimum"]["attained"] is True and answer["infimum"]["value"].startswith("0.06609133535046")


def test_analyze_summary_and_csv(tmp_path):
    csv = tmp_path / "data.csv"
    csv.write_text("x,t\n1,1\n2,3\n")
    done = run("analyze", "--activation", "relu", "--csv", str(csv))
    assert done.returncode == 0, done.stderr
    assert "min        w = (1.4)" in done.stdout
    assert "flat region: every w with 2*w <= 0 and w <= 0" in done.stdout


@pytest.mark.parametrize("args, message", [
    (["analyze", "--activation", "nope"], "closedform: error: activation 'nope' is unknown; known:"),
    (["analyze", "--data", "1:abc"], "closedform: error: target t of datapoint 1 = 'abc' is not a number"),
    (["analyze", "--data", "1,2:1; 3:1"], "closedform: error: datapoint 2 has 1 coordinate(s) but dim is 2"),
    (["analyze", "--precision", "x"], "closedform: error: argument --precision: 'x' is not a whole number of digits"),
    (["analyze", "--bogus"], "closedform: error: unrecognized arguments: --bogus"),
    (["analyze", "--loss", "bce", "--data", "1:2"], "closedform: error: target t = 2 of datapoint 1 is outside"),
    (["analyze", "--csv", "/nonexistent.csv"], "closedform: error: --csv '/nonexistent.csv' cannot be read"),
    (["analyze", "--activation", "custom(__import__('os'))"], "closedform: error: expression \"__import__('os')\" refused"),
])
def test_bad_input_exits_2_with_one_line(args, message):
    done = run(*args)
    assert done.returncode == 2
    assert done.stderr.startswith(message)
    assert done.stderr.count("\n") == 1 and done.stdout == ""


def test_backprop_subcommand_checks_the_recursion_and_shows_the_cancellation():
    done = run("backprop", "--widths", "2,2,1")
    assert done.returncode == 0, done.stderr
    assert "equal for all 6 parameters" in done.stdout
    assert r"\delta_{2} = - y + z_{2}" in done.stdout


def test_backprop_shared_W_reports_the_jordan_case():
    done = run("backprop", "--shared-W", "1,1;0,1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("W is not diagonalisable")
    assert "(W^T)^k = [1, 0; k, 1]" in done.stdout


def test_step_subcommand_reaches_the_least_squares_point_in_one_newton_step(tmp_path):
    png = tmp_path / "step.png"
    done = run("step", "--activation", "identity", "--data", "1,2:3; 2,-1:1; 3,1:2", "--at", "5,-7", "--plot", str(png))
    assert done.returncode == 0, done.stderr
    assert "Newton point w0 - H^-1 g = (3/5, 13/15); gradient there: (0, 0)" in done.stdout
    assert png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("args, message", [
    (("backprop", "--widths", "2,x"), "--widths[1]"),
    (("backprop", "--shared-W", "1,2;3"), "rows of different lengths"),
    (("step", "--data", "1:3/10", "--at", "1,2"), "at has 2 coordinate(s)"),
    (("step", "--data", "1:3/10", "--at", "1,"), "empty entry"),
])
def test_bad_network_and_step_input_exits_2(args, message):
    done = run(*args)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_output_cut_short_by_a_pipe_ends_quietly(monkeypatch):
    from closedform.cli import main

    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            pass

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["backprop", "--widths", "2,1"]) == 0
