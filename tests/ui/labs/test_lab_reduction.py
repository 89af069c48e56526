import pytest
from astrolearn.ui.labs import ReductionLab


def test_pca_scree_and_loadings():
    lab = ReductionLab("sdss_dr14")
    lab.train_button.click()
    assert lab.error == ""
    assert lab.embedding_shape == (10000, 2)
    # Colours are differences of magnitudes: 9 features span 5 dimensions.
    assert sum(lab.explained_variance[:5]) == pytest.approx(1.0, abs=1e-9)
    assert set(lab.loadings) == set(lab.features)


def test_tsne_on_a_subsample():
    lab = ReductionLab("sdss_dr14")
    lab.method, lab.max_rows = "tsne", 300
    lab.train()
    assert lab.error == ""
    assert lab.embedding_shape == (300, 2)
    assert len(lab.embedded_rows) == 300


def test_unavailable_method_reported():
    lab = ReductionLab("sdss_dr14")
    lab.method = "som"
    lab.train()
    assert "method must be one of" in lab.error
