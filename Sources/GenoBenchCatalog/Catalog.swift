import GenoBenchCore
import GenoBenchDiD
import GenoBenchHarness
import GenoBenchLD
import GenoBenchLDSC
import GenoBenchPEG
import GenoBenchREML

/// Every family and backend GenoBench ships: the registry the CLI and suites use.
/// A new backend is one type conforming to `Backend` plus one line here.
public enum Catalog {
    public static let registry = Registry([
        FamilyEntry(LDFamily(), backends: [
            NaiveLD<Float>(), NaiveLD<Double>(),
            TiledLD<Float>(), TiledLD<Double>(),
        ]),
        FamilyEntry(REMLFamily(), backends: [
            ExactREML<Float>(), ExactREML<Double>(),
            StochasticREML<Float>(), StochasticREML<Double>(),
        ]),
        FamilyEntry(DiDFamily(), backends: [
            CellDiD<Float>(), CellDiD<Double>(),
            PseudobulkDiD<Float>(), PseudobulkDiD<Double>(),
        ]),
        FamilyEntry(PEGFamily(), backends: [
            LoopPEG<Float>(), LoopPEG<Double>(),
            BatchedPEG<Float>(), BatchedPEG<Double>(),
        ]),
        FamilyEntry(LDSCFamily(), backends: [
            PerSpotLDSC<Float>(), PerSpotLDSC<Double>(),
            BatchedLDSC<Float>(), BatchedLDSC<Double>(),
        ]),
    ])
}
