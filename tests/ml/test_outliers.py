import numpy as np
import pytest
from astrolearn.ml import outliers


def test_isolation_forest_finds_pulsars_among_radio_candidates(htru2):
    ranked = outliers.rank_outliers(htru2, htru2.colnames[:8], "isolation_forest", top=100)
    # Pulsars are 1,639 of 17,898 candidates (9.2%, Lyon et al. 2016). Real pulsars
    # have extreme profile statistics, so the unsupervised top 100 should be far
    # richer in them than chance (measured: 99 of 100).
    assert np.sum(ranked["is_pulsar"]) >= 80
    assert ranked["outlier_rank"][0] == 1
    assert np.all(np.diff(ranked["outlier_score"]) <= 0)
    assert np.all(htru2["profile_mean"][ranked["row"]] == ranked["profile_mean"])


def test_local_outlier_factor_and_one_class_svm_rank_every_row(htru2):
    sample = htru2[::20]
    for method in ("local_outlier_factor", "one_class_svm"):
        ranked = outliers.rank_outliers(sample, htru2.colnames[:8], method, top=None)
        assert len(ranked) == len(sample)
        assert sorted(ranked["row"]) == list(range(len(sample)))


def test_bad_arguments_are_named(htru2):
    with pytest.raises(ValueError, match="method must be one of"):
        outliers.make_detector("zscore")
    with pytest.raises(ValueError, match="top must be a positive integer"):
        outliers.rank_outliers(htru2, htru2.colnames[:8], top=0)
