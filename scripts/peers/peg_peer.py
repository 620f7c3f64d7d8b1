#!/usr/bin/env python3
"""An outside check of `genobench peg`: recompute every number of PREFIX.peg.tsv from the
inputs the backends saw (written by `genobench peg --dump-problem`).

mrpeg (gusevlab/mrpeg, Python/JAX) is not on PyPI and its source could not be fetched here,
so the peer is its `infer_peg` written out from the spec (peg.md §5-6), in numpy/scipy, the
way mrpeg computes it: a general dense inverse of V (`numpy.linalg.inv`, as mrpeg's
`jnp.linalg.inv`), W = D^-1 V^-1 D^-1, all genes at once, the Student-t p by scipy, the null
from permuting the rows of the perturbation matrix jointly (x^pi = z * Pi[pi]), and
p = min(1, 2 min(p_hi, p_lo)) with the +1 correction, counted with >= and <= exactly as
mrpeg does (no tie rule). Independently, statsmodels fits each gene as a GLS through the
origin with Sigma = D V D (WLS with weights 1/s^2 when V = I): params, bse and the t p-value
on k - 1 degrees of freedom are mrpeg's gamma, gamma_se and gamma_p.

    genobench peg ... --dump-problem --out run
    python3 scripts/peers/peg_peer.py run [--alt]

Prints the largest differences and the number of genes whose permutation counts differ.
Needs numpy, scipy, statsmodels (pip install numpy scipy statsmodels).
"""
import sys
import time

import numpy as np
import scipy.stats
import statsmodels.api as sm


def read_table(path):
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    return header, rows


def load(prefix):
    header, rows = read_table(prefix + ".problem.tsv")
    genes = header[5:]
    beta = np.array([float(r[2]) for r in rows])
    se = np.array([float(r[3]) for r in rows])
    z = np.array([float(r[4]) for r in rows])
    pi = np.array([[float(v) for v in r[5:]] for r in rows])
    k = len(beta)
    v = np.eye(k)
    try:
        _, ld = read_table(prefix + ".ld.tsv")
        v = np.zeros((k, k))
        for i, j, x in ld:
            v[int(i), int(j)] = v[int(j), int(i)] = float(x)
    except FileNotFoundError:
        pass
    perms = np.loadtxt(prefix + ".perms.tsv", dtype=np.int64, ndmin=2)
    out_header, out_rows = read_table(prefix + ".peg.tsv")
    result = {name: np.array([float(r[i]) for r in out_rows]) for i, name in enumerate(out_header) if i >= 6}
    result["gene_name"] = [r[2] for r in out_rows]
    return genes, beta, se, z, pi, v, perms, result


def infer_peg(beta, se, z, pi, v, perms, alt):
    """mrpeg's estimator and permutation null, written from spec peg.md §5-6."""
    k = len(beta)
    d_inv = np.diag(1 / se)
    v_inv = np.linalg.inv(v)
    w = d_inv @ v_inv @ d_inv
    x = z[:, None] * pi

    def regressor(xm):
        return np.diag(se) @ v @ d_inv @ v_inv @ xm if alt else xm

    m = regressor(x)
    den = np.einsum("ij,ik,kj->j", m, w, m)
    gamma = (m.T @ w @ beta) / den
    e = beta[:, None] - m * gamma
    sigma2 = np.einsum("ij,ik,kj->j", e, w, e) / (k - 1)
    gamma_se = np.sqrt(sigma2 / den)
    gamma_p = 2 * scipy.stats.t.sf(np.abs(gamma / gamma_se), k - 1)
    null = np.empty((len(perms), pi.shape[1]))
    for p, perm in enumerate(perms):
        mp = regressor(z[:, None] * pi[perm])
        null[p] = (mp.T @ w @ beta) / np.einsum("ij,ik,kj->j", mp, w, mp)
    count = len(perms)
    p_hi = ((null >= gamma).sum(0) + 1) / (count + 1)
    p_lo = ((null <= gamma).sum(0) + 1) / (count + 1)
    return {"gamma": gamma, "gamma_se": gamma_se, "gamma_p": gamma_p, "gamma_perm_mean": null.mean(0),
            "gamma_perm_z": (gamma - null.mean(0)) / null.std(0), "gamma_null_p": np.minimum(1, 2 * np.minimum(p_hi, p_lo)),
            "count_hi": (null >= gamma).sum(0), "count_lo": (null <= gamma).sum(0)}


