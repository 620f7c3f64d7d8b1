#!/usr/bin/env python3
"""sctrial 1.0.0's did_table on a GenoBench cell table, timed, and compared with genobench's output.

    python scripts/peers/sctrial_did.py --cells FILE --visits V1,V2 [--features f1,f2]
        [--aggregate participant_visit|participant_visit_celltype|cell] [--standardize true|false]
        [--covariates qc] [--participant participant] [--visit visit] [--arm arm] [--treated Treated]
        [--celltype-col celltype] [--sparse-float32] [--out sctrial.tsv] [--genobench genobench.tsv] [--json]

Reads the table with pandas (tab, or comma for .csv; .gz accepted), builds an AnnData whose X
holds the feature columns (dense float64 by default, so both tools see identical numbers;
--sparse-float32 stores X as scipy CSR float32 like the spec's §13 timing runs), then calls
sctrial.stats.did.did_table(adata, features, TrialDesign(...), visits, ...) once and times that
call alone (time.perf_counter wall and time.process_time CPU of all threads; reading the file and building AnnData are timed separately).
With --genobench it matches the rows by feature and prints the max absolute and relative
differences of beta_DiD, se_DiD, p_DiD, FDR_DiD, beta_time, p_time, resid_sd and whether
n_units agree, and beta_DiD_max_diff_over_se (|Δβ| / SE: a null feature's β ≈ 0 is only meaningful on
its SE's scale). Relative differences use max(|sctrial|, 1e-300); p's also report the worst
relative difference among p > 1e-12 (statsmodels' normal tail and ours differ in the last bits).
"""
import argparse, json, sys, time, warnings

import numpy as np
import pandas as pd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", required=True)
    ap.add_argument("--visits", required=True)
    ap.add_argument("--features")
    ap.add_argument("--covariates")
    ap.add_argument("--aggregate", default="participant_visit")
    ap.add_argument("--standardize", default="true")
    ap.add_argument("--participant", default="participant")
    ap.add_argument("--visit", default="visit")
    ap.add_argument("--arm", default="arm")
    ap.add_argument("--treated", default="Treated")
    ap.add_argument("--celltype-col", default="celltype")
    ap.add_argument("--sparse-float32", action="store_true")
    ap.add_argument("--out")
    ap.add_argument("--genobench")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()

    t0 = time.perf_counter()
    import anndata as ad
    import scipy.sparse as sp
    import sctrial
    from sctrial.design import TrialDesign
    from sctrial.stats.did import did_table
    t_import = time.perf_counter() - t0

    t0 = time.perf_counter()
    name = a.cells.lower().removesuffix(".gz")
    sep = "," if name.endswith(".csv") else "\t"
    df = pd.read_csv(a.cells, sep=sep, keep_default_na=True, na_values=["NA", "NaN", "nan", "."])
    design_cols = [a.participant, a.visit, a.arm]
    if a.celltype_col in df.columns:
        design_cols.append(a.celltype_col)
    covariates = [c for c in (a.covariates or "").split(",") if c]
    if a.features:
        features = a.features.split(",")
    else:
        features = [c for c in df.columns if c not in design_cols + covariates and pd.api.types.is_numeric_dtype(df[c])]
    x = df[features].to_numpy(dtype=np.float32 if a.sparse_float32 else np.float64)
    if a.sparse_float32:
        x = sp.csr_matrix(x)
    obs = df[[c for c in df.columns if c not in features]].copy()
    for c in design_cols:
        obs[c] = obs[c].astype(str)
    obs.index = obs.index.astype(str)
    adata = ad.AnnData(X=x, obs=obs, var=pd.DataFrame(index=features))
    t_read = time.perf_counter() - t0

    design = TrialDesign(participant_col=a.participant, visit_col=a.visit, arm_col=a.arm, arm_treated=a.treated,
                         celltype_col=a.celltype_col if a.celltype_col in df.columns else None)
    visits = tuple(a.visits.split(","))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0, c0 = time.perf_counter(), time.process_time()
        res = did_table(adata, features, design, visits, aggregate=a.aggregate,
                        standardize=a.standardize.lower() == "true", covariates=covariates or None)
        t_did, c_did = time.perf_counter() - t0, time.process_time() - c0

    if a.out:
        res.to_csv(a.out, sep="\t", index=False)
    report = {"sctrial_version": sctrial.__version__, "cells": int(adata.n_obs), "features": len(features),
              "seconds_import": t_import, "seconds_read": t_read, "seconds_did_table": t_did, "cpu_seconds_did_table": c_did}
    if a.genobench:
        gname = a.genobench.lower()
        g = pd.read_csv(a.genobench, sep="," if gname.endswith(".csv") else "\t")
        m = res.merge(g, on="feature", suffixes=("_s", "_g"))
        report["features_matched"] = int(len(m))
        for col in ["beta_DiD", "se_DiD", "p_DiD", "FDR_DiD", "beta_time", "p_time", "resid_sd"]:
            s, gg = m[col + "_s"].to_numpy(float), m[col + "_g"].to_numpy(float)
            both = ~(np.isnan(s) | np.isnan(gg))
            report[col + "_nan_mismatch"] = int(np.sum(np.isnan(s) != np.isnan(gg)))
            d = np.abs(s[both] - gg[both])
            report[col + "_max_abs_diff"] = float(d.max()) if d.size else 0.0
            rel = d / np.maximum(np.abs(s[both]), 1e-300)
            report[col + "_max_rel_diff"] = float(rel.max()) if rel.size else 0.0
            if col.startswith("p_") or col == "FDR_DiD":
                keep = np.abs(s[both]) > 1e-12
                report[col + "_max_rel_diff_above_1e-12"] = float(rel[keep].max()) if keep.any() else 0.0
        s, gg, se = m["beta_DiD_s"].to_numpy(float), m["beta_DiD_g"].to_numpy(float), m["se_DiD_s"].to_numpy(float)
        both = ~(np.isnan(s) | np.isnan(gg) | np.isnan(se))
        report["beta_DiD_max_diff_over_se"] = float((np.abs(s[both] - gg[both]) / se[both]).max()) if both.any() else 0.0
        report["n_units_agree"] = bool((m["n_units_s"].to_numpy() == m["n_units_g"].to_numpy()).all())
    if a.json:
        print(json.dumps(report))
    else:
        for k, v in report.items():
            print(f"{k}\t{v}")


if __name__ == "__main__":
    sys.exit(main())
