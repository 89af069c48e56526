"""Exercise logic for the machine-learning labs: plain functions on astropy Tables/arrays.

Every function validates its inputs, calls scikit-learn (or astropy.timeseries) and
returns scikit-learn estimators/Pipelines or plain arrays and Tables. Nothing here
imports a widget.

Modules: ``models`` (the one factory of every scikit-learn estimator used here, by task
and name, seeded with ``seed``), ``features`` (colours, design matrices), ``classify``,
``regress`` (photometric redshifts), ``cluster`` (incl. star clusters in Gaia
astrometry), ``som`` (a self-organising map and its U-matrix; numpy only), ``fuzzy``
(fuzzy c-means memberships; numpy only), ``outliers``, ``reduce`` (PCA, t-SNE, UMAP if
installed), ``lightcurves`` (Lomb-Scargle, folding, features), ``triage`` (real-time
stream classification), ``uncertainty`` (bootstrap, calibration, prediction intervals),
``boundary`` (lines and circles drawn by hand, scored as classifiers; numpy only),
``transients`` (supernova peak times and rise times from the BTS catalogue, a peak guess
marked; numpy only), ``simulate`` (astrolearn's own simulated RR Lyrae light curves, at
a real survey's cadence and noise, labelled as a simulation everywhere; the model is
numpy only), ``networks`` (small MLPClassifier networks trained epoch by epoch, with
their training curves), ``raster`` (where points drawn as one picture land and what
they cover; numpy only).

Example
-------
>>> from astrolearn.ml import classify
>>> classify.make_classifier("knn").named_steps["model"].n_neighbors
15
"""
