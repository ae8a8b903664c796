"""The report's plots as plotly figures, each built from the tables of a run folder."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from atomlearn.evaluate.learning_curves import summarize_curve

WIDTH, HEIGHT = 560, 420
MAP_SIZE = (900, 680)  # the map holds every structure: larger than the other plots
TRAIN, TEST, DUMMY = "#9aa5b1", "#d9480f", "#1c7ed6"
SVG_POINTS = 5000  # up to this many points: SVG (prints everywhere); beyond: WebGL (fast)


def _scatter(n_points: int, **kwargs) -> go.Scatter | go.Scattergl:
    return (go.Scatter if n_points <= SVG_POINTS else go.Scattergl)(**kwargs)


def styled_figure(fig: go.Figure, title: str, x: str, y: str, height: int = HEIGHT) -> go.Figure:
    """Give a figure the report's look: title, axis titles, size, white template.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
    title, x, y : str
        Figure and axis titles.
    height : int
        Pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        ``fig``, changed in place.
    """
    fig.update_layout(
        title=title,
        xaxis_title=x,
        yaxis_title=y,
        width=WIDTH,
        height=height,
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend={"orientation": "h", "y": -0.18},
    )
    return fig


def parity(predictions: pd.DataFrame, label: str) -> go.Figure:
    """Predicted against true for train and test structures, the y = x line and the dummy baseline."""
    used = predictions.dropna(subset=["y_pred"])
    fig = go.Figure()
    for part, colour, size in (("train", TRAIN, 4), ("test", TEST, 6)):
        rows = used[used["set"] == part]
        fig.add_trace(
            _scatter(
                len(used),
                x=rows["y_true"],
                y=rows["y_pred"],
                mode="markers",
                name=f"{part} ({len(rows)})",
                marker={"color": colour, "size": size, "opacity": 0.7},
                text=rows["id"],
                hovertemplate="%{text}<br>true %{x:.4g}<br>predicted %{y:.4g}<extra></extra>",
            )
        )
    low, high = float(used[["y_true", "y_pred"]].min().min()), float(used[["y_true", "y_pred"]].max().max())
    fig.add_trace(
        go.Scatter(x=[low, high], y=[low, high], mode="lines", name="y = x", line={"color": "black", "width": 1})
    )
    if "y_dummy" in used:
        mean = float(used["y_dummy"].iloc[0])
        fig.add_trace(
            go.Scatter(
                x=[low, high],
                y=[mean, mean],
                mode="lines",
                name="dummy (training mean)",
                line={"color": DUMMY, "dash": "dash"},
            )
        )
    return styled_figure(fig, "Parity", f"true {label}", f"predicted {label}")


def residuals(predictions: pd.DataFrame, label: str) -> go.Figure:
    """Test residuals against the prediction: structure left in the errors shows here."""
    test = predictions[(predictions["set"] == "test")].dropna(subset=["y_pred"])
    fig = go.Figure(
        _scatter(
            len(test),
            x=test["y_pred"],
            y=test["y_pred"] - test["y_true"],
            mode="markers",
            text=test["id"],
            marker={"color": TEST, "size": 6, "opacity": 0.7},
            hovertemplate="%{text}<br>predicted %{x:.4g}<br>residual %{y:.4g}<extra></extra>",
        )
    )
    fig.add_hline(y=0, line={"color": "black", "width": 1})
    return styled_figure(fig, "Test residuals", f"predicted {label}", f"predicted − true {label}")


def learning_curve(curve: pd.DataFrame, label: str) -> go.Figure:
    """Train and test MAE against training size (log–log), mean ± std over repeats."""
    table, _ = summarize_curve(curve)
    fig = go.Figure()
    for column, colour in (("train_mae", TRAIN), ("test_mae", TEST)):
        fig.add_trace(
            go.Scatter(
                x=table.index,
                y=table[column],
                name=column.replace("_mae", ""),
                error_y={"type": "data", "array": table[f"{column}_std"]},
                mode="lines+markers",
                line={"color": colour},
            )
        )
    mae = pd.concat([table["train_mae"], table["test_mae"]])
    fig.update_xaxes(type="log", **_log_ticks(table.index.to_numpy(dtype=float)))
    fig.update_yaxes(type="log", **_log_ticks(mae.to_numpy(dtype=float)))
    return styled_figure(fig, "Learning curve", "training structures", f"MAE ({label})")


def _log_ticks(values: np.ndarray) -> dict:
    """Ticks at 1, 2 and 5 times each power of ten within the data, written out in full (plotly's own
    log labels ran together as "5 6 7 8 9 100 2 3 4")."""
    finite = values[np.isfinite(values) & (values > 0)]
    if not len(finite):
        return {}
    low, high = np.floor(np.log10(finite.min())), np.ceil(np.log10(finite.max()))
    ticks = [m * 10.0**e for e in np.arange(low, high + 1) for m in (1, 2, 5)]
    ticks = [t for t in ticks if finite.min() / 1.5 <= t <= finite.max() * 1.5] or [float(finite.min())]
    return {"tickvals": ticks, "ticktext": [f"{t:g}" for t in ticks]}


def importance(table: pd.DataFrame, title: str, unit: str, top: int = 15) -> go.Figure:
    """Horizontal bars of the mean rise of the error when a feature (group) is shuffled, ± std."""
    shown = table.head(top).iloc[::-1]
    names = [name if len(name) < 45 else name[:42] + "..." for name in shown["feature"]]
    fig = go.Figure(
        go.Bar(
            x=shown["importance_mean"],
            y=names,
            orientation="h",
            marker={"color": TEST},
            error_x={"type": "data", "array": shown["importance_std"]},
            hovertext=shown["feature"],
        )
    )
    return styled_figure(fig, title, f"rise of the test error ({unit})", "", height=max(HEIGHT, 24 * len(shown) + 120))


def lasso_path(path: pd.DataFrame, top: int = 12) -> go.Figure:
    """LASSO coefficients along λ (log axis); the features that enter first are drawn."""
    features = [c for c in path.columns if c not in ("alpha", "n_nonzero")]
    entry = {f: (path[f] != 0).to_numpy().argmax() if (path[f] != 0).any() else len(path) for f in features}
    fig = go.Figure()
    for feature in sorted(features, key=entry.get)[:top]:
        fig.add_trace(go.Scatter(x=path["alpha"], y=path[feature], mode="lines", name=feature))
    fig.update_xaxes(type="log", autorange="reversed", exponentformat="power", dtick=1)  # λ spans decades
    return styled_figure(fig, "LASSO path (standardised features)", "λ", "coefficient", height=HEIGHT + 60)


def feature_map(coordinates: pd.DataFrame, method: str, label: str) -> go.Figure:
    """The 2-D map coloured by the target, test structures ringed; the id on hover."""
    fig = go.Figure(
        _scatter(
            len(coordinates),
            x=coordinates["dim1"],
            y=coordinates["dim2"],
            mode="markers",
            text=coordinates["id"],
            customdata=np.stack([coordinates["y"], coordinates["set"]], axis=-1),
            marker={
                "color": coordinates["y"],
                "colorscale": "Viridis",
                "size": 6,
                "colorbar": {"title": {"text": label}},
                "line": {"color": np.where(coordinates["set"] == "test", TEST, "rgba(0,0,0,0)"), "width": 1},
            },
            hovertemplate="%{text}<br>%{customdata[0]:.4g} (%{customdata[1]})<extra></extra>",
        )
    )
    fig = styled_figure(fig, f"{method.upper()} map of the structures", f"{method} 1", f"{method} 2")
    return fig.update_layout(width=MAP_SIZE[0], height=MAP_SIZE[1])


def confirmed_parity(predictions: pd.DataFrame, confirmed: pd.DataFrame, label: str) -> go.Figure:
    """The test set and the newly simulated predicted best: simulated (± 2 SE) against predicted."""
    test = predictions[predictions["set"] == "test"].dropna(subset=["y_pred"])
    fig = go.Figure(
        _scatter(
            len(test),
            x=test["y_pred"],
            y=test["y_true"],
            mode="markers",
            name=f"test set ({len(test)})",
            marker={"color": TRAIN, "size": 5, "opacity": 0.7},
            text=test["id"],
            hovertemplate="%{text}<br>predicted %{x:.3g}<br>simulated %{y:.3g}<extra></extra>",
        )
    )
    done = confirmed.dropna(subset=["simulated"])
    fig.add_trace(
        go.Scatter(
            x=done["predicted"],
            y=done["simulated"],
            mode="markers",
            name=f"predicted best, simulated ({len(done)})",
            error_y={"type": "data", "array": 2 * done["simulated_se"], "visible": True},
            marker={"color": TEST, "size": 9, "symbol": "diamond"},
            text=done["id"],
            hovertemplate="%{text}<br>predicted %{x:.3g}<br>simulated %{y:.3g}<extra></extra>",
        )
    )
    values = pd.concat([test["y_pred"], test["y_true"], done["predicted"], done["simulated"]])
    low, high = float(values.min()), float(values.max())
    fig.add_trace(
        go.Scatter(x=[low, high], y=[low, high], mode="lines", name="y = x", line={"color": "black", "width": 1})
    )
    return styled_figure(fig, "The surrogate's claim checked", f"predicted {label}", f"simulated {label}")


def screened_distribution(screened: pd.DataFrame, label: str, top: int) -> go.Figure:
    """Histogram of the predicted target of every screened structure, with the simulated sample beside it."""
    predicted = screened.loc[screened["p_open"] >= 0.5, "predicted"].dropna()
    simulated = screened["simulated"].dropna()
    fig = go.Figure()
    fig.add_trace(
        go.Histogram(
            x=predicted,
            name=f"predicted, shortlist ({len(predicted)})",
            histnorm="probability density",
            marker={"color": DUMMY},
            opacity=0.6,
            nbinsx=60,
        )
    )
    fig.add_trace(
        go.Histogram(
            x=simulated,
            name=f"simulated sample ({len(simulated)})",
            histnorm="probability density",
            marker={"color": TEST},
            opacity=0.6,
            nbinsx=30,
        )
    )
    if len(predicted) >= top:
        fig.add_vline(
            x=float(predicted.nlargest(top).min()),
            line={"color": "black", "dash": "dash"},
            annotation_text=f"predicted top {top}",
        )
    fig.update_layout(barmode="overlay")
    return styled_figure(fig, "Screened MOFs", label, "density")


def _front_line(x: pd.Series, y: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The Pareto front (both maximised) of the points as a staircase, left to right."""
    points = pd.DataFrame({"x": x, "y": y}).dropna().sort_values(["x", "y"], ascending=False)
    front = points[points["y"] > points["y"].cummax().shift(fill_value=-np.inf)].sort_values("x")
    return front["x"].to_numpy(), front["y"].to_numpy()


