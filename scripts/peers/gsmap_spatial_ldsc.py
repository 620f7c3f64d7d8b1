#!/usr/bin/env python3
"""gsMap's spatial LDSC regression on a `genobench simulate ldsc` input set, side by side with
genobench's output for the same files.

The per-spot regression is gsMap's own `jackknife_for_processmap` (gsmap 1.73.8 from PyPI,
module gsMap.spatial_ldsc_multiple_sumstats, which wraps gsMap.utils.jackknife's
LstsqJackknifeFast). The surrounding data preparation mirrors gsMap's `run_spatial_ldsc`
(float32 baseline and spatial LD scores, N/N-bar scaling, an appended intercept, M = 10000 in
the weights) because gsMap reads h5ad/feather inputs that this script builds in memory instead:
the SNP-gene weight table is multiplied by the GSS with scipy, exactly as gsMap's quick mode
does with its h5ad W (`S_LDSC_Boost_with_pre_calculate_SNP_Gene_weight_matrix`).

Usage:
  python gsmap_spatial_ldsc.py --dir DIR --genobench DIR/ldsc.tsv [--n-blocks 200] [--spots N]
Prints per-spot differences and seconds per spot of both; exits 1 if an ok spot differs by
more than --z-tol in z.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.stats import norm


def read_table(path, **kw):
    return pd.read_csv(path, sep=r"\s+", compression="infer", **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--genobench", required=True, help="genobench ldsc output for the same files")
    ap.add_argument("--n-blocks", type=int, default=200)
    ap.add_argument("--spots", type=int, default=None, help="only the first N spots (timing runs)")
    ap.add_argument("--z-tol", type=float, default=1e-3)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    t_import = time.perf_counter()
    import gsMap
    from gsMap.spatial_ldsc_multiple_sumstats import append_intercept, jackknife_for_processmap
    t_import = time.perf_counter() - t_import

    t0 = time.perf_counter()
    d = a.dir
    ss = read_table(os.path.join(d, "sumstats.gz")).drop_duplicates("SNP", keep="first").set_index("SNP")
    chisq_max = max(0.001 * ss.N.max(), 80)
    ss["chisq"] = ss.Z ** 2
    ss = ss[ss.chisq < chisq_max]
    # Gene "NA" is the dummy column of unassigned SNPs: a string here, not pandas' missing value.
    w = read_table(os.path.join(d, "snp_gene_weights.tsv.gz"), keep_default_na=False)
    snp_order = pd.unique(w.SNP)
    snp_pos = pd.Index(snp_order)
    base = w.groupby("SNP", sort=False).WEIGHT.sum().reindex(snp_order).values
    genes_only = w[w.GENE != "NA"]
    all_gene = genes_only.groupby("SNP", sort=False).WEIGHT.sum().reindex(snp_order).fillna(0).values
    gene_names = pd.unique(genes_only.GENE)
    gene_pos = pd.Index(gene_names)
    W = sp.csr_matrix((genes_only.WEIGHT.values, (snp_pos.get_indexer(genes_only.SNP), gene_pos.get_indexer(genes_only.GENE))),
                      shape=(len(snp_order), len(gene_names)))
    wld = read_table(os.path.join(d, "w_ld.l2.ldscore.gz")).set_index("SNP")
    baseline = pd.DataFrame({"base": base, "all_gene": all_gene}, index=snp_pos)
    extra_path = os.path.join(d, "extra.l2.ldscore.gz")
    if os.path.exists(extra_path):
        extra = read_table(extra_path).set_index("SNP").drop(columns=["CHR", "BP"])
        baseline = baseline.join(extra, how="inner")
    common = baseline.index[baseline.index.isin(ss.index) & baseline.index.isin(wld.index)]
    pos = snp_pos.get_indexer(common)
    gss = read_table(os.path.join(d, "gss.tsv")).set_index("HUMAN_GENE_SYM")
    common_genes = gss.index.intersection(gene_pos)
    spots = list(gss.columns[: a.spots] if a.spots else gss.columns)
    mk = gss.loc[common_genes, spots].values
    spatial = (W[pos][:, gene_pos.get_indexer(common_genes)] @ mk).astype(np.float32)
    # As gsMap's run_spatial_ldsc prepares one trait:
    sumstats = ss.loc[common, ["chisq", "N"]]
    ref_ld_baseline = baseline.loc[common]
    ref_ld_baseline_column_sum = ref_ld_baseline.sum(axis=1).values
    w_ld_common = wld.loc[common, ["L2"]].rename(columns={"L2": "LD_weights"}).astype(np.float32)
    nbar = float(sumstats.N.mean())
    n_over = sumstats.N.values.reshape((-1, 1)) / nbar
    baseline_annotation = append_intercept(ref_ld_baseline.astype(np.float32) * n_over)
    t_prepare = time.perf_counter() - t0

    t1 = time.perf_counter()
    rows = []
    for i in range(len(spots)):
        beta, se = jackknife_for_processmap(i, spatial_annotation=spatial, ref_ld_baseline_column_sum=ref_ld_baseline_column_sum,
                                            sumstats=sumstats, baseline_annotation=baseline_annotation, N_over_Nbar=n_over,
                                            w_ld_common_snp=w_ld_common, Nbar=nbar, n_blocks=a.n_blocks)
        rows.append((beta, se))
    t_regress = time.perf_counter() - t1
    gs = pd.DataFrame(rows, columns=["beta", "se"], index=spots)
    gs["z"] = gs.beta / gs.se
    gs["p"] = norm.sf(gs.z)

    gb = pd.read_csv(a.genobench, sep="\t", comment="#").set_index("spot").loc[spots]
    ok = gb.status == "ok"
    both = ok & gs.z.notna()
    dz = (gb.z - gs.z).abs()[both]
    dbeta_se = ((gb.beta - gs.beta).abs() / gb.se)[both]
    singular_with_number = (~ok) & gs.z.notna()
    out = {
        "gsmap_version": gsMap.__version__, "numpy": np.__version__, "snps": int(len(common)), "spots": len(spots),
        "n_blocks": a.n_blocks, "compared_spots": int(both.sum()),
        "max_abs_dz": float(dz.max()) if len(dz) else None, "max_dbeta_over_se": float(dbeta_se.max()) if len(dz) else None,
        "genobench_singular": int((~ok).sum()), "gsmap_nan": int(gs.z.isna().sum()),
        "genobench_singular_gsmap_number": {s: float(gs.z[s]) for s in gs.index[singular_with_number]},
        "seconds": {"import_gsmap": t_import, "prepare": t_prepare, "regressions": t_regress,
                    "per_spot": t_regress / len(spots)},
        "gsmap_spots_per_s": len(spots) / t_regress,
    }
    if a.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k}: {v}")
    bad = out["max_abs_dz"] is not None and out["max_abs_dz"] > a.z_tol
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
