"""Bibliographic references of the bundled datasets (used by tools/build_data.py).

Each entry: ADS bibcode -> (authors, title, journal, volume, pages, year).
"""

REFERENCES = {
    "2018ApJS..235...42A": (
        "Abolfathi, B. and others",
        "The Fourteenth Data Release of the Sloan Digital Sky Survey: First Spectroscopic "
        "Data from the Extended Baryon Oscillation Spectroscopic Survey and from the Second "
        "Phase of the Apache Point Observatory Galactic Evolution Experiment",
        "ApJS",
        "235",
        "42",
        2018,
    ),
    "2022ApJS..259...35A": (
        "Abdurro'uf and others",
        "The Seventeenth Data Release of the Sloan Digital Sky Surveys: Complete Release of "
        "MaNGA, MaStar, and APOGEE-2 Data",
        "ApJS",
        "259",
        "35",
        2022,
    ),
    "2007AJ....134..102S": (
        "Schneider, D. P. and others",
        "The Sloan Digital Sky Survey Quasar Catalog. IV. Fifth Data Release",
        "AJ",
        "134",
        "102",
        2007,
    ),
    "2012msma.book.....F": (
        "Feigelson, E. D. and Babu, G. J.",
        "Modern Statistical Methods for Astronomy",
        "Cambridge University Press",
        "",
        "",
        2012,
    ),
    "2016MNRAS.459.1104L": (
        "Lyon, R. J. and Stappers, B. W. and Cooper, S. and Brooke, J. M. and Knowles, J. D.",
        "Fifty years of pulsar candidate selection: from simple filters to a new principled "
        "real-time classification approach",
        "MNRAS",
        "459",
        "1104",
        2016,
    ),
    "2018A&A...616A...1G": (
        "Gaia Collaboration and Brown, A. G. A. and others",
        "Gaia Data Release 2. Summary of the contents and survey properties",
        "A&A",
        "616",
        "A1",
        2018,
    ),
    "2023A&A...674A...1G": (
        "Gaia Collaboration and Vallenari, A. and others",
        "Gaia Data Release 3. Summary of the content and survey properties",
        "A&A",
        "674",
        "A1",
        2023,
    ),
    "2018ApJ...863L..20P": (
        "Price-Whelan, A. M. and Bonaca, A.",
        "Off the Beaten Path: Gaia Reveals GD-1 Stars outside of the Main Stream",
        "ApJL",
        "863",
        "L20",
        2018,
    ),
    "2016arXiv161205560C": (
        "Chambers, K. C. and others",
        "The Pan-STARRS1 Surveys",
        "arXiv e-prints",
        "",
        "1612.05560",
        2016,
    ),
    "2018A&A...618A..93C": (
        "Cantat-Gaudin, T. and others",
        "A Gaia DR2 view of the open cluster population in the Milky Way",
        "A&A",
        "618",
        "A93",
        2018,
    ),
    "2006AJ....131.1163S": (
        "Skrutskie, M. F. and others",
        "The Two Micron All Sky Survey (2MASS)",
        "AJ",
        "131",
        "1163",
        2006,
    ),
    "2008AcA....58...69U": (
        "Udalski, A. and others",
        "The Optical Gravitational Lensing Experiment. Final Reductions of the OGLE-III Data",
        "AcA",
        "58",
        "69",
        2008,
    ),
    "2008AcA....58..163S": (
        "Soszyński, I. and others",
        "The Optical Gravitational Lensing Experiment. The OGLE-III Catalog of Variable "
        "Stars. I. Classical Cepheids in the Large Magellanic Cloud",
        "AcA",
        "58",
        "163",
        2008,
    ),
    "2010AcA....60...17S": (
        "Soszyński, I. and others",
        "The Optical Gravitational Lensing Experiment. The OGLE-III Catalog of Variable "
        "Stars. VII. Classical Cepheids in the Small Magellanic Cloud",
        "AcA",
        "60",
        "17",
        2010,
    ),
    "2011AcA....61..103G": (
        "Graczyk, D. and others",
        "The Optical Gravitational Lensing Experiment. The OGLE-III Catalog of Variable "
        "Stars. XII. Eclipsing Binary Stars in the Large Magellanic Cloud",
        "AcA",
        "61",
        "103",
        2011,
    ),
    "2010Sci...327..977B": (
        "Borucki, W. J. and others",
        "Kepler Planet-Detection Mission: Introduction and First Results",
        "Science",
        "327",
        "977",
        2010,
    ),
    "2014MNRAS.443.1231C": (
        "Campbell, L. A. and others",
        "The 6dF Galaxy Survey: fundamental plane data",
        "MNRAS",
        "443",
        "1231",
        2014,
    ),
    "2012MNRAS.427..245M": (
        "Magoulas, C. and others",
        "The 6dF Galaxy Survey: the near-infrared Fundamental Plane of early-type galaxies",
        "MNRAS",
        "427",
        "245",
        2012,
    ),
    "2015PASA...32...33R": (
        "Robotham, A. S. G. and Obreschkow, D.",
        "Hyper-Fit: Fitting Linear Models to Multidimensional Data with Multivariate "
        "Gaussian Uncertainties",
        "PASA",
        "32",
        "e033",
        2015,
    ),
    "2010ApJ...708..717S": (
        "Sesar, B. and others",
        "Light Curve Templates and Galactic Distribution of RR Lyrae Stars from Sloan "
        "Digital Sky Survey Stripe 82",
        "ApJ",
        "708",
        "717",
        2010,
    ),
    "2019PASP..131a8002B": (
        "Bellm, E. C. and others",
        "The Zwicky Transient Facility: System Overview, Performance, and First Results",
        "PASP",
        "131",
        "018002",
        2019,
    ),
    "2020ApJ...895...32F": (
        "Fremling, C. and others",
        "The Zwicky Transient Facility Bright Transient Survey. I. Spectroscopic "
        "Classification and the Redshift Completeness of Local Galaxy Catalogs",
        "ApJ",
        "895",
        "32",
        2020,
    ),
    "2020ApJ...904...35P": (
        "Perley, D. A. and others",
        "The Zwicky Transient Facility Bright Transient Survey. II. A Public Statistical "
        "Sample for Exploring Supernova Demographics",
        "ApJ",
        "904",
        "35",
        2020,
    ),
    "2021A&A...649A...1G": (
        "Gaia Collaboration and Brown, A. G. A. and others",
        "Gaia Early Data Release 3. Summary of the contents and survey properties",
        "A&A",
        "649",
        "A1",
        2021,
    ),
    "2016A&A...595A...1G": (
        "Gaia Collaboration and Prusti, T. and others",
        "The Gaia mission",
        "A&A",
        "595",
        "A1",
        2016,
    ),
    "2010AJ....140.1868W": (
        "Wright, E. L. and others",
        "The Wide-field Infrared Survey Explorer (WISE): Mission Description and Initial "
        "On-orbit Performance",
        "AJ",
        "140",
        "1868",
        2010,
    ),
    "1984ApJ...278L...1N": (
        "Neugebauer, G. and others",
        "The Infrared Astronomical Satellite (IRAS) mission",
        "ApJ",
        "278",
        "L1",
        1984,
    ),
    "2009ApJ...697.1071A": (
        "Atwood, W. B. and others",
        "The Large Area Telescope on the Fermi Gamma-Ray Space Telescope Mission",
        "ApJ",
        "697",
        "1071",
        2009,
    ),
}


def bibtex(bibcode: str) -> str:
    """BibTeX entry for one of the references above."""
    authors, title, journal, volume, pages, year = REFERENCES[bibcode]
    kind = "BOOK" if "Press" in journal else "ARTICLE"
    venue = "publisher" if kind == "BOOK" else "journal"
    fields = [
        f"  author = {{{authors}}}",
        f"  title = {{{{{title}}}}}",
        f"  {venue} = {{{journal}}}",
    ]
    if volume:
        fields.append(f"  volume = {{{volume}}}")
    if pages:
        fields.append(f"  pages = {{{pages}}}")
    fields.append(f"  year = {{{year}}}")
    return f"@{kind}{{{bibcode},\n" + ",\n".join(fields) + "\n}"
