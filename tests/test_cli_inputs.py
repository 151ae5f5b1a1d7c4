"""Bad command-line input gets exit status 2 and one line ``closedform: error: ...`` naming the value, before any
work; Ctrl-C gets 130 and one line; SIGTERM unwinds through ``finally`` blocks with 143."""
import os
import signal
import subprocess
import sys
import time

import pytest

import closedform as cf
from closedform import cli

PLASTIC = "0,1,0;0,0,1;1,1,0"  # characteristic polynomial lambda^3 - lambda - 1: its closed form takes minutes


@pytest.fixture
def no_work(monkeypatch):
    """Every entry point of real work fails the test if reached."""
    def forbidden(*args, **kwargs):
        raise AssertionError("work started before the input was refused")

    monkeypatch.setattr(cf.Neuron, "stationary_points", forbidden)
    monkeypatch.setattr(cli, "local_model", forbidden)
    monkeypatch.setattr(cli, "shared_weight_recursion", forbidden)
    monkeypatch.setattr(cli.Network, "check_backprop", forbidden)


def refused(capsys, *args) -> str:
    """The one stderr line of a refused command line (exit 2, nothing on stdout)."""
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.endswith("\n") and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("closedform: error: ")
    return err.strip()


@pytest.mark.parametrize("command", [["analyze", "--data", "1:1/2"], ["backprop", "--shared-W", "1,1;1,0"]])
@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "0", "-1", "ten"])
def test_timeout_must_be_positive_and_finite(capsys, no_work, command, value):
    line = refused(capsys, *command, "--timeout", value)
    assert line == f"closedform: error: argument --timeout: {value!r} is not a finite positive number of seconds"


@pytest.mark.parametrize("value", ["14", "2001", "30.5", "x"])
def test_precision_is_checked_when_parsed(capsys, no_work, value):
    line = refused(capsys, "analyze", "--data", "1:1/2", "--precision", value)
    assert line == f"closedform: error: argument --precision: {value!r} is not a whole number of digits from 15 to 2000"


def test_step_threshold_must_be_positive_and_finite(capsys, no_work):
    line = refused(capsys, "step", "--data", "1:1/2", "--at", "1", "--threshold", "nan")
    assert line == "closedform: error: argument --threshold: 'nan' is not a finite positive relative error"


@pytest.mark.parametrize("data, fragment", [
    ("1e400:1/2; 1:1/3", "x[1] of datapoint 1 = 1.00E+400 is out of range"),
    ("1:1e-400", "target t of datapoint 1 = 1.00E-400 is out of range"),
])
def test_data_beyond_float64_is_refused(capsys, no_work, data, fragment):
    line = refused(capsys, "analyze", "--data", data)
    assert fragment in line and "between 1e-300 and 1e300 (the numeric stages work in float64)" in line


@pytest.fixture
def csv_files(tmp_path):
    files = {"binary": bytes(range(256)) * 10, "nul": b"1,2\n3,\x004\n", "empty": b"", "header": b"x,t\n",
             "word": b"x,t\n1,2\n3,abc\n", "ragged": b"1,2,3\n4,5\n", "huge": b"1,2\n1e999,3\n"}
    for name, content in files.items():
        (tmp_path / f"{name}.csv").write_bytes(content)
    return tmp_path


@pytest.mark.parametrize("name, message", [
    ("binary", "is not a text CSV file: byte 0x80 at offset 128 is not UTF-8 text"),
    ("nul", "is not a text CSV file: it holds NUL bytes"),
    ("empty", "holds no data rows; expected rows x1,...,xd,t"),
    ("header", "holds no data rows; expected rows x1,...,xd,t"),
    ("word", "row 3 column 2 = 'abc' is not a number"),
    ("ragged", "row 2 has 2 column(s); expected 3 (x1,...,xd,t)"),
    ("huge", "row 2 column 1 = 1.00E+999 is out of range"),
    ("missing", "cannot be read: No such file or directory"),
])
def test_bad_csv_files_are_named_with_the_row(capsys, no_work, csv_files, name, message):
    path = str(csv_files / f"{name}.csv")
    assert refused(capsys, "analyze", "--csv", path).startswith(f"closedform: error: --csv {path!r} {message}")


@pytest.mark.parametrize("option, message", [
    ("--data", "--data '' holds no datapoint; expected e.g. '1:3/10; 2:9/10' (leave --data out for symbolic data)"),
    ("--csv", "--csv '' is empty; give the path of a CSV file with rows x1,...,xd,t"),
])
def test_empty_data_option_is_refused(capsys, no_work, option, message):
    assert refused(capsys, "analyze", option, "") == f"closedform: error: {message}"


@pytest.mark.parametrize("command", [
    ["analyze", "--data", "1:1/2"], ["step", "--data", "1:1/2", "--at", "1"], ["backprop", "--widths", "2,1"]])
