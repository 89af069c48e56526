"""Classifier lab: choose features, model and hyper-parameters; train; inspect the errors.

Also photometric-redshift regression (``task = "photo_z"``). Misclassified test
objects are selected in the shared Selection, so they light up in the
parameter-space explorer and on the sky.

Example
-------
>>> lab = ClassifierLab("sdss_dr14")                        # doctest: +SKIP
>>> lab.model = "knn"; lab.params = {"n_neighbors": 5}       # doctest: +SKIP
>>> lab.train_button.click(); lab.accuracy                  # doctest: +SKIP
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import traitlets
from bqplot import Axis, ColorScale, Figure, GridHeatMap, OrdinalScale

from ...ml import classify, models, regress
from ..palette import SEQUENTIAL_SCHEME
from ._lab import Lab, bar_figure, line_figure

#: Placeholder labels of the empty confusion matrix shown before training.
NO_CLASSES = ["-", " "]


class ClassifierLab(Lab):
    """Supervised learning on a catalog: classification or photometric redshifts.

    Parameters
    ----------
    data : Selection, Table or dataset name
        A catalog with ugriz magnitudes (colours ``u_g`` ... are added) and a target.
    """

    task = traitlets.Enum(["classify", "photo_z"], "classify")
    features = traitlets.List(traitlets.Unicode(), ["u_g", "g_r", "r_i", "i_z"])
    target = traitlets.Unicode("class")
    model = traitlets.Unicode("random_forest")
    params = traitlets.Dict()
    validation = traitlets.Enum(["split", "cross_validation"], "split")
    test_size = traitlets.Float(0.25)
    folds = traitlets.Int(5)
    seed = traitlets.Int(0)
    #: Photo-z: the value to predict, and the class to train on ("" = all rows).
    redshift = traitlets.Unicode("redshift")
    photo_z_class = traitlets.Unicode("GALAXY")
    # results
    accuracy = traitlets.Float(float("nan"))
    cv_scores = traitlets.List()
    classes = traitlets.List()
    confusion = traitlets.List()
    recall = traitlets.Dict()
    precision = traitlets.Dict()
    importance = traitlets.Dict()
    photo_z_quality = traitlets.Dict()
    misclassified_rows = traitlets.List()
    results = (
        "accuracy",
        "cv_scores",
        "classes",
        "confusion",
        "recall",
        "precision",
        "importance",
        "photo_z_quality",
        "misclassified_rows",
    )

    def __init__(self, data="sdss_dr14", name=None):
        super().__init__(data, name)
        self.model_menu = widgets.Dropdown(options=models.names("classify"), description="model")
        self.feature_menu = widgets.SelectMultiple(description="features")
        self.size_slider = widgets.FloatSlider(
            min=0.1, max=0.5, step=0.05, description="test part"
        )
        self.model_menu.value = self.model
        self._use_table()
        self.size_slider.value = self.test_size
        # Controls drive the traits one way: a lesson may set a trait the menus do
        # not offer (a bad model name), and the lab must then report it, not crash.
        traitlets.dlink((self.model_menu, "value"), (self, "model"))
        traitlets.dlink((self.feature_menu, "value"), (self, "features"), list)
        traitlets.dlink((self.size_slider, "value"), (self, "test_size"))
        self.confusion_figure, self.heatmap = self._confusion_view()
        self.importance_figure, self.bars = bar_figure("Permutation importance")
        self.roc_figure, self.roc = line_figure(
            "ROC (one class vs rest)", "false positive rate", "true positive rate", lines=3
        )
        controls = widgets.HBox(
            [
                self.model_menu,
                self.feature_menu,
                widgets.VBox([self.size_slider, self.train_button]),
            ]
        )
        plots = widgets.HBox([self.confusion_figure, self.importance_figure, self.roc_figure])
        self.children = [controls, self.status_html, plots]

    def _use_table(self) -> None:
        """Offer the numeric columns (colours included), keeping the chosen ones."""
        numeric = [n for n in self.work_table.colnames if self.work_table[n].dtype.kind in "fi"]
        chosen = tuple(f for f in self.features if f in numeric)
        self.feature_menu.options = numeric
        self.feature_menu.value = chosen

    def _new_table(self, change) -> None:
        super()._new_table(change)
        self._use_table()
        # Empty plots: the old table's results are gone.
        with self.heatmap.hold_sync():
            self.heatmap.row, self.heatmap.column = NO_CLASSES, NO_CLASSES
            self.heatmap.color = np.zeros((2, 2))
        self.bars.x, self.bars.y = [], []
        self.roc.x, self.roc.y, self.roc.labels = [], [], []

    def _confusion_view(self):
        x, y = OrdinalScale(), OrdinalScale(reverse=True)
        heat = GridHeatMap(
            color=np.zeros((2, 2)),
            row=NO_CLASSES,
            column=NO_CLASSES,
            scales={"column": x, "row": y, "color": ColorScale(scheme=SEQUENTIAL_SCHEME)},
        )
        figure = Figure(
            marks=[heat],
            title="Confusion (rows: true, columns: predicted)",
            axes=[Axis(scale=x, label="predicted"), Axis(scale=y, side="left", label="true")],
            layout=widgets.Layout(width="420px", height="300px"),
        )
        return figure, heat

    def _fit(self) -> str:
        if self.task == "photo_z":
            return self._fit_photo_z()
        if self.validation == "cross_validation":
            scores = classify.cross_validate(
                self.work_table,
                self.features,
                self.target,
                self.model,
                self.folds,
                self.seed,
                **self.params,
            )
            self.cv_scores = scores.tolist()
            self.accuracy = float(scores.mean())
            return f"{self.folds}-fold accuracy {scores.mean():.3f} ± {scores.std():.3f}"
        result = classify.train_and_test(
            self.work_table,
            self.features,
            self.target,
            self.model,
            self.test_size,
            self.seed,
            **self.params,
        )
        scores = classify.evaluate(result.y_test, result.y_pred)
        self.classes = [str(c) for c in scores["classes"]]
        self.confusion = scores["confusion"].tolist()
        self.recall = {str(k): v for k, v in scores["recall"].items()}
        self.precision = {str(k): v for k, v in scores["precision"].items()}
        self.accuracy = scores["accuracy"]
        ranked = classify.feature_importance(
            result.estimator, result.X_test, result.y_test, result.features, self.seed
        )
        self.importance = dict(
            zip(ranked["feature"], map(float, ranked["importance"]), strict=True)
        )
        wrong = result.test_rows[result.y_test != result.y_pred]
        self.misclassified_rows = wrong.tolist()
        self.show_rows(wrong)
        self._draw(result)
        return (
            f"Held-out accuracy {self.accuracy:.3f} on {len(result.test_rows):,} objects; "
            f"{len(wrong):,} misclassified are selected in the linked views."
        )

    def _fit_photo_z(self) -> str:
        model = self.model if self.model in models.names("regress") else "knn"
        rows = np.arange(len(self.work_table))
        if self.photo_z_class and self.target in self.work_table.colnames:
            # Galaxies only by default: quasar colours are degenerate in redshift.
            rows = rows[np.asarray(self.work_table[self.target]) == self.photo_z_class]
        result = regress.photo_z(
            self.work_table[rows],
            self.features,
            self.redshift,
            model,
            self.test_size,
            self.seed,
            **self.params,
        )
        result.test_rows = rows[result.test_rows]
        self.photo_z_quality = regress.photo_z_metrics(result.y_test, result.y_pred)
        bad = np.abs(result.y_pred - result.y_test) / (1 + result.y_test) > regress.OUTLIER_CUT
        self.misclassified_rows = result.test_rows[bad].tolist()
        self.show_rows(result.test_rows[bad])
        quality = self.photo_z_quality
        return (
            f"sigma_NMAD {quality['sigma_nmad']:.4f}, outliers "
            f"{quality['outlier_fraction']:.1%} (selected in the linked views)"
        )

    def _draw(self, result) -> None:
        with self.heatmap.hold_sync():
            self.heatmap.row, self.heatmap.column = self.classes, self.classes
            self.heatmap.color = np.asarray(self.confusion, dtype=float)
        self.bars.x, self.bars.y = list(self.importance), list(self.importance.values())
        if hasattr(result.estimator, "predict_proba"):
            roc = classify.curves(result.estimator, result.X_test, result.y_test, "roc")
            # One common false-positive grid, so the three curves fit one Lines mark.
            grid = np.linspace(0, 1, 101)
            self.roc.x = [grid for _ in roc]
            self.roc.y = [np.interp(grid, fpr, tpr) for fpr, tpr, _ in roc.values()]
            self.roc.labels = [f"{name} (AUC {curve[2]:.3f})" for name, curve in roc.items()]

    def decision_boundary(self, steps: int = 60):
        """Refit the model on the first two features; return the grid of predicted classes."""
        if len(self.features) < 2:
            raise ValueError("features must hold at least two columns for a 2-D boundary")
        pair = list(self.features[:2])
        result = classify.train_and_test(
            self.work_table,
            pair,
            self.target,
            self.model,
            self.test_size,
            self.seed,
            **self.params,
        )
        return classify.decision_grid(result.estimator, result.X_test, steps)
