import numpy as np
import pytest
from astrolearn.ui import ParameterSpaceExplorer
from astrolearn.ui.labs import ClassifierLab


@pytest.fixture(scope="module")
def lab():
    return ClassifierLab("sdss_dr14")


def test_train_by_traits_and_button(lab):
    lab.model, lab.params, lab.features = "random_forest", {}, ["u_g", "g_r", "r_i", "i_z"]
    lab.train_button.click()
    assert lab.error == ""
    # Dataset PROVENANCE: random forest on four colours 0.965 (3-fold).
    assert lab.accuracy > 0.95
    assert lab.classes == ["GALAXY", "QSO", "STAR"]
    assert np.sum(lab.confusion) == 2500
    wrong = np.sum(lab.confusion) - np.trace(lab.confusion)
    assert len(lab.misclassified_rows) == wrong == len(lab.selection.indices)
    assert set(lab.importance) == set(lab.features)
    assert len(lab.roc.x) == 3


def test_misclassified_objects_show_in_the_linked_explorer():
    explorer = ParameterSpaceExplorer("sdss_dr14")
    lab = ClassifierLab(explorer.selection)
    lab.model, lab.params = "knn", {"n_neighbors": 15}
    lab.train()
    assert lab.selection is explorer.selection
    assert explorer.selection.indices.tolist() == sorted(lab.misclassified_rows)
    assert "selected" in explorer.status.value


def test_redshift_feature_and_cross_validation(lab):
    lab.features = ["u_g", "g_r", "r_i", "i_z", "redshift"]
    lab.model, lab.validation, lab.folds = "decision_tree", "cross_validation", 3
    lab.train()
    # With redshift, classification is near perfect (Kaggle DR14 results ~0.99).
    assert lab.accuracy > 0.98 and len(lab.cv_scores) == 3
    lab.validation = "split"


def test_photo_z_task(lab):
    lab.task, lab.model, lab.features = "photo_z", "knn", ["u_g", "g_r", "r_i", "i_z", "r"]
    lab.train()
    # Beck et al. 2016 (SDSS DR12): galaxy sigma_NMAD ~0.02.
    assert lab.photo_z_quality["sigma_nmad"] < 0.03
    assert set(lab.table["class"][lab.selection.indices]) <= {"GALAXY"}
    lab.task = "classify"


def test_bad_settings_are_reported_not_raised(lab):
    lab.model = "svm"
    lab.train()
    assert "model must be one of" in lab.error
    assert "Problem" in lab.status_html.value
    lab.model, lab.features = "knn", ["u_g"]
    with pytest.raises(ValueError, match="at least two columns"):
        lab.decision_boundary()
    lab.features = ["u_g", "g_r"]
    _, _, grid = lab.decision_boundary(steps=20)
    assert grid.shape == (20, 20)
