"""Plots, read off the Figure objects (real matplotlib, Agg): the colour scale turns logarithmic exactly when the
loss spans decades; the arrangement lines are the distinct data directions counted by hand; relu's affine and
flat stationary sets are drawn where the hand computation puts them; points are marked by kind at the known
coordinates; the numbers of the zeros at infinity touch no arrow and no other number; the step plot is titled
and marks the line minimum and the Newton point where hand algebra (or scipy) puts them."""
from fractions import Fraction

import matplotlib
import numpy as np
import pytest
import sympy as sp
from matplotlib.colors import LogNorm, Normalize

import closedform as cf
from closedform.kinds import RegionKind
from closedform.present.colours import colour_scale
from closedform.present.plotting import plot
from closedform.result import StationarySet
from closedform.solve.parts import Asymptote, Region

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _by_gid(ax, gid):
    return [a for a in ax.get_children() if getattr(a, "get_gid", lambda: None)() == gid]


def _legend_texts(fig):
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def _loss_contours(ax):
    found = [c for c in ax.collections if c.get_gid() == "loss"]
    assert len(found) == 1
    return found[0]


def _bare(neuron, **parts):
    """A result carrying only the given parts: the plot of exactly these, without running the solver."""
    return StationarySet(neuron, **parts)


# --- the colour scale ---------------------------------------------------------------------------------------

def test_colour_scale_function_decides_by_decades():
    ramp = np.linspace(0, 1, 10001)  # lower quartile of E - min E is 1/4 of its maximum: linear
    values, norm, levels, label = colour_scale(ramp)
    assert type(norm) is Normalize and label == "loss E" and levels[0] <= 0 and levels[-1] >= 1
    steep = np.exp(np.linspace(0, 20, 10001))  # spans 20 / ln 10 ~ 8.7 decades: log of E - min E
    values, norm, levels, label = colour_scale(steep)
    assert isinstance(norm, LogNorm) and label.startswith("E - 1 ")
    assert norm.vmax == pytest.approx(np.exp(20) - 1) and 0 < norm.vmin < 0.1
    assert np.all(values >= norm.vmin)
    values, norm, levels, label = colour_scale(np.full(50, 3.0))
    assert "constant" in label and levels[0] < 3 < levels[-1]


def test_exp_loss_spanning_decades_is_coloured_on_a_log_scale():
    data = [((1, 0), 1), ((0, 1), 2), ((1, 1), 3)]
    # independent: E on the plotted box [-8, 8]^2 by hand spans far more than two decades above its minimum
    axis = np.linspace(-8, 8, 241)
    W = np.stack(np.meshgrid(axis, axis), -1).reshape(-1, 2)
    X, t = np.array([x for x, _ in data], float), np.array([y for _, y in data], float)
    above = 0.5 * ((np.exp(W @ X.T) - t) ** 2).sum(1)
    above -= above.min()
    assert above.max() > 100 * np.percentile(above[above > 0], 25)
    fig = plot(cf.Neuron("exp", data=data).stationary_points(timeout=10))
    ax = fig.axes[0]
    assert isinstance(_loss_contours(ax).norm, LogNorm)
    bar = _loss_contours(ax).colorbar.ax
    assert bar.get_ylabel().startswith("E - ") and "log scale" in bar.get_ylabel()


def test_quadratic_loss_is_coloured_linearly():
    fig = plot(cf.Neuron("identity", data=[((1, 0), 1), ((0, 1), 2), ((1, 1), 4)]).stationary_points())
    ax = fig.axes[0]
    assert type(_loss_contours(ax).norm) is Normalize
    assert _loss_contours(ax).colorbar.ax.get_ylabel() == "loss E"


# --- arrangement lines --------------------------------------------------------------------------------------

def test_one_arrangement_line_per_data_direction():
    # (1, 0), (0, 1), (1, 1); (2, 2) is parallel to (1, 1), (-3, 0) to (1, 0): three lines by hand
    neuron = cf.Neuron("relu", data=[((1, 0), 1), ((0, 1), 2), ((1, 1), 1), ((2, 2), 2), ((-3, 0), 1)])
    ax = plot(_bare(neuron)).axes[0]
    lines = _by_gid(ax, "arrangement")
    assert len(lines) == 3
    directions = sorted(tuple(np.round(np.diff(np.array(line.get_xydata()), axis=0)[0] /
                                       np.linalg.norm(np.diff(np.array(line.get_xydata()), axis=0)[0]), 9) * s)
                        for line in lines for s in (1, -1))
    # each line is orthogonal to its data direction: along (0, 1), (1, 0) and (1, -1)/sqrt 2, either sign
    r = round(1 / np.sqrt(2), 9)
    expected = sorted([(0.0, 1.0), (0.0, -1.0), (1.0, 0.0), (-1.0, 0.0), (r, -r), (-r, r)])
    assert np.allclose(directions, expected)
    assert any("x_i.w = 0" in text and "3 lines" in text for text in _legend_texts(ax.figure))


