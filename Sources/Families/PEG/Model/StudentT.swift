import CGSL
import GenoBenchReference

/// The Student-t tail used for the per-gene t test (spec peg.md §5.1): `p = 2·Q_t(|t|; ν)`
/// with ν = k − 1, by `gsl_cdf_tdist_Q` in double precision whatever the backend's precision
/// (mrpeg evaluates it with SciPy in float64 too). NaN in, NaN out.
public enum StudentT {
    public static func twoSidedP(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        GSL.prepare()
        if t.isNaN || !(nu > 0) { return .nan }
        return min(1, 2 * gsl_cdf_tdist_Q(abs(t), nu))
    }
}
