"""The census summary (rows of :func:`closedform.census.summary`) as three panels against n, one line per
(activation, loss, d): the mean number of local minima (with its spread), the fraction of datasets with a
spurious local minimum, and the fraction whose infimum lies at infinity."""
from __future__ import annotations

PANELS = (("mean_minima", "mean number of local minima"), ("spurious", "fraction with a spurious local minimum"),
          ("at_infinity", "fraction with the infimum at infinity"))


def plot_census(rows):
    """A matplotlib Figure of the summary rows (cells without a finished dataset are left out)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    lines = {}
    for row in rows:
        if row["ok"]:
            label = (f"{row['activation']} + {row['loss']}, d = {row['d']}" + (", bias" if row["bias"] else "")
                     + ("" if row.get("box") is None else f", in [-{row['box']}, {row['box']}]^p"))
            lines.setdefault(label, []).append(row)
    figure, axes = plt.subplots(1, len(PANELS), figsize=(5 * len(PANELS), 4), constrained_layout=True)
    for axis, (field, title) in zip(axes, PANELS):
        for number, (label, group) in enumerate(sorted(lines.items())):
            group = sorted(group, key=lambda row: row["n"])
            ns = [row["n"] for row in group]
            axis.plot(ns, [row[field] for row in group], label=label, **_style(number))
            if field == "mean_minima":
                spread = [row["sd_minima"] or 0.0 for row in group]
                means = [row[field] for row in group]
                axis.fill_between(ns, [m - s for m, s in zip(means, spread)], [m + s for m, s in zip(means, spread)],
                                  alpha=0.15)
        axis.set_xscale("log")
        sizes = sorted({row["n"] for group in lines.values() for row in group})
        axis.set_xticks(sizes, [str(size) for size in sizes])
        axis.minorticks_off()
        axis.set_xlabel("n (datapoints)")
        axis.set_title(title, fontsize=10)
        if field != "mean_minima":
            axis.set_ylim(-0.05, 1.05)
        else:
            axis.set_ylim(bottom=0)  # a count: a flat line at 1 reads as one minimum, not as noise around it
    axes[0].legend(fontsize=8)
    return figure


def _style(number: int) -> dict:
    """Marker, size and dashes of the line ``number``: lines that coincide (one minimum at every n) stay visible,
    the earlier ones as larger hollow markers under the later ones."""
    return {"marker": "osD^v"[number % 5], "markersize": max(4, 11 - 2 * number), "linestyle": ("-", "--", ":", "-.")[number % 4],
            "markerfacecolor": "none" if number % 2 == 0 else None}