def test_arrangement_with_a_bias_uses_the_extended_inputs():
    # x~ = (1, 1), (2, 1), (-1, 1): three lines x w + b = 0, each orthogonal to one extended input
    neuron = cf.Neuron("relu", data=[(1, 1), (2, 3), (-1, 0)], bias=True)
    fig = plot(_bare(neuron))
    lines = _by_gid(fig.axes[0], "arrangement")
    assert len(lines) == 3
    for line in lines:
        along = np.diff(np.array(line.get_xydata()), axis=0)[0]
        assert min(abs(along @ np.array(x)) / np.linalg.norm(along) for x in [(1, 1), (2, 1), (-1, 1)]) < 1e-12
    assert any("x_i.w + b = 0" in text for text in _legend_texts(fig))


def test_too_many_arrangement_lines_are_left_out():
    neuron = cf.Neuron("identity", data=[((1, k), k) for k in range(31)])  # 31 distinct directions
    ax = plot(_bare(neuron)).axes[0]
    assert _by_gid(ax, "arrangement") == []
    neuron = cf.Neuron("identity", data=[((1, k), k) for k in range(30)])  # 30: still drawn
    assert len(_by_gid(plot(_bare(neuron)).axes[0], "arrangement")) == 30


# --- stationary sets and points -----------------------------------------------------------------------------

RELU = {"activation": "relu", "data": [((1, 0), 1), ((0, 1), 2), ((1, 1), 1)]}


@pytest.fixture(scope="module")
def relu_result():
    return cf.Neuron(**RELU).stationary_points(timeout=10)


def test_relu_affine_lines_lie_where_the_hand_computation_puts_them(relu_result):
    # where only x3 = (0, 1) is active (w1 <= 0, w2 > 0, w1 + w2 <= 0): E = (w2 - 2)^2/2 + 1, stationary on
    # w2 = 2, w1 <= -2; where only x1 = (1, 0) is active: w1 = 1, w2 <= -1.
    fig = plot(relu_result)
    ax = fig.axes[0]
    lines = _by_gid(ax, "affine-line")
    assert len(lines) == 2
    segments = [np.array(line.get_xydata())[np.isfinite(np.array(line.get_xydata())).all(1)] for line in lines]
    horizontal = next(s for s in segments if np.ptp(s[:, 1]) == 0)
    vertical = next(s for s in segments if np.ptp(s[:, 0]) == 0)
    assert np.all(horizontal[:, 1] == 2) and horizontal[:, 0].max() == pytest.approx(-2, abs=0.02)
    assert horizontal[:, 0].min() < -8  # runs out of the plot
    assert np.all(vertical[:, 0] == 1) and vertical[:, 1].max() == pytest.approx(-1, abs=0.02)
    assert _by_gid(ax, "flat"), "the dead quadrant w1 <= 0, w2 <= 0 is shaded"
    legend = _legend_texts(fig)
    assert "a line of stationary points" in legend and any(t.startswith("flat region") for t in legend)


def test_points_are_marked_by_kind_at_the_known_coordinates(relu_result):
    # all active: least squares [[2, 1], [1, 2]] w = (2, 3) -> (1/3, 4/3), a min; (-1, 2) a min (x2, x3 active);
    # (1, 0) a saddle on the kink w2 = 0
    ax = plot(relu_result).axes[0]
    marks = {(round(float(line.get_xdata()[0]), 9), round(float(line.get_ydata()[0]), 9)): line.get_marker()
             for line in _by_gid(ax, "stationary-point")}
    assert marks == {(round(1 / 3, 9), round(4 / 3, 9)): "o", (-1.0, 2.0): "o", (1.0, 0.0): "s"}
    legend = _legend_texts(ax.figure)
    assert "min" in legend and "saddle" in legend


