"""Command line: ``closedform`` (the seed question explained) and ``closedform analyze`` (any problem).
Bad input exits with status 2 and one line, checked before any work; an answer (even "no finite stationary
point", or a partial one) exits 0; Ctrl-C exits 130 with one line."""
from __future__ import annotations

import argparse
import contextlib
import math
import os
import signal
import sys
import textwrap
import threading

import sympy as sp

from .budget import Deadline
from .errors import InputError
from .model.data import parse_data_string, read_csv
from .model.gradcheck import check_gradient
from .model.numbers import exact_number
from .model.teacher import GaussianTeacher
from .printing import text
from .problem import Network, Neuron, local_model, shared_weight_recursion
from .recursion import Unfinished

OVERRUN = 0.4  # seconds past the deadline before the watchdog ends the process

SEED = """The seed question: a sigmoid neuron y = s(w.x), squared loss E = 1/2 (t - y)^2, one datapoint (x, t).
Does the gradient vanish anywhere, and can that place be written down?
"""
ASKERS_GRADIENT = "-(t - sigmoid(w*x))*sigmoid(w*x)*(1 - sigmoid(w*x))*x"  # the seed question's own derivation
VALUE_OPTIONS = ("--data", "--at", "--l2", "--shared-W", "--widths", "--dim", "--timeout", "--precision",
                 "--threshold", "--teacher", "--teacher-bias", "--noise")  # their value may start with '-': --data -1:3, --at -1,2


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise InputError(message)


