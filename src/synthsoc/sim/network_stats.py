"""Degree distributions, clustering and homophily per layer, beside published reference figures."""

from __future__ import annotations

import csv
import io
from importlib import resources
from typing import Any

import numba
import numpy as np

from synthsoc.sim.agents import Agents
from synthsoc.sim.network import Graph, MultilayerNetwork


def degree_summary(degree: np.ndarray) -> dict[str, float]:
    """Mean, quantiles and maximum of a degree sequence (members of the layer only)."""
    d = degree[degree > 0]
    if d.size == 0:
        return {"members": 0, "mean": 0.0, "median": 0.0, "p90": 0.0, "p99": 0.0, "max": 0.0}
    q = np.quantile(d, [0.5, 0.9, 0.99])
    return {
        "members": int(d.size),
        "mean": float(d.mean()),
        "median": float(q[0]),
        "p90": float(q[1]),
        "p99": float(q[2]),
        "max": float(d.max()),
    }


def degree_histogram(degree: np.ndarray) -> dict[str, list[int]]:
    """Counts of members by degree in logarithmic bins (bin lower edges)."""
    d = degree[degree > 0]
    if d.size == 0:
        return {"bin_low": [], "count": []}
    edges = np.unique(np.round(np.logspace(0, np.log10(d.max() + 1), 25)).astype(np.int64))
    counts, _ = np.histogram(d, bins=np.append(edges, d.max() + 1))
    return {"bin_low": edges.tolist(), "count": counts.tolist()}


@numba.njit(cache=True)
def _has_arc(indptr: np.ndarray, indices: np.ndarray, a: int, b: int) -> bool:
    lo = indptr[a]
    hi = indptr[a + 1]
    while lo < hi:
        mid = (lo + hi) // 2
        if indices[mid] < b:
            lo = mid + 1
        else:
            hi = mid
    return lo < indptr[a + 1] and indices[lo] == b


@numba.njit(cache=True)
def _local_clustering(
    indptr: np.ndarray,
    indices: np.ndarray,
    t_indptr: np.ndarray,
    t_indices: np.ndarray,
    nodes: np.ndarray,
) -> np.ndarray:
    """Local clustering of ``nodes`` on the undirected version of a graph (arcs either way)."""
    out = np.full(nodes.size, np.nan)
    for k in range(nodes.size):
        v = nodes[k]
        nb = np.unique(
            np.concatenate(
                (indices[indptr[v] : indptr[v + 1]], t_indices[t_indptr[v] : t_indptr[v + 1]])
            )
        )
        d = nb.size
        if d < 2:
            continue
        links = 0
        for i in range(d):
            a = nb[i]
            for j in range(i + 1, d):
                b = nb[j]
                if _has_arc(indptr, indices, a, b) or _has_arc(indptr, indices, b, a):
                    links += 1
        out[k] = 2.0 * links / (d * (d - 1))
    return out


def clustering(
    graph: Graph,
    *,
    sample: int = 2000,
    seed: int = 0,
    max_degree: int = 400,
    transpose: Graph | None = None,
) -> float:
    """Mean local clustering over a random sample of members with degree 2..``max_degree``."""
    t = (transpose or graph.transpose()) if graph.directed else graph
    deg = graph.degree() + (t.degree() if graph.directed else 0)
    eligible = np.flatnonzero((deg >= 2) & (deg <= max_degree))
    if eligible.size == 0:
        return float("nan")
    rng = np.random.default_rng(seed)
    nodes = rng.choice(eligible, size=min(sample, eligible.size), replace=False)
    values = _local_clustering(graph.indptr, graph.indices, t.indptr, t.indices, nodes)
    return float(np.nanmean(values))


def homophily(
    graph: Graph, attribute: np.ndarray, *, max_arcs: int = 2_000_000, seed: int = 0
) -> dict[str, float]:
    """Share of arcs joining equal attribute values, the share expected under random mixing of the
    same arc ends, and Coleman's index ``(observed - expected) / (1 - expected)``."""
    src = np.repeat(np.arange(graph.n), graph.degree())
    dst = graph.indices
    if src.size == 0:
        return {"observed": float("nan"), "expected": float("nan"), "index": float("nan")}
    if src.size > max_arcs:
        pick = np.random.default_rng(seed).integers(0, src.size, max_arcs)
        src, dst = src[pick], dst[pick]
    a, b = attribute[src].astype(np.int64), attribute[dst].astype(np.int64)
    observed = float(np.mean(a == b))
    k = int(max(a.max(), b.max())) + 1
    p_src = np.bincount(a, minlength=k) / a.size
    p_dst = np.bincount(b, minlength=k) / b.size
    expected = float(np.sum(p_src * p_dst))
    index = (observed - expected) / (1.0 - expected) if expected < 1 else float("nan")
    return {"observed": observed, "expected": expected, "index": float(index)}


def age_correlation(graph: Graph, age: np.ndarray) -> float:
    """Pearson correlation of the two ends' ages over all arcs."""
    src = np.repeat(np.arange(graph.n), graph.degree())
    if src.size < 2:
        return float("nan")
    return float(
        np.corrcoef(age[src].astype(np.float64), age[graph.indices].astype(np.float64))[0, 1]
    )


def powerlaw_exponent(values: np.ndarray, xmin: int = 20) -> float:
    """Maximum-likelihood exponent of a discrete power-law tail (Clauset, Shalizi & Newman 2009,
    eq. 3.7 approximation) above ``xmin``."""
    x = values[values >= xmin].astype(np.float64)
    if x.size < 10:
        return float("nan")
    return float(1.0 + x.size / np.sum(np.log(x / (xmin - 0.5))))