def statsmodels_fit(beta, se, z, pi, v):
    sigma = np.diag(se) @ v @ np.diag(se)
    identity = np.array_equal(v, np.eye(len(beta)))
    out = {"gamma": [], "gamma_se": [], "gamma_p": []}
    for j in range(pi.shape[1]):
        x = (z * pi[:, j])[:, None]
        fit = sm.WLS(beta, x, weights=1 / se**2).fit() if identity else sm.GLS(beta, x, sigma=sigma).fit()
        out["gamma"].append(fit.params[0])
        out["gamma_se"].append(fit.bse[0])
        out["gamma_p"].append(fit.pvalues[0])
    return {k: np.array(v) for k, v in out.items()}


def rel(a, b, floor=0.0):
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), floor))) if len(a) else 0.0


def main(argv):
    prefix = argv[1]
    alt = "--alt" in argv
    genes, beta, se, z, pi, v, perms, ours = load(prefix)
    assert ours["gene_name"] == genes, "gene order differs between the table and the dump"
    t0 = time.perf_counter()
    peer = infer_peg(beta, se, z, pi, v, perms, alt)
    t1 = time.perf_counter()
    print(f"{prefix}: k = {len(beta)}, t = {len(genes)}, P = {len(perms)}, V = {'I' if np.array_equal(v, np.eye(len(beta))) else 'dense'}{', --alt' if alt else ''}")
    print(f"numpy infer_peg peer: {t1 - t0:.3f} s")
    se_floor = peer["gamma_se"]
    print(f"  gamma            max |diff| / max(|gamma|, se) = {float(np.max(np.abs(ours['gamma'] - peer['gamma']) / np.maximum(np.abs(peer['gamma']), se_floor))):.3g}")
    print(f"  gamma_se         max rel diff = {rel(ours['gamma_se'], peer['gamma_se']):.3g}")
    print(f"  gamma_p          max |diff| / max(p, 0.01) = {rel(ours['gamma_p'], peer['gamma_p'], 0.01):.3g}")
    print(f"  gamma_perm_mean  max |diff| / se = {float(np.max(np.abs(ours['gamma_perm_mean'] - peer['gamma_perm_mean']) / se_floor)):.3g}")
    finite = np.isfinite(peer["gamma_perm_z"])
    print(f"  gamma_perm_z     max |diff| = {float(np.max(np.abs(ours['gamma_perm_z'][finite] - peer['gamma_perm_z'][finite]), initial=0)):.3g}")
    differ = int(np.sum(ours["gamma_null_p"] != peer["gamma_null_p"]))
    print(f"  gamma_null_p     genes that differ: {differ} of {len(genes)} (max |diff| {float(np.max(np.abs(ours['gamma_null_p'] - peer['gamma_null_p']))):.3g})")
    if not alt:
        t2 = time.perf_counter()
        fit = statsmodels_fit(beta, se, z, pi, v)
        t3 = time.perf_counter()
        print(f"statsmodels {'WLS' if np.array_equal(v, np.eye(len(beta))) else 'GLS'} per gene: {t3 - t2:.3f} s")
        print(f"  gamma            max |diff| / max(|gamma|, se) = {float(np.max(np.abs(ours['gamma'] - fit['gamma']) / np.maximum(np.abs(fit['gamma']), fit['gamma_se']))):.3g}")
        print(f"  gamma_se         max rel diff = {rel(ours['gamma_se'], fit['gamma_se']):.3g}")
        print(f"  gamma_p          max |diff| / max(p, 0.01) = {rel(ours['gamma_p'], fit['gamma_p'], 0.01):.3g}")


if __name__ == "__main__":
    main(sys.argv)