def _positive(kind: str):
    """An argparse type: a finite positive float; ``kind`` (e.g. "number of seconds") names it in the error."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite positive {kind}")
        return value
    return parse


def _digits(text: str) -> int:
    """A --precision value: a whole number of digits from 15 to 2000."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 15 <= value <= 2000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of digits from 15 to 2000")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="closedform", description="Where does the gradient of a neuron's loss vanish?")
    commands = parser.add_subparsers(dest="command")
    analyze = commands.add_parser("analyze", help="stationary points of one neuron problem")
    _add_problem_arguments(analyze)
    analyze.add_argument("--timeout", type=_positive("number of seconds"), default=10.0,
                         help="seconds for the whole run, reading the data included (default 10)")
    analyze.add_argument("--precision", type=_digits, default=30, help="working digits, 15 to 2000 (default 30)")
    analyze.add_argument("--json", action="store_true", help="print the JSON result")
    analyze.add_argument("--latex", metavar="FILE", help="write a LaTeX derivation document")
    analyze.add_argument("--plot", metavar="FILE", help="write a plot (PNG)")
    analyze.add_argument("--gradient", metavar="EXPR", help='a gradient you derived, checked against the true one '
                         '(e.g. "-(t - sigmoid(w*x))*sigmoid(w*x)*(1 - sigmoid(w*x))*x"; components "a, b")')
    step = commands.add_parser("step", help="linear and quadratic models of a gradient step; the Newton step")
    _add_problem_arguments(step)
    step.add_argument("--at", required=True, help='the start w0, "w1,...,wp" (exact; weights, then the bias)')
    step.add_argument("--threshold", type=_positive("relative error"), default=0.1,
                      help="relative error of the linear model to report (default 0.1)")
    step.add_argument("--latex", metavar="FILE", help="write a LaTeX derivation document")
    step.add_argument("--plot", metavar="FILE", help="write the loss along the step with both models (PNG)")
    backprop = commands.add_parser("backprop", help="the backpropagation recursion of a layered network, checked")
    backprop.add_argument("--widths", default="2,2,2,1", help='layer sizes "n_in,...,n_out" (default 2,2,2,1)')
    backprop.add_argument("--activation", default="sigmoid", help="the activation of every layer")
    backprop.add_argument("--loss", default="bce", help="the loss on the outputs (default bce)")
    backprop.add_argument("--bias", action="store_true", help="add biases")
    backprop.add_argument("--shared-W", metavar="ROWS",
                          help='instead: the closed form of delta_(L-k) = (W^T)^k delta_L for linear layers '
                               'sharing W, given as rows "1,1;1,0"')
    backprop.add_argument("--timeout", type=_positive("number of seconds"), default=10.0,
                          help="seconds for the closed form of --shared-W (default 10)")
    backprop.add_argument("--latex", metavar="FILE", help="write a LaTeX derivation document")
    census = commands.add_parser("census", help="stationary points of many seeded random datasets, as JSON lines")
    census.add_argument("--activation", default="sigmoid", help="activations, comma-separated (default sigmoid)")
    census.add_argument("--loss", default="mse", help="losses, comma-separated (default mse)")
    census.add_argument("--n", default="4,8,16", help="numbers of datapoints, comma-separated (default 4,8,16)")
    census.add_argument("--dim", "--d", dest="d", default="1,2", help="input dimensions, comma-separated (default 1,2)")
    census.add_argument("--bias", action="store_true", help="add a bias b")
    census.add_argument("--l2", default="0", help="L2 weights, comma-separated (exact; default 0)")
    census.add_argument("--generator", default="teacher", help="teacher, labels or ahw (default teacher)")
    census.add_argument("--trials", "--datasets", dest="datasets", default="10",
                        help="datasets per grid cell (default 10)")
    census.add_argument("--seed", default="0", help="the census seed: each dataset's seed is derived from it")
    census.add_argument("--timeout", type=_positive("number of seconds"), default=10.0,
                        help="seconds for each dataset's analysis (default 10)")
    census.add_argument("--out", default="census.jsonl", metavar="FILE",
                        help="JSON lines, one per dataset; a rerun skips the datasets already there")
    census.add_argument("--workers", default=None, help="local worker processes (default: one per core)")
    census.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster (e.g. tcp://host:8786)")
    census.add_argument("--plot", metavar="FILE", help="write the summary plot (PNG)")
    census.add_argument("--box", metavar="R", help="analyse in the cube [-R, R]^p of the parameters only (exact R > 0; "
                                                   "default: the whole space where a global proof exists)")
    return parser


def _add_problem_arguments(parser):
    parser.add_argument("--activation", default="sigmoid",
                        help="sigmoid, tanh, relu, leaky_relu(a), identity, softplus, exp, square, "
                             "polynomial(c0, c1, ...), probit, silu, custom(expression in h)")
    parser.add_argument("--loss", default="mse", help="mse, bce, poisson, logcosh, matching")
    parser.add_argument("--data", help='points "x1,...,xd:t; ..." (exact: 3/10 and 0.3 are the same)')
    parser.add_argument("--csv", help="a CSV file with rows x1,...,xd,t")
    parser.add_argument("--dim", type=int, help="input dimension (default: from the data; 1 when symbolic)")
    parser.add_argument("--bias", action="store_true", help="add a bias b")
    parser.add_argument("--l2", default="0", help="L2 weight lambda >= 0 (exact, e.g. 1/10)")
    parser.add_argument("--teacher", metavar="V", help='infinitely many Gaussian datapoints x ~ N(0, I) with targets '
                        'f(v.x + c): the teacher\'s weights "v1,...,vd" (exact); the population loss')
    parser.add_argument("--teacher-bias", metavar="C", help="the teacher's bias c (with --teacher)")
    parser.add_argument("--noise", metavar="S2", help="the variance of the target noise (with --teacher; default 0)")
    parser.add_argument("--population", default="exact", metavar="ROUTE",
                        help="with --teacher: exact (the table of closed forms, default) or numeric (quadrature, for "
                             "sigmoid, tanh, softplus, silu; nothing certified)")


def seed_report() -> str:
    neuron = Neuron("sigmoid", "mse")
    s = sp.Function("s")
    w, x, t = neuron.weights[0], neuron.data.x[0][0], neuron.data.t[0]
    # the gradient as people write it by hand, factors in this order: -(t - s) s (1 - s) x
    readable = sp.Mul(-1, t - s(w * x), s(w * x), 1 - s(w * x), x, evaluate=False)
    result = neuron.stationary_points()
    verdict = check_gradient(neuron, ASKERS_GRADIENT)
    return "\n".join([
        SEED,
        f"loss      E(w) = {text(neuron.loss)}",
        f"gradient  dE/dw = {text(readable, order='none')}   with s(h) = 1/(1 + exp(-h)), s' = s(1 - s)",
        "          " + _verdict_line(verdict),
        "",
        result.summary(),
        "",
        textwrap.fill(_answer(result), width=110),
        "In dimension d the zero set is the hyperplane w.x = log(t/(1 - t)):  closedform analyze --dim 3",
        'Many datapoints: try  closedform analyze --data "1:3/10; 2:9/10"',
    ])


def _verdict_line(verdict) -> str:
    if verdict.equal:
        return ("your gradient is correct: it equals dE/dw (checked "
                + ("symbolically)" if verdict.method == "symbolic" else "at random points to 50 digits)"))
    return f"your gradient is wrong: {verdict}"


def _answer(result) -> str:
    """The seed's answer in one sentence, read off the closed forms of ``result`` (and its completeness)."""
    cases = []
    for form in result.closed_form:
        where = text(form.expr, unknowns=result.problem.weights)
        condition = "" if form.conditions == sp.true else f" if {text(form.conditions)}"
        cases.append((f"at {where}" if isinstance(form.expr, sp.Set) else f"where {where}") + condition)
    if result.complete:
        cases.append("nowhere else (proved)")
    listed = cases[0] if len(cases) == 1 else ", ".join(cases[:-1]) + ", and " + cases[-1]
    return (f"So: the gradient vanishes {listed}: for t <= 0 or t >= 1 (and x != 0) it only tends to 0 as "
            f"w*x -> +-oo (saturation).")


def _attach_values(argv: list) -> list:
    """``--data -1:3`` as ``--data=-1:3``: argparse reads a value starting with '-' as an option otherwise."""
    out = []
    for token in argv:
        if out and out[-1] in VALUE_OPTIONS and token.startswith("-") and not token.startswith("--"):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def _check_outputs(args):
    """Refuse --latex and --plot files that cannot be written (or a plot format matplotlib lacks), before any work."""
    for option in ("latex", "plot"):
        path = getattr(args, option, None)
        if path is not None:
            problem = _unwritable(path) or (option == "plot" and _unplottable(path))
            if problem:
                raise InputError(f"--{option} {path!r} {problem}")


def _unwritable(path: str):
    """Why ``path`` cannot be written as a new or replaced file, or None."""
    if not path:
        return "is empty"
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return f"cannot be written: directory {folder!r} does not exist"
    if os.path.isdir(path):
        return "is a directory"
    if not os.access(path if os.path.exists(path) else folder, os.W_OK):
        return "cannot be written: permission denied"
    return None


def _unplottable(path: str):
    """Why matplotlib cannot save a figure as ``path``, or None (no extension means PNG)."""
    from matplotlib.backend_bases import FigureCanvasBase

    extension = os.path.splitext(path)[1][1:].lower()
    supported = FigureCanvasBase.get_supported_filetypes()
    if extension and extension not in supported:
        return f"has the unsupported format {extension!r}; supported: {', '.join(sorted(supported))}"
    return None


def _problem(args) -> Neuron:
    given = [option for option, value in (("--data", args.data), ("--csv", args.csv), ("--teacher", args.teacher))
             if value is not None]
    if len(given) > 1:
        raise InputError(f"give one of --data, --csv, --teacher, not {' and '.join(given)}")
    for option, value in (("--teacher-bias", args.teacher_bias), ("--noise", args.noise)):
        if value is not None and args.teacher is None:
            raise InputError(f"{option} {value!r} needs --teacher")
    data = (parse_data_string(args.data) if args.data is not None else
            read_csv(args.csv) if args.csv is not None else
            GaussianTeacher(_numbers(args.teacher, "--teacher"), c=args.teacher_bias, noise=args.noise or 0)
            if args.teacher is not None else None)
    return Neuron(args.activation, args.loss, dim=args.dim, bias=args.bias, l2=args.l2, data=data,
                  population=args.population)


def _numbers(text: str, what: str) -> list:
    """A comma-separated list of exact numbers; ``what`` names it in errors."""
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise InputError(f"{what} = {text!r} has an empty entry")
    return [exact_number(item, f"{what}[{i}]") for i, item in enumerate(items)]


def _step(problem, args) -> int:
    model = local_model(problem, at=_numbers(args.at, "--at"), threshold=args.threshold)
    print(model.summary())
    if args.latex:
        _write(args.latex, model.derivation().to_document())
    if args.plot:
        model.plot().savefig(args.plot, dpi=100)
    return 0


def _backprop(args) -> int:
    if args.shared_W is not None:
        rows = [_numbers(row, f"--shared-W row {i + 1}") for i, row in enumerate(args.shared_W.split(";"))]
        try:
            recursion = shared_weight_recursion(rows, timeout=args.timeout)
        except Unfinished as partial:
            print(f"W = {text(partial.W)} read ({partial.W.rows} x {partial.W.cols}, exact)")
            print(f"characteristic polynomial {text(partial.charpoly)}")
            print(f"the closed form of (W^T)^k did not finish: {partial.reason}"
                  + ("; no LaTeX written" if args.latex else ""))
            return 0
        print(recursion.describe())
        print(f"delta_(L-k) = (W^T)^k delta_L with (W^T)^k = {text(recursion.power)}")
        derivation = recursion.derivation()
    else:
        widths = [int(v) if v.is_Integer else str(v) for v in _numbers(args.widths, "--widths")]
        network = Network(widths, args.activation, args.loss, bias=args.bias)
        check = network.check_backprop()
        print(repr(network))
        print("recursion delta_L = dJ/dh_L, delta_i = (W_(i+1)^T delta_(i+1)) * f'(h_i), dJ/dW_i = delta_i z_(i-1)^T")
        print("checked against direct differentiation of J (40 digits, 3 points) and finite differences: "
              + (f"equal for all {check.checked} parameters" if check.equal else
                 f"NOT equal at {check.first}: {check.recursion} vs {check.direct}"))
        derivation = network.derivation(check) if check.equal else None
        if derivation is not None:
            print(derivation.to_markdown())
    if args.latex and derivation is not None:
        _write(args.latex, derivation.to_document())
    return 0


def _whole_numbers(text: str, what: str) -> list:
    """A comma-separated list of whole numbers >= 1; ``what`` names the option in errors."""
    items = [item.strip() for item in text.split(",")]
    if not all(item.isdigit() and int(item) >= 1 for item in items):
        raise InputError(f"{what} {text!r} must be whole numbers >= 1, comma-separated")
    return [int(item) for item in items]


def _census(args) -> int:
    from .census import census, summary, summary_table

    unwritable = _unwritable(args.out)
    if unwritable:
        raise InputError(f"--out {args.out!r} {unwritable}")
    if not args.seed.strip().isdigit():
        raise InputError(f"--seed {args.seed!r} must be a whole number >= 0")
    workers = None if args.workers is None else _whole_numbers(args.workers, "--workers")[0]
    records = census([a.strip() for a in args.activation.split(",")], [loss.strip() for loss in args.loss.split(",")],
                     _whole_numbers(args.n, "--n"), _whole_numbers(args.d, "--dim"), (args.bias,),
                     _numbers(args.l2, "--l2"), args.generator, _whole_numbers(args.datasets, "--trials")[0],
                     int(args.seed), args.timeout, args.out, args.scheduler, workers, box=args.box)
    rows = summary(records)
    print(summary_table(rows))
    print(f"{len(records)} dataset(s) in {args.out}")
    if args.plot:
        from .present.census_plot import plot_census
        plot_census(rows).savefig(args.plot, dpi=100)
    return 0


def _write(path: str, text: str):
    with open(path, "w") as handle:
        handle.write(text)


@contextlib.contextmanager
def _watchdog(deadline):
    """The last resort behind the deadline: a step that does not look at it (reading a huge file, say) cannot
    keep the process past it by more than OVERRUN seconds; the process then ends with one line and status 124
    (its workers die with it)."""
    def overrun():
        print(f"closedform: error: no answer within the timeout of {deadline.seconds:g} s (a step that cannot be "
              f"interrupted ran past it)", file=sys.stderr, flush=True)
        os._exit(124)
    timer = threading.Timer(deadline.left() + OVERRUN, overrun)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def _components(expression: str) -> list:
    """``--gradient "a, b"``: one string per component (commas inside parentheses do not split)."""
    parts, depth, current = [], 0, ""
    for char in expression:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts, current = parts + [current], ""
        else:
            current += char
    return parts + [current]


def _present(problem, result, args, verdict=None) -> int:
    print(result.to_json() if args.json else result.summary())
    if verdict is not None and not args.json:
        print(_verdict_line(verdict))
    if args.latex:
        from .present.derivation import derive
        given = None if args.gradient is None else _components(args.gradient)
        _write(args.latex, derive(problem, result, given=given).to_document())
    if args.plot:
        from .present.plotting import plot
        plot(result).savefig(args.plot, dpi=100)
    return 0


def _run(argv, since_start: bool = False) -> int:
    """The CLI on ``argv``; ``since_start``: the timeout counts from the start of the process (the entry point)."""
    try:
        args = build_parser().parse_args(_attach_values(argv))
        if args.command is None:
            print(seed_report())
            return 0
        _check_outputs(args)
        if args.command == "backprop":
            return _backprop(args)
        if args.command == "census":
            return _census(args)
        # as a program the whole process counts: start-up, imports and reading the data
        start = Deadline.from_process_start if since_start else Deadline
        if args.command == "step":
            return _step(_problem(args), args)
        deadline = start(args.timeout)
        with _watchdog(deadline):
            problem = _problem(args)
            verdict = None if args.gradient is None else check_gradient(problem, _components(args.gradient))
            result = problem.stationary_points(timeout=deadline, precision=args.precision)
        return _present(problem, result, args, verdict)
    except InputError as exc:
        print(f"closedform: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("closedform: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into head & co.: stop quietly, like other Unix tools
        sys.stdout = open(os.devnull, "w")
        return 0


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # SIGTERM unwinds like Ctrl-C: ``finally`` blocks (worker kills) run


def main(argv=None) -> int:
    """The CLI on ``argv`` (default: the command line); as the entry point (``argv`` None) SIGTERM exits 143
    through ``finally`` blocks, and the previous handler is restored afterwards."""
    if argv is not None:
        return _run(argv)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _run(sys.argv[1:], since_start=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