def test_an_area_of_stationary_points_is_shaded_and_a_point_set_marked():
    neuron = cf.Neuron("relu", data=[((1, 0), 1), ((0, 1), 2)])
    w1, w2 = neuron.weights
    s1, s2 = sp.symbols("s1 s2", real=True)
    area = Region(RegionKind.AFFINE, "area", sp.And(sp.Eq(w1, s1), sp.Eq(w2, s2), w1 >= 1, w2 >= 1))
    point = Region(RegionKind.AFFINE, "point", sp.And(sp.Eq(w1, -3), sp.Eq(w2, 5)))
    fig = plot(_bare(neuron, regions=[area, point]))
    ax = fig.axes[0]
    assert len(_by_gid(ax, "affine-area")) == 1 and _by_gid(ax, "affine-line") == []
    (mark,) = _by_gid(ax, "stationary-set")
    assert (mark.get_xdata()[0], mark.get_ydata()[0]) == (-3, 5)
    assert "an area of stationary points" in _legend_texts(fig)


def test_a_rank_deficient_minimum_is_marked_in_the_reduced_variables():
    # c = (w1 + w3, w2 + w3); each sample fitted exactly: sigmoid(c1) = 1/3, sigmoid(c2) = 3/4
    result = cf.Neuron("sigmoid", data=[((1, 0, 1), "1/3"), ((0, 1, 1), "3/4")]).stationary_points(timeout=10)
    (mark,) = _by_gid(plot(result).axes[0], "stationary-set")
    assert mark.get_marker() == "o"
    assert mark.get_xdata()[0] == pytest.approx(np.log(1 / 2)) and mark.get_ydata()[0] == pytest.approx(np.log(3))


# --- the zeros at infinity ----------------------------------------------------------------------------------

def _boxes(fig, ax):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    arrows = [a.arrow_patch.get_window_extent(renderer) for a in _by_gid(ax, "asymptote")]
    labels = [t.get_window_extent(renderer) for t in _by_gid(ax, "asymptote-label")]
    texts = [t.get_window_extent(renderer) for t in fig.findobj(matplotlib.text.Text)
             if t.get_text() and t.get_visible() and t.figure is fig]
    return arrows, labels, texts, ax.get_window_extent(renderer)


def _assert_clean(fig, count):
    ax = fig.axes[0]
    arrows, labels, texts, frame = _boxes(fig, ax)
    assert len(arrows) == len(labels) == count
    assert not [(t, a) for t in texts for a in arrows if t.overlaps(a)], "a text crosses an arrow"
    assert not [(i, j) for i in range(count) for j in range(i) if labels[i].overlaps(labels[j])]
    assert all(frame.contains(b.x0, b.y0) and frame.contains(b.x1, b.y1) for b in labels)
    # each number sits on its own arrow's side: along its direction, beyond its tip
    for label, arrow in zip(_by_gid(ax, "asymptote-label"), _by_gid(ax, "asymptote")):
        tip, position = np.array(arrow.xy), np.array(label.get_position())
        assert position @ tip / (np.linalg.norm(position) * np.linalg.norm(tip)) > 0.97
        assert np.linalg.norm(position) > np.linalg.norm(tip)
    numbers = [t for t in _legend_texts(fig) if t.startswith("zero at infinity along")]
    assert len(numbers) == count


def test_numbers_of_crowded_arrows_touch_no_arrow_and_no_other_number():
    neuron = cf.Neuron("sigmoid", data=[((1, 0), "1/5"), ((0, 1), "7/10")])
    directions = [(1, 0), (10, 1), (10, -1), (5, 1), (0, 1), (-1, 1), (-10, 1), (-1, -10), (1, -10), (0, -1)]
    asymptotes = [Asymptote(tuple(sp.Integer(v) for v in d), sp.Rational(k, 7), "test")
                  for k, d in enumerate(directions)]
    _assert_clean(plot(_bare(neuron, asymptotic=asymptotes)), len(directions))


def test_sigmoid_zeros_at_infinity_are_numbered_cleanly(solved):
    # 6 open cells and 6 rays inside the 3 lines (every saturated sigmoid + mse term has g -> 0); a short
    # timeout would leave the faces to chance. The same run as test_present's 2-D plot test (shared: solved)
    result = solved({"timeout": 30}, data=[((1, 0), "1/5"), ((0, 1), "7/10"), ((1, 1), "1/2")])
    assert len(result.asymptotic) == 12 and sum(a.finite_part is None for a in result.asymptotic) == 6
    _assert_clean(plot(result), 12)
    assert "zero at infinity along (-1, -1): loss -> 39/100" in _legend_texts(plot(result))


