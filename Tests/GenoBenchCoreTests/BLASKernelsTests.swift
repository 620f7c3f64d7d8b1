import GenoBenchCore
import XCTest

/// When GenoBench overrides OpenBLAS's choice of kernels (`BLASKernels.replacement`), and what
/// the process reports.
final class BLASKernelsTests: XCTestCase {
    func testOnlyAFamilyWithoutAVX2IsReplacedAndOnlyByWhatTheCPUSupports() {
        XCTAssertEqual(BLASKernels.replacement(chosen: "Prescott", supported: "SkylakeX", environment: [:]), "SkylakeX")
        XCTAssertEqual(BLASKernels.replacement(chosen: "Nehalem", supported: "Haswell", environment: [:]), "Haswell")
        XCTAssertEqual(BLASKernels.replacement(chosen: "Sandybridge", supported: "Haswell", environment: [:]), "Haswell")
        // OpenBLAS's own AVX2 or AVX-512 choices stand, even where the CPU could do more.
        XCTAssertNil(BLASKernels.replacement(chosen: "Haswell", supported: "SkylakeX", environment: [:]))
        XCTAssertNil(BLASKernels.replacement(chosen: "Zen", supported: "SkylakeX", environment: [:]))
        XCTAssertNil(BLASKernels.replacement(chosen: "SkylakeX", supported: "SkylakeX", environment: [:]))
        // A CPU without AVX2 keeps the generic kernels.
        XCTAssertNil(BLASKernels.replacement(chosen: "Prescott", supported: nil, environment: [:]))
    }

    func testTheUsersSettingAndTheOptOutWin() {
        XCTAssertNil(BLASKernels.replacement(chosen: "Prescott", supported: "SkylakeX", environment: ["OPENBLAS_CORETYPE": "Prescott"]))
        XCTAssertNil(BLASKernels.replacement(chosen: "Prescott", supported: "SkylakeX", environment: ["GENOBENCH_KEEP_BLAS_CORE": "1"]))
        XCTAssertEqual(BLASKernels.replacement(chosen: "Prescott", supported: "SkylakeX", environment: ["GENOBENCH_KEEP_BLAS_CORE": "0"]), "SkylakeX")
    }

    func testTheMachineRecordNamesTheKernelsInUse() {
        let core = BLASKernels.coreName
        XCTAssertFalse(core.isEmpty)
        XCTAssert(BLASThreads.configuration.contains(core), "'\(BLASThreads.configuration)' lacks '\(core)'")
    }
}