def uptake_selectivity(screened: pd.DataFrame, confirmed: pd.DataFrame) -> go.Figure:
    """CO2 uptake against CO2/N2 selectivity (log10): the surrogate's predictions (the shortlist) with their
    Pareto front, everything simulated, and the confirmed (simulated, ± 2 SE) with the front of all simulated."""
    predicted = screened.dropna(subset=["predicted_uptake", "predicted_selectivity"])
    fig = go.Figure(
        _scatter(
            len(predicted),
            x=predicted["predicted_uptake"],
            y=predicted["predicted_selectivity"],
            mode="markers",
            name=f"predicted, shortlist ({len(predicted)})",
            text=predicted["id"],
            marker={"color": TRAIN, "size": 4, "opacity": 0.5},
            hovertemplate="%{text}<br>uptake %{x:.3g}<br>selectivity %{y:.3g}<extra></extra>",
        )
    )
    x, y = _front_line(predicted["predicted_uptake"], predicted["predicted_selectivity"])
    fig.add_trace(
        go.Scatter(
            x=x, y=y, mode="lines+markers", line={"color": DUMMY, "shape": "hv"}, name="Pareto front of the predictions"
        )
    )
    sample = screened.dropna(subset=["simulated_uptake", "simulated_selectivity"])
    fig.add_trace(
        go.Scatter(
            x=sample["simulated_uptake"],
            y=sample["simulated_selectivity"],
            mode="markers",
            name=f"simulated: random sample and active screen ({len(sample)})",
            text=sample["id"],
            marker={"color": "#2b8a3e", "size": 6, "symbol": "circle-open"},
            hovertemplate="%{text}<br>uptake %{x:.3g}<br>selectivity %{y:.3g}<extra></extra>",
        )
    )
    done = confirmed.dropna(subset=["simulated_uptake", "simulated_selectivity"])
    fig.add_trace(
        go.Scatter(
            x=done["simulated_uptake"],
            y=done["simulated_selectivity"],
            mode="markers",
            name=f"predicted best, simulated ({len(done)})",
            text=done["id"],
            error_x={"type": "data", "array": 2 * done["simulated_uptake_se"], "visible": True},
            error_y={"type": "data", "array": 2 * done["simulated_selectivity_se"], "visible": True},
            marker={"color": TEST, "size": 9, "symbol": "diamond"},
            hovertemplate="%{text}<br>uptake %{x:.3g}<br>selectivity %{y:.3g}<extra></extra>",
        )
    )
    x, y = _front_line(
        pd.concat([sample["simulated_uptake"], done["simulated_uptake"]]),
        pd.concat([sample["simulated_selectivity"], done["simulated_selectivity"]]),
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="lines",
            line={"color": TEST, "shape": "hv", "dash": "dash"},
            name="Pareto front of the simulated",
        )
    )
    return styled_figure(
        fig,
        "Carbon capture: uptake against selectivity",
        "log10 CO2 uptake at 0.15 bar (mol/kg)",
        "log10 CO2/N2 selectivity (15:85, 1 bar)",
        height=520,
    )
