"""Command line: ``closedform`` (the seed question explained) and ``closedform analyze`` (any problem).
Bad input exits with status 2 and one line; an answer (even "no finite stationary point") exits 0."""
from __future__ import annotations

import argparse
import sys

import sympy as sp

from .errors import InputError
from .model.data import parse_data_string, read_csv
from .model.neuron import Neuron

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
    analyze.add_argument("--activation", default="sigmoid",
                         help="sigmoid, tanh, relu, leaky_relu(a), identity, softplus, exp, square, "
                              "polynomial(c0, c1, ...), probit, silu, custom(expression in h)")
    analyze.add_argument("--loss", default="mse", help="mse, bce, poisson, logcosh, matching")
    analyze.add_argument("--data", help='points "x1,...,xd:t; ..." (exact: 3/10 and 0.3 are the same)')
    analyze.add_argument("--csv", help="a CSV file with rows x1,...,xd,t")
    analyze.add_argument("--dim", type=int, help="input dimension (default: from the data; 1 when symbolic)")
    analyze.add_argument("--bias", action="store_true", help="add a bias b")
    analyze.add_argument("--l2", default="0", help="L2 weight lambda >= 0 (exact, e.g. 1/10)")
    analyze.add_argument("--timeout", type=float, default=10.0, help="seconds per symbolic strategy (default 10)")
    analyze.add_argument("--precision", type=int, default=30, help="working digits (default 30)")
    analyze.add_argument("--json", action="store_true", help="print the JSON result")
    analyze.add_argument("--latex", metavar="FILE", help="write a LaTeX derivation document")
    analyze.add_argument("--plot", metavar="FILE", help="write a plot (PNG)")
    return parser


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


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            print(seed_report())
            return 0
        problem = _problem(args)
        result = problem.stationary_points(timeout=args.timeout, precision=args.precision)
        print(result.to_json() if args.json else result.summary())
        if args.latex:
            from .present.derivation import derive
            with open(args.latex, "w") as handle:
                handle.write(derive(problem, result).to_document())
        if args.plot:
            from .present.plotting import plot
            plot(result).savefig(args.plot, dpi=100)
        return 0
    except InputError as exc:
        print(f"closedform: error: {exc}", file=sys.stderr)
        return 2
