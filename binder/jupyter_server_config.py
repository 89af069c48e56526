"""Jupyter server settings for Binder and JupyterHub single-user servers.

postBuild copies this file to ~/.jupyter/. Voila is a server extension (installed with
the voila package), so apps open at /voila/render/<path>.ipynb and the gallery at
/voila/tree/apps.
"""

c = get_config()  # noqa: F821 - provided by Jupyter's config loader

# Voila kernels leak: a closed tab does not stop its kernel, and plain GET requests start
# kernels (measured: 36 kernels, ~5 GB). Culling idle kernels bounds the memory a user can
# hold; these settings apply to JupyterLab kernels too.
c.MappingKernelManager.cull_idle_timeout = 15 * 60
c.MappingKernelManager.cull_interval = 60
c.MappingKernelManager.cull_connected = False

# Work offline-first in classrooms: the VO layer tries live services, then a mirror, then
# the bundled snapshot (astrolearn.vo.config); nothing to set here for Binder, which has
# internet. Voila: the "lab" template works offline; "classic" loads jQuery from a CDN.
c.VoilaConfiguration.template = "lab"
