import CGSL

/// Process-wide GSL set-up for the exact references.
///
/// GSL's default error handler aborts the process; references check return codes instead,
/// so the handler is switched off before the first GSL call.
public enum GSL {
    private static let prepared: Bool = {
        gsl_set_error_handler_off()
        return true
    }()

    /// Switches GSL's aborting error handler off (idempotent, thread-safe).
    public static func prepare() { _ = prepared }

    /// Pearson correlation of two equal-length vectors (`gsl_stats_correlation`).
    public static func correlation(_ x: [Double], _ y: [Double]) -> Double {
        prepare()
        precondition(x.count == y.count)
        if x.count < 2 { return .nan }
        return x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in gsl_stats_correlation(xp.baseAddress, 1, yp.baseAddress, 1, x.count) }
        }
    }

    /// Real roots of the monic cubic x^3 + a x^2 + b x + c (`gsl_poly_solve_cubic`), ascending.
    public static func cubicRoots(a: Double, b: Double, c: Double) -> [Double] {
        prepare()
        var x0 = 0.0, x1 = 0.0, x2 = 0.0
        let n = gsl_poly_solve_cubic(a, b, c, &x0, &x1, &x2)
        return Array([x0, x1, x2].prefix(Int(n)))
    }

    /// Upper tail of the chi-squared distribution (`gsl_cdf_chisq_Q`).
    public static func chiSquaredUpperTail(_ x: Double, degreesOfFreedom: Double) -> Double {
        prepare()
        return gsl_cdf_chisq_Q(x, degreesOfFreedom)
    }

    /// Hypergeometric probability (`gsl_ran_hypergeometric_pdf`): k successes in t draws from
    /// n1 successes and n2 failures.
    public static func hypergeometricPDF(k: Int, n1: Int, n2: Int, t: Int) -> Double {
        prepare()
        return gsl_ran_hypergeometric_pdf(UInt32(k), UInt32(n1), UInt32(n2), UInt32(t))
    }

    /// The p-quantile of Student's t distribution with `dof` degrees of freedom (`gsl_cdf_tdist_Pinv`).
    public static func tQuantile(_ p: Double, degreesOfFreedom dof: Double) -> Double {
        prepare()
        return gsl_cdf_tdist_Pinv(p, dof)
    }

    /// P(Z ≤ x) for a standard normal Z (`gsl_cdf_ugaussian_P`).
    public static func normalCDF(_ x: Double) -> Double {
        prepare()
        return gsl_cdf_ugaussian_P(x)
    }

    /// P(B ≤ k) for B ~ Binomial(n, p) (`gsl_cdf_binomial_P`).
    public static func binomialCDF(_ k: Int, p: Double, n: Int) -> Double {
        prepare()
        return k < 0 ? 0 : gsl_cdf_binomial_P(UInt32(k), p, UInt32(n))
    }
}
