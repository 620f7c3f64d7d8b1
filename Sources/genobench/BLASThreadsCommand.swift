import ArgumentParser
import Foundation
import GenoBenchCore
import GenoBenchHarness

struct BLASThreadsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blas-threads",
        abstract: "Measure dgemm and sgemm with 1 and 2 BLAS threads side by side (how the default was chosen).")

    @Option(help: "Matrix size n (n x n times n x n).") var size = 2000
    @Option(help: "Alternating rounds per thread count.") var rounds = 3

    func run() throws {
        let env = ProcessInfo.processInfo.environment
        let how = env["GENOBENCH_BLAS_CORE_DETECTED"].map { "OpenBLAS detected \($0); OPENBLAS_CORETYPE set from the CPU's features" }
            ?? (env["OPENBLAS_CORETYPE"] != nil ? "from OPENBLAS_CORETYPE" : "OpenBLAS's own choice")
        print("kernels: \(BLASKernels.coreName) (\(how)); CPU supports: \(BLASKernels.cpuCore ?? "generic")")
        print("OpenBLAS: \(BLASThreads.configuration)")
        try measure(Double.self)
        try measure(Float.self)
    }

    func measure<T: Scalar>(_: T.Type) throws {
        var rng = RandomSource(seed: 1)
        let a = Matrix<T>(rows: size, columns: size, columnMajor: (0..<(size * size)).map { _ in T(rng.nextUniform()) })
        var best: [Int: Double] = [:]
        for _ in 0..<rounds {
            for threads in [1, 2] {
                BLASThreads.set(threads)
                let (_, m) = Measure.call { a.multiplied(by: a) }
                best[threads] = min(best[threads] ?? .infinity, m.wallSeconds)
            }
        }
        let flops = 2 * pow(Double(size), 3)
        let g1 = flops / best[1]! / 1e9, g2 = flops / best[2]! / 1e9
        print(String(format: "%@gemm n=%d: 1 thread %.1f GFLOP/s, 2 threads %.1f GFLOP/s (2/1 = %.2f)",
                     T.precision == .f64 ? "d" : "s", size, g1, g2, g2 / g1))
        BLASThreads.set(BLASThreads.defaultCount)
    }
}
