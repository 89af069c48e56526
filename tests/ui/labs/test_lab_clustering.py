import numpy as np
from astrolearn import data
from astrolearn.ui.labs import ClusteringLab


def test_pleiades_found_by_the_default_settings():
    lab = ClusteringLab("gaia_pleiades")
    lab.train_button.click()
    assert lab.error == ""
    # Gaia DR2 (Gaia Collaboration, Babusiaux et al. 2018): 135.8 pc.
    assert 133 < lab.distance_pc < 139
    assert lab.selection.indices.tolist() == lab.member_rows
    assert lab.quality["silhouette"] > 0.5


def test_choosing_another_cluster_updates_the_selection():
    lab = ClusteringLab("gaia_pleiades")
    lab.method, lab.params, lab.scale = "kmeans", {"n_clusters": 3}, "standard"
    lab.train()
    assert lab.n_clusters == 3
    sizes = {int(k): v for k, v in lab.cluster_sizes.items()}
    smallest = min(sizes, key=sizes.get)
    lab.chosen_cluster = smallest
    assert len(lab.selection.indices) == sizes[smallest]


def test_ngc188_and_bic():
    lab = ClusteringLab("gaia_ngc188")
    lab.train()
    # Literature 1.7-1.9 kpc (see tests/ml/test_cluster.py for the sources).
    assert 1700 < lab.distance_pc < 2000
    lab.features = ["pmra", "pmdec"]
    lab.compute_bic(range(1, 4))
    assert set(lab.bic) == {1, 2, 3}
    # Cluster + field are two populations: two components beat one.
    assert lab.bic[2] < lab.bic[1]


def test_bad_parameter_is_reported():
    lab = ClusteringLab(data.load("gaia_pleiades"), name="pleiades")
    lab.params = {"n_neighbours": 3}
    lab.train()
    assert lab.error.startswith("params:")
    assert np.isnan(lab.distance_pc)