def test_unwritable_latex_file_is_refused_before_work(capsys, no_work, tmp_path, command):
    target = "/nonexistent/dir/x.tex"
    assert refused(capsys, *command, "--latex", target) == (
        f"closedform: error: --latex {target!r} cannot be written: directory '/nonexistent/dir' does not exist")
    folder = str(tmp_path)
    assert refused(capsys, *command, "--latex", folder) == f"closedform: error: --latex {folder!r} is a directory"


@pytest.mark.parametrize("command", [["analyze", "--data", "1:1/2"], ["step", "--data", "1:1/2", "--at", "1"]])
def test_bad_plot_file_is_refused_before_work(capsys, no_work, tmp_path, command):
    target = str(tmp_path / "out.xyz")
    line = refused(capsys, *command, "--plot", target)
    assert line.startswith(f"closedform: error: --plot {target!r} has the unsupported format 'xyz'; supported: ")
    assert "pdf, pgf, png" in line and "svg" in line
    assert refused(capsys, *command, "--plot", "/nonexistent/dir/p.png") == (
        "closedform: error: --plot '/nonexistent/dir/p.png' cannot be written: directory '/nonexistent/dir' does "
        "not exist")


def test_runaway_custom_activation_is_refused_by_name(capsys, no_work):
    line = refused(capsys, "analyze", "--activation", "custom(exp(exp(exp(exp(h)))))", "--data", "1:1/2")
    assert line == ("closedform: error: custom activation 'exp(exp(exp(exp(h))))' is too large for float64: "
                    "|f(h)| >= 1e300 at h = 1; the numeric stages need f and f' below 1e300 for -1 <= h <= 1")


def test_values_may_start_with_a_minus(capsys):
    assert cli.main(["analyze", "--activation", "identity", "--data", "-1:3;2:1"]) == 0
    assert "closed form: w = -1/5" in capsys.readouterr().out  # (-3 + 2)/(1 + 4): the x = -1 was read
    assert cli.main(["step", "--activation", "identity", "--data", "1,2:3;-2,1:1", "--at", "-1,2"]) == 0
    assert capsys.readouterr().out.startswith("at w0 = (-1, 2): E = 9/2")  # the second row has x1 = -2
    assert cli.main(["backprop", "--shared-W", "-1,0;0,1"]) == 0
    assert "[(-1)^k, 0; 0, 1]" in capsys.readouterr().out


def test_negative_l2_still_reaches_its_check(capsys, no_work):
    assert refused(capsys, "analyze", "--data", "1:1/2", "--l2", "-1") == "closedform: error: l2 = -1 must be >= 0"


def test_backprop_out_of_time_is_a_partial_answer(capsys, tmp_path):
    started = time.monotonic()
    code = cli.main(["backprop", "--shared-W", PLASTIC, "--timeout", "1", "--latex", str(tmp_path / "w.tex")])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "") and time.monotonic() - started < 30
    assert out.splitlines() == [
        "W = [0, 1, 0; 0, 0, 1; 1, 1, 0] read (3 x 3, exact)",
        "characteristic polynomial lambda^3 - lambda - 1",
        "the closed form of (W^T)^k did not finish: no answer within 1 s; no LaTeX written",
    ]
    assert not (tmp_path / "w.tex").exists()


def test_ctrl_c_gives_one_line_and_130(capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_problem", interrupted)
    try:
        code = cli.main(["analyze", "--data", "1:1/2"])
    except KeyboardInterrupt:
        pytest.fail("KeyboardInterrupt escaped main")
    assert code == 130
    assert capsys.readouterr() == ("", "closedform: interrupted\n")


def test_sigterm_unwinds_through_finally_blocks_and_the_handler_is_restored(monkeypatch):
    class NotInstalled(Exception):
        pass

    def outside(signum, frame):
        raise NotInstalled("main did not install its SIGTERM handler")

    unwound = []

    def work(argv, since_start=False):
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(10)
        finally:
            unwound.append(argv)
        return 0

    monkeypatch.setattr(cli, "_run", work)
    monkeypatch.setattr(sys, "argv", ["closedform", "analyze"])
    previous = signal.signal(signal.SIGTERM, outside)
    try:
        with pytest.raises(SystemExit) as stop:
            cli.main()
        assert stop.value.code == 143 and unwound == [["analyze"]]
        assert signal.getsignal(signal.SIGTERM) is outside
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_real_process_refuses_in_one_line_without_traceback(tmp_path):
    binary = tmp_path / "data.bin"
    binary.write_bytes(bytes(range(256)) * 10)
    for args in (["analyze", "--timeout", "inf"], ["analyze", "--csv", str(binary)]):
        done = subprocess.run([sys.executable, "-m", "closedform", *args], capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1
        assert done.stderr.startswith("closedform: error: ") and "Traceback" not in done.stderr