def reference_figures() -> list[dict[str, Any]]:
    """Published figures bundled in ``data/network_reference.csv``.

    Each row has layer, statistic, value and source, and the band we accept (``low``, ``high``,
    ``band_rule``; ``None`` where no band is claimed).
    """
    text = resources.files("synthsoc.sim").joinpath("data/network_reference.csv").read_text("utf-8")
    body = "\n".join(ln for ln in text.splitlines() if not ln.startswith("#"))
    rows = list(csv.DictReader(io.StringIO(body)))
    return [
        {
            **r,
            "value": float(r["value"]),
            "low": float(r["low"]) if r["low"] else None,
            "high": float(r["high"]) if r["high"] else None,
            "band_rule": r["band_rule"] or None,
        }
        for r in rows
    ]


def online_statistics(graph: Graph, transpose: Graph, *, seed: int = 0) -> dict[str, float]:
    """The online layer's figures compared with Facebook's (Ugander et al. 2011) and Twitter's:
    median out-degree of members, mean local clustering of members with degree 80-120 (both
    directions, undirected), degree assortativity (Pearson correlation of the total degrees at
    the two ends of each arc) and the in-degree power-law exponent."""
    return {
        "median_degree": degree_summary(graph.degree())["median"],
        "clustering_at_degree_100": _clustering_near(graph, transpose, 100, seed),
        "degree_assortativity": _degree_assortativity(graph, transpose),
        "in_degree_powerlaw_exponent": powerlaw_exponent(transpose.degree()),
    }


def compare_with_reference(ref: dict[str, Any], value: float) -> dict[str, Any]:
    """One row of the comparison of a simulated statistic with its published figure: the
    band and whether the value lies within it (None where the figure has no band)."""
    banded = ref["low"] is not None and ref["high"] is not None
    return {
        "layer": ref["layer"],
        "statistic": ref["statistic"],
        "simulated": value,
        "published": ref["value"],
        "band": [ref["low"], ref["high"]] if banded else None,
        "band_rule": ref["band_rule"],
        "within": bool(ref["low"] <= value <= ref["high"]) if banded else None,
        "source": ref["source"],
    }


def network_report(net: MultilayerNetwork, agents: Agents, *, seed: int = 0) -> dict[str, Any]:
    """Per-layer statistics and a comparison table with the published reference figures."""
    layers: dict[str, Any] = {}
    transposed = {name: g.transpose() for name, g in net.layers.items() if g.directed}
    for name, graph in net.layers.items():
        t = transposed.get(name)
        entry: dict[str, Any] = {
            "arcs": graph.n_edges,
            "directed": graph.directed,
            "degree": degree_summary(graph.degree()),
            "degree_histogram": degree_histogram(graph.degree()),
            "clustering": clustering(graph, seed=seed, transpose=t),
            "homophily": {
                "age_band": homophily(graph, agents.age_band, seed=seed),
                "sido": homophily(graph, agents.sido, seed=seed),
                "sex": homophily(graph, agents.female, seed=seed),
            },
            "age_correlation": age_correlation(graph, agents.age),
        }
        if t is not None:
            in_deg = t.degree()
            entry["in_degree"] = degree_summary(in_deg)
            entry["in_degree_histogram"] = degree_histogram(in_deg)
            entry["in_degree_powerlaw_exponent"] = powerlaw_exponent(in_deg)
            entry["homophily"]["interest"] = homophily(graph, agents.interest, seed=seed)
        layers[name] = entry
    hh_size = np.bincount(agents.household)
    comparison = []
    simulated = {
        ("household", "mean_household_size"): float(hh_size[hh_size > 0].mean()),
        ("household", "one_person_household_pct"): float(np.mean(hh_size[hh_size > 0] == 1) * 100),
        ("all_offline", "mean_daily_contacts"): float(
            np.sum(
                [net.layers[k].degree() for k in ("household", "work", "school", "neighbourhood")],
                axis=0,
            ).mean()
        ),
    }
    online = online_statistics(net.layers["online"], transposed["online"], seed=seed)
    simulated.update({("online", k): v for k, v in online.items()})
    for ref in reference_figures():
        value = simulated.get((ref["layer"], ref["statistic"]), float("nan"))
        comparison.append(compare_with_reference(ref, value))
    return {"n_agents": net.n, "layers": layers, "comparison": comparison}


def _clustering_near(graph: Graph, t: Graph, degree: int, seed: int) -> float:
    deg = graph.degree() + t.degree()
    nodes = np.flatnonzero((deg >= degree * 0.8) & (deg <= degree * 1.2))
    if nodes.size == 0:
        return float("nan")
    rng = np.random.default_rng(seed)
    nodes = rng.choice(nodes, size=min(300, nodes.size), replace=False)
    return float(
        np.nanmean(_local_clustering(graph.indptr, graph.indices, t.indptr, t.indices, nodes))
    )


def _degree_assortativity(graph: Graph, t: Graph) -> float:
    deg = graph.degree() + t.degree()
    src = np.repeat(np.arange(graph.n), graph.degree())
    if src.size < 2:
        return float("nan")
    return float(
        np.corrcoef(deg[src].astype(np.float64), deg[graph.indices].astype(np.float64))[0, 1]
    )
