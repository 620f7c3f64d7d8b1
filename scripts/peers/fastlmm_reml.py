#!/usr/bin/env python3
"""One-component REML h² with FaST-LMM on GenoBench's GRM — the external peer of the REML family.

    python fastlmm_reml.py --bfile PREFIX --pheno FILE [--covar FILE] [--json]
                           [--check] [--predictor]

Reads PREFIX.bed/.bim/.fam with numpy (no pysnptools reader), the phenotype file
(`FID IID value`, whitespace, optional header; -9/NA/NaN missing) and an optional covariate
file (`FID IID c1 .. ck`). Samples are matched by IID (FID ignored) and kept in .fam order:
retained = .fam rows with a valid phenotype and (if --covar) valid covariates.

GRM (spec reml.md §2.1), in float64 over the retained samples: per SNP, dosage g = count of the
.bim column-5 allele (A1; .bed codes 00->2, 01->missing, 10->1, 11->0), mean mu and population
variance v of the observed dosages; valid iff at least one call and v > 0;
z = (g - mu)/sqrt(max(v, 1e-6)), missing -> 0; K = Z Z^T / m_eff. K is then scaled to trace n
(a no-op up to rounding when nothing is missing) because FaST-LMM's h2 is the mixture weight
of K against I and only equals sigma2_g/(sigma2_g+sigma2_e) when mean(diag K) = 1.
Fixed effects: intercept + covariates standardised to mean 0, population SD 1 (zero-SD columns
dropped with a warning).

Fit: fastlmm.inference.lmm.LMM — setK(K) (full eigendecomposition, scipy.linalg.eigh),
setX(X), sety(y), findH2(REML=True): a 10-interval grid on h2 in [0, 0.99999] then Brent
(scipy.optimize.brent, tol 1.48e-8) around each interior grid minimum; fminbound (xtol 1e-5)
in the first/last interval when the optimum is at the boundary. This is the same call that
fastlmm.inference.FastLMM.fit makes (--predictor runs FastLMM.fit too and reports its h2raw).

Reported: h2 (FaST-LMM's mixture weight = trace-weighted h² since mean diag K = 1), sigma2
(FaST-LMM's REML sigma², total scale of h2*K + (1-h2)*I), sigma2_g = h2*sigma2,
sigma2_e = (1-h2)*sigma2 on the original phenotype scale; nLL exactly as fastlmm reports it,
i.e. ½[log|H0| + log|XᵀH0⁻¹X| − log|XᵀX| + (n−p)(log(2π σ²) + 1)] with H0 = h2 K + (1−h2) I;
and logL_R, the spec/GCTA convention −½[log|H| + log|XᵀH⁻¹X| + yᵀPy] (no 2π constant, no
log|XᵀX|) = −nLL + ½(n−p)log 2π − ½log|XᵀX|. Seconds are split into import (fastlmm and its
dependencies, ~1 s), read+kernel and fit (setK..findH2; setK's eigendecomposition is nearly all
of it and is also reported alone).

--check: independent cross-check (spec §2.3 eigen shortcut) — numpy.linalg.eigh of the same K,
profiled REML maximised over h in [0, 1] by scipy.optimize.minimize_scalar(method="bounded",
xatol=1e-10); reports its h2, logL_R and |Δh2| against fastlmm. Timed separately.

BLAS threads are whatever the caller sets (OPENBLAS_NUM_THREADS / MKL_NUM_THREADS /
OMP_NUM_THREADS); the script never changes them and reports what threadpoolctl sees.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np

MISSING_TOKENS = {"", "-9", "NA", "NaN", "nan", "na", "N/A"}


def die(msg):
    print(f"fastlmm_reml.py: error: {msg}", file=sys.stderr)
    sys.exit(2)


def read_fam(prefix):
    iids = []
    with open(prefix + ".fam") as f:
        for line in f:
            x = line.split()
            if not x:
                continue
            if len(x) < 2:
                die(f"{prefix}.fam: line with fewer than 2 fields")
            iids.append(x[1])
    if len(set(iids)) != len(iids):
        die(f"{prefix}.fam: duplicated IIDs")
    return iids


def count_bim(prefix):
    m = 0
    with open(prefix + ".bim") as f:
        for line in f:
            if line.strip():
                if len(line.split()) != 6:
                    die(f"{prefix}.bim: expected 6 fields")
                m += 1
    return m


def parse_value(tok):
    if tok in MISSING_TOKENS:
        return None
    try:
        v = float(tok)
    except ValueError:
        return None
    if not math.isfinite(v) or v == -9:
        return None
    return v


def read_pheno(path):
    """FID IID value [ignored...]; only column 3. Bad/missing/header rows are dropped."""
    out = {}
    with open(path) as f:
        for line in f:
            x = line.split()
            if len(x) < 3 or not x[1]:
                continue
            v = parse_value(x[2])
            if v is None:
                continue
            if x[1] in out:
                die(f"{path}: duplicated IID {x[1]}")
            out[x[1]] = v
    return out


def read_covar(path):
    """FID IID c1..ck; a row with any missing/non-numeric covariate is dropped (so is a header)."""
    rows = {}
    counts = {}
    with open(path) as f:
        for line in f:
            x = line.split()
            if len(x) <= 2 or not x[1]:
                continue
            vals = [parse_value(t) for t in x[2:]]
            if any(v is None for v in vals):
                continue
            if x[1] in rows:
                die(f"{path}: duplicated IID {x[1]}")
            rows[x[1]] = vals
            counts[len(vals)] = counts.get(len(vals), 0) + 1
    if not rows:
        die(f"{path}: no usable covariate rows")
    k = max(counts, key=counts.get)
    bad = [iid for iid, v in rows.items() if len(v) != k]
    if bad:
        die(f"{path}: rows with a covariate count other than {k}: {', '.join(bad[:10])}")
    return rows, k


def bed_codes(prefix, n_fam, m):
    """(m, n_fam) int8 array of A1 dosages, -1 = missing."""
    bps = (n_fam + 3) // 4
    raw = np.fromfile(prefix + ".bed", dtype=np.uint8)
    if raw.size < 3 or raw[0] != 0x6C or raw[1] != 0x1B or raw[2] != 0x01:
        die(f"{prefix}.bed: not a SNP-major PLINK 1 .bed (magic 6c 1b 01)")
    if raw.size < 3 + m * bps:
        die(f"{prefix}.bed: {raw.size} bytes, expected {3 + m * bps} for {m} SNPs x {n_fam} samples")
    packed = raw[3:3 + m * bps].reshape(m, bps)
    # two-bit value (byte >> 2*(i mod 4)) & 3: 0 -> 2 copies of A1, 1 -> missing, 2 -> 1, 3 -> 0
    lut2 = np.array([2, -1, 1, 0], dtype=np.int8)
    shifts = np.arange(4, dtype=np.uint8) * 2
    lut = lut2[(np.arange(256, dtype=np.uint8)[:, None] >> shifts) & 3]  # (256, 4)
    return lut[packed].reshape(m, bps * 4)[:, :n_fam]


def build_grm(codes, keep, block=2048):
    """K = Z Zᵀ / m_eff in float64 over the samples `keep` (spec §2.1). Returns K, m_eff, atom."""
    n = keep.size
    m = codes.shape[0]
    K = np.zeros((n, n))
    m_eff = 0
    sum_cnt = 0.0
    for s in range(0, m, block):
        g = codes[s:s + block][:, keep].astype(np.float64)  # (b, n)
        miss = g < 0
        g[miss] = 0.0
        cnt = (~miss).sum(axis=1).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            mu = g.sum(axis=1) / cnt
            var = (g * g).sum(axis=1) / cnt - mu * mu
        valid = (cnt > 0) & (var > 0)
        if not valid.any():
            continue
        g, miss, mu, var = g[valid], miss[valid], mu[valid], var[valid]
        z = (g - mu[:, None]) / np.sqrt(np.maximum(var, 1e-6))[:, None]
        z[miss] = 0.0
        K += z.T @ z  # (n, n); numpy dispatches AᵀA to syrk
        m_eff += int(valid.sum())
        sum_cnt += float(cnt[valid].sum())
    if m_eff == 0:
        die("no valid (polymorphic, called) SNPs over the retained samples")
    K /= m_eff
    return K, m_eff, sum_cnt / (n * m_eff)


def standardise_covariates(C, names):
    keep_cols, out = [], []
    for j in range(C.shape[1]):
        c = C[:, j]
        sd = c.std()
        if not (sd > 0):
            print(f"fastlmm_reml.py: warning: covariate {names[j]} has zero SD over the retained samples; dropped",
                  file=sys.stderr)
            continue
        out.append((c - c.mean()) / sd)
        keep_cols.append(names[j])
    return (np.column_stack(out) if out else np.zeros((C.shape[0], 0))), keep_cols


def rank_check(X):
    norms = np.sqrt((X * X).sum(axis=0))
    if not np.all(np.isfinite(norms)) or np.any(norms == 0):
        die("a fixed-effect column has zero or non-finite norm")
    C = (X / norms).T @ (X / norms)
    lam = np.linalg.eigvalsh(C)
    if lam[0] <= 1e-7 * max(lam[-1], 1.0):
        die(f"fixed effects are rank deficient (lambda_min {lam[0]:.3g} of X'X in correlation scale)")
    if X.shape[1] >= X.shape[0]:
        die("p >= n")


def profiled_reml_check(K, X, y):
    """Spec §2.3 eigen shortcut, written independently of fastlmm (numpy eigh = LAPACK syevd).

    h2: argmax of the profiled REML over [0, 1] by bounded Brent (xatol 1e-10).
    h2_score_root: root of the analytic derivative (brentq, xtol 1e-15) — the likelihood is so
    flat at the optimum (curvature ~ 1/SE²) that float64 values of it only place h to ~1e-8,
    the derivative to ~1e-12, so this is the sharper reference for |Δh2|."""
    from scipy.optimize import brentq, minimize_scalar
    n, p = X.shape
    lam, U = np.linalg.eigh(K)
    yc = y - y.mean()
    yt = U.T @ yc
    Xt = U.T @ X

    def parts(h):
        d = h * lam + (1.0 - h)
        w = 1.0 / d
        A = Xt.T @ (Xt * w[:, None])
        beta = np.linalg.solve(A, Xt.T @ (w * yt))
        r = yt - Xt @ beta
        return d, w, A, r, float(np.sum(w * r * r))

    def neg_ll(h):
        if not (0.0 <= h <= 1.0) or np.any(h * lam + (1.0 - h) <= 0):
            return np.inf, np.nan
        d, w, A, r, q = parts(h)
        s2 = q / (n - p)
        logdet_a = 2.0 * float(np.sum(np.log(np.diag(np.linalg.cholesky(A)))))
        return 0.5 * ((n - p) * math.log(s2) + float(np.sum(np.log(d))) + logdet_a + (n - p)), s2

    def score(h):  # d logL_R / dh (envelope theorem for beta)
        d, w, A, r, q = parts(h)
        dw = -(lam - 1.0) / (d * d)
        return -0.5 * ((n - p) * float(np.sum(dw * r * r)) / q + float(np.sum((lam - 1.0) / d))
                       + float(np.trace(np.linalg.solve(A, Xt.T @ (Xt * dw[:, None])))))

    opt = minimize_scalar(lambda h: neg_ll(h)[0], bounds=(0.0, 1.0), method="bounded",
                          options={"xatol": 1e-10, "maxiter": 1000})
    h = float(opt.x)
    nll, s2 = neg_ll(h)
    if neg_ll(0.0)[0] < nll:  # the bounded search never evaluates the end points themselves
        h = 0.0
        nll, s2 = neg_ll(0.0)
    hi = 1.0 - 1e-9  # K has an eigenvalue ~0 (columns of Z are centred), so H is singular at h = 1
    if score(0.0) <= 0:
        h_root = 0.0
    elif score(hi) >= 0:
        h_root = hi
    else:
        h_root = brentq(score, 0.0, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps)
    return {"h2": h, "sigma2": s2, "sigma2_g": h * s2, "sigma2_e": (1 - h) * s2,
            "logL_R": -nll, "evaluations": int(opt.nfev), "h2_score_root": float(h_root),
            "score_at_root": score(h_root), "lambda_min": float(lam[0])}


def blas_threads():
    try:
        from threadpoolctl import threadpool_info
        return [{"api": i.get("internal_api"), "num_threads": i.get("num_threads"),
                 "version": i.get("version"), "lib": os.path.basename(i.get("filepath", ""))}
                for i in threadpool_info() if i.get("user_api") == "blas"]
    except Exception:  # threadpoolctl missing: report the environment only
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bfile", required=True, help="PLINK 1 prefix (.bed/.bim/.fam)")
    ap.add_argument("--pheno", required=True, help="FID IID value")
    ap.add_argument("--covar", help="FID IID c1..ck (quantitative)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--check", action="store_true",
                    help="also run the independent numpy/scipy profiled REML (spec §2.3) and report |Δh2|")
    ap.add_argument("--raw-y", action="store_true",
                    help="hand y to fastlmm uncentred (as FastLMM.fit does); default centres it")
    ap.add_argument("--predictor", action="store_true",
                    help="also run fastlmm.inference.FastLMM.fit on the same kernel and report its h2raw")
    a = ap.parse_args()

    t0 = time.perf_counter()
    fam = read_fam(a.bfile)
    m = count_bim(a.bfile)
    pheno = read_pheno(a.pheno)
    covar, k = (read_covar(a.covar) if a.covar else ({}, 0))
    keep = [i for i, iid in enumerate(fam)
            if iid in pheno and (not a.covar or iid in covar)]
    if len(keep) < 3:
        die(f"only {len(keep)} samples with phenotype{' and covariates' if a.covar else ''}")
    keep = np.asarray(keep)
    iids = [fam[i] for i in keep]
    y = np.array([pheno[i] for i in iids], dtype=np.float64)
    names = [f"c{j + 1}" for j in range(k)]
    C = (np.array([covar[i] for i in iids], dtype=np.float64) if k else np.zeros((len(iids), 0)))
    Cs, used = standardise_covariates(C, names)
    X = np.column_stack([np.ones(len(iids)), Cs])
    rank_check(X)

    codes = bed_codes(a.bfile, len(fam), m)
    K, m_eff, atom = build_grm(codes, keep)
    del codes
    n = K.shape[0]
    trace = float(np.trace(K))
    K *= n / trace
    ti = time.perf_counter()
    # ~1.1 s of imports (pysnptools, pandas, sklearn, ...), timed apart; done after the genotype
    # codes are freed so that they do not add to the peak RSS
    from fastlmm.inference.lmm import LMM
    t1 = time.perf_counter()

    lmm = LMM()
    lmm.setK(K)
    t_eigh = time.perf_counter()
    lmm.setX(X)
    # y is centred before it is handed over (exactly neutral with an intercept in X: same h2,
    # sigma2 and nLL in exact arithmetic). fastlmm forms r2 = y'H^-1y - (X'H^-1y)'beta, which
    # cancels badly when mean(y) >> SD(y) and makes its nLL noisy at ~1e-10, so its Brent search
    # can only place h2 to a few 1e-7; centred, it lands within ~1e-8 of the score root.
    lmm.sety(y - y.mean() if not a.raw_y else y)
    res = lmm.findH2(REML=True)
    t2 = time.perf_counter()
    # the same search on y as given (what FastLMM.fit does), for the record: eigh is reused
    lmm.sety(y if not a.raw_y else y - y.mean())
    res_other = lmm.findH2(REML=True)
    t2b = time.perf_counter()

    p = X.shape[1]
    h2 = float(res["h2"])
    s2 = float(res["sigma2"])
    nll = float(res["nLL"])
    logdet_xx = float(np.linalg.slogdet(X.T @ X)[1])
    out = {
        "tool": "fastlmm",
        "h2": h2,
        "sigma2": s2,
        "sigma2_g": h2 * s2,
        "sigma2_e": (1.0 - h2) * s2,
        "nLL_fastlmm": nll,
        "logL_R": -nll + 0.5 * (n - p) * math.log(2 * math.pi) - 0.5 * logdet_xx,
        "logL_R_with_2pi": -nll - 0.5 * logdet_xx,
        "n": n,
        "p": p,
        "covariates_used": used,
        "m": m,
        "m_eff": m_eff,
        "atom_before_scaling": atom,
        "trace_before_scaling": trace,
        "y_centred": not a.raw_y,
        ("h2_raw_y" if not a.raw_y else "h2_centred_y"): float(res_other["h2"]),
        "seconds_import_fastlmm": t1 - ti,
        "seconds_read_kernel": ti - t0,
        "seconds_fit": t2 - t1,
        "seconds_fit_eigh": t_eigh - t1,
        "seconds_second_search": t2b - t2,
        "blas": blas_threads(),
        "env_threads": {v: os.environ.get(v) for v in
                        ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS") if os.environ.get(v)},
    }
    try:
        from importlib.metadata import version
        out["versions"] = {d: version(d) for d in ("fastlmm", "pysnptools", "numpy", "scipy")}
    except Exception:
        pass

    if a.predictor:
        from fastlmm.inference import FastLMM
        from pysnptools.kernelreader import KernelData
        from pysnptools.snpreader import SnpData
        iid2 = np.array([[i, i] for i in iids], dtype=str)
        t3 = time.perf_counter()
        fl = FastLMM(GB_goal=4)
        cov = SnpData(iid=iid2, sid=np.array(used, dtype=str), val=Cs) if used else None
        fl.fit(K0_train=KernelData(iid=iid2, val=K), X=cov,
               y=SnpData(iid=iid2, sid=np.array(["y"]), val=y[:, None]))
        out["predictor"] = {"h2raw": float(fl.h2raw), "seconds": time.perf_counter() - t3,
                            "sigma2_nonREML": float(fl.sigma2),
                            "abs_diff_h2": abs(float(fl.h2raw) - h2)}

    if a.check:
        t4 = time.perf_counter()
        chk = profiled_reml_check(K, X, y)
        chk["seconds"] = time.perf_counter() - t4
        chk["abs_diff_h2"] = abs(chk["h2"] - h2)
        chk["abs_diff_h2_vs_score_root"] = abs(chk["h2_score_root"] - h2)
        chk["abs_diff_logL_R"] = abs(chk["logL_R"] - out["logL_R"])
        out["check"] = chk

    if a.json:
        print(json.dumps(out, indent=1))
    else:
        print(f"h2        {h2:.10f}")
        print(f"sigma2_g  {h2 * s2:.10g}")
        print(f"sigma2_e  {(1 - h2) * s2:.10g}")
        print(f"nLL       {nll:.10f}   (fastlmm: incl. (n-p)/2 log 2pi and -1/2 log|X'X|)")
        print(f"logL_R    {out['logL_R']:.10f}   (GCTA/spec convention)")
        other = "h2_raw_y" if not a.raw_y else "h2_centred_y"
        print(f"{other:9s} {out[other]:.10f}   (same search, y {'as given' if not a.raw_y else 'centred'})")
        print(f"n {n}  p {p}  m {m}  m_eff {m_eff}")
        print(f"seconds   read+kernel {ti - t0:.3f}  import {t1 - ti:.3f}  fit {t2 - t1:.3f} (eigh {t_eigh - t1:.3f})")
        if a.predictor:
            print(f"FastLMM.fit h2raw {out['predictor']['h2raw']:.10f}  |diff| {out['predictor']['abs_diff_h2']:.2e}")
        if a.check:
            c = out["check"]
            print(f"check     h2 {c['h2']:.10f}  |dh2| {c['abs_diff_h2']:.2e}  |dlogL_R| {c['abs_diff_logL_R']:.2e}"
                  f"  ({c['seconds']:.2f} s)")
            print(f"          score root {c['h2_score_root']:.12f}  |dh2| {c['abs_diff_h2_vs_score_root']:.2e}")


if __name__ == "__main__":
    main()