# --- the step plot ------------------------------------------------------------------------------------------

def _marker(ax, gid):
    (line,) = [line for line in ax.get_lines() if line.get_gid() == gid]
    return float(line.get_xdata()[0]), float(line.get_ydata()[0])


def test_step_plot_marks_the_line_minimum_of_a_quadratic_loss():
    # E = sum (x.w - t)^2 / 2 at w0 = 0: g = -(5, 6), H = [[2, 1], [1, 2]]; along w0 - s g the minimum is at
    # s = |g|^2 / g.H g = 61/182, and the Newton point (4/3, 7/3) is off the line (g is no eigenvector of H)
    model = cf.local_model(cf.Neuron("identity", data=[((1, 0), 1), ((0, 1), 2), ((1, 1), 4)]), [0, 0])
    fig = model.plot()
    ax = fig.axes[0]
    s = Fraction(61, 182)
    w = (5 * s, 6 * s)
    E = Fraction(1, 2) * ((w[0] - 1) ** 2 + (w[1] - 2) ** 2 + (w[0] + w[1] - 4) ** 2)
    assert _marker(ax, "line-minimum") == pytest.approx((float(s), float(E)), rel=1e-9)
    assert _marker(ax, "quadratic-minimum") == pytest.approx((float(s), float(E)), rel=1e-9)
    assert [line for line in ax.get_lines() if line.get_gid() == "newton-point"] == []
    title = ax.get_title()
    assert title.startswith("Is a gradient step only linear?") and "w0 = (0, 0)" in title
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(t.startswith("Newton point w0 - H^-1 g: off this line") for t in legend)
    assert any(t.startswith("minimum of E along the line: s = 0.3352") for t in legend)


def test_step_plot_marks_the_newton_point_on_a_one_dimensional_line():
    # E = ((w - 1)^2 + (2w - 3)^2) / 2 from w0 = 0: g = -7, H = 5, Newton point 7/5 = w0 - s g at s = 1/5,
    # where E = ((2/5)^2 + (1/5)^2) / 2 = 1/10 -- the line minimum too
    fig = cf.local_model(cf.Neuron("identity", data=[(1, 1), (2, 3)]), [0]).plot()
    ax = fig.axes[0]
    assert _marker(ax, "newton-point") == pytest.approx((0.2, 0.1), rel=1e-12)
    assert _marker(ax, "line-minimum") == pytest.approx((0.2, 0.1), rel=1e-9)
    assert "w0 = (0)" in ax.get_title()


def test_step_plot_line_minimum_of_a_sigmoid_agrees_with_scipy():
    from scipy.optimize import minimize_scalar
    model = cf.local_model(cf.Neuron("sigmoid", data=[(1, "1/3"), (2, "3/4")]), [1])
    ax = model.plot().axes[0]
    g = float(model.gradient[0])

    def along(s):
        w = 1 - s * g
        return 0.5 * ((1 / (1 + np.exp(-w)) - 1 / 3) ** 2 + (1 / (1 + np.exp(-2 * w)) - 3 / 4) ** 2)

    best = minimize_scalar(along, bounds=(0, float(model.steps[-1])), method="bounded", options={"xatol": 1e-10})
    s, E = _marker(ax, "line-minimum")
    assert s == pytest.approx(best.x, abs=0.02) and E == pytest.approx(best.fun, rel=1e-4)
    # the Newton point lies on the line (one weight) but far beyond the steps shown: said, not drawn
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("on this line at s = 209.2, beyond the steps shown" in t for t in legend)
    assert [line for line in ax.get_lines() if line.get_gid() == "newton-point"] == []


def test_a_long_legend_stays_inside_the_figure(solved):
    """Rays inside faces name their start w0, so the legend entries are long: one column, and the figure grows
    to hold it (it used to run off both sides). The same run as test_pipeline's ray-inside-a-face test."""
    r = solved({"timeout": 30}, dim=2, data=[((2, 0), "1/4"), ((0, 1), "3/5"), ((1, 2), "1/2")])
    fig = r.plot()
    fig.canvas.draw()
    box, frame = fig.legends[0].get_window_extent(), fig.bbox
    assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
    assert any("from w0 = (0, 0.4055)" in t.get_text() for t in fig.legends[0].get_texts())
