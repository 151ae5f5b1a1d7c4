"""Command line: ``closedform`` (the seed question explained) and ``closedform analyze`` (any problem).
Bad input exits with status 2 and one line; an answer (even "no finite stationary point") exits 0."""
from __future__ import annotations

import argparse
import os
import sys

import sympy as sp

from .errors import InputError
from .model.data import parse_data_string, read_csv
from .model.numbers import exact_number
from .problem import Network, Neuron, local_model, shared_weight_recursion

SEED = """The seed question: a sigmoid neuron y = s(w.x), squared loss E = 1/2 (t - y)^2, one datapoint (x, t).
Does the gradient vanish anywhere, and can that place be written down?
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise InputError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="closedform", description="Where does the gradient of a neuron's loss vanish?")
    commands = parser.add_subparsers(dest="command")
    analyze = commands.add_parser("analyze", help="stationary points of one neuron problem")
    _add_problem_arguments(analyze)
    analyze.add_argument("--timeout", type=float, default=10.0, help="seconds per symbolic strategy (default 10)")
    analyze.add_argument("--precision", type=int, default=30, help="working digits (default 30)")
    analyze.add_argument("--json", action="store_true", help="print the JSON result")
    analyze.add_argument("--latex", metavar="FILE", help="write a LaTeX derivation document")
    analyze.add_argument("--plot", metavar="FILE", help="write a plot (PNG)")
    step = commands.add_parser("step", help="linear and quadratic models of a gradient step; the Newton step")
    _add_problem_arguments(step)
    step.add_argument("--at", required=True, help='the start w0, "w1,...,wp" (exact; weights, then the bias)')
    step.add_argument("--threshold", type=float, default=0.1,
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
    backprop.add_argument("--latex", metavar="FILE", help="write a LaTeX derivation document")
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


def seed_report() -> str:
    neuron = Neuron("sigmoid", "mse")
    s = sp.Function("s")
    w, x, t = neuron.weights[0], neuron.data.x[0][0], neuron.data.t[0]
    readable = -(t - s(w * x)) * s(w * x) * (1 - s(w * x)) * x
    result = neuron.stationary_points()
    return "\n".join([
        SEED,
        f"loss      E(w) = {sp.sstr(neuron.loss)}",
        f"gradient  dE/dw = {sp.sstr(readable)}   with s(h) = 1/(1 + exp(-h)), s' = s(1 - s)",
        "",
        result.summary(),
        "",
        "So: for 0 < t < 1 the zero is the hyperplane w.x = log(t/(1 - t)) (any dimension); for t = 0, t = 1 or t",
        "outside (0, 1) there is no finite zero and the gradient only tends to 0 as w.x -> +-oo (saturation).",
        'Many datapoints: try  closedform analyze --data "1:3/10; 2:9/10"',
    ])


def _problem(args) -> Neuron:
    if args.data and args.csv:
        raise InputError("give --data or --csv, not both")
    data = parse_data_string(args.data) if args.data else read_csv(args.csv) if args.csv else None
    return Neuron(args.activation, args.loss, dim=args.dim, bias=args.bias, l2=args.l2, data=data)


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
    if args.shared_W:
        rows = [_numbers(row, f"--shared-W row {i + 1}") for i, row in enumerate(args.shared_W.split(";"))]
        recursion = shared_weight_recursion(rows)
        print(recursion.describe())
        print(f"delta_(L-k) = (W^T)^k delta_L with (W^T)^k = {sp.sstr(recursion.power)}")
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


def _write(path: str, text: str):
    with open(path, "w") as handle:
        handle.write(text)


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            print(seed_report())
            return 0
        if args.command == "backprop":
            return _backprop(args)
        problem = _problem(args)
        if args.command == "step":
            return _step(problem, args)
        result = problem.stationary_points(timeout=args.timeout, precision=args.precision)
        print(result.to_json() if args.json else result.summary())
        if args.latex:
            from .present.derivation import derive
            _write(args.latex, derive(problem, result).to_document())
        if args.plot:
            from .present.plotting import plot
            plot(result).savefig(args.plot, dpi=100)
        return 0
    except InputError as exc:
        print(f"closedform: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head & co.: stop quietly, like other Unix tools
        sys.stdout = open(os.devnull, "w")
        return 0
