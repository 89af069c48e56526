<?xml version="1.0" encoding="utf-8"?>
<!-- astrolearn local mirror: the bundled Gaia DR2 field of the GD-1 stream, under the
schema and column names of gaiadr2.gaia_source of the ESA Gaia archive, so the same
ADQL runs on both. It is DR2, not DR3: it has a schema of its own and never joins the
gaiadr3 table. The FITS input is written by `astrolearn mirror start` from
astrolearn.data. -->
<resource schema="gaiadr2">
  <meta name="title">astrolearn mirror: Gaia DR2 field of the GD-1 stream</meta>
  <meta name="description">Gaia DR2 sources in the field of the GD-1 stellar stream
    (stream longitude -70 to -20 deg), bundled with astrolearn and served under the
    names of gaiadr2.gaia_source of the ESA Gaia archive. The bundled rows were already
    selected before bundling: parallax below 1 mas, BP-RP between -0.75 and 2 mag, and
    a proper motion inside a polygon around the stream's motion (Downey, "Astronomical
    Data in Python", after Price-Whelan and Bonaca 2018).</meta>
  <meta name="creationDate">2026-12-07T00:00:00Z</meta>
  <meta name="subject">astrometry</meta>
  <meta name="subject">stellar streams</meta>
  <meta name="creator.name">Gaia Collaboration</meta>
  <meta name="source">2018A&amp;A...616A...1G</meta>
  <meta name="rights">CC BY-SA 3.0 IGO (ESA/Gaia/DPAC)</meta>

  <table id="gaia_source" onDisk="True" adql="True" primary="source_id"
      mixin="//scs#q3cindex">
    <meta name="description">Gaia DR2 sources of the bundled GD-1 field, already cut to
      the stream's proper motion (see the resource description).</meta>
    <!-- SCS VERB levels (DaCHS: VERB=1 shows verbLevel <= 10, VERB=2 <= 20, VERB=3
    all): 1 = identifier and position; 2 adds the measurements lessons use
    (default level 20); 3 adds bookkeeping and secondary columns (level 30). -->
    <column name="source_id" verbLevel="1" type="bigint" ucd="meta.id;meta.main" required="True"
      description="Unique source identifier (unique within a particular Data Release)"/>
    <column name="field" verbLevel="30" type="text" ucd="meta.id;obs.field"
      description="astrolearn bundled field this row comes from (gd1)"/>
    <column name="ra" verbLevel="1" type="double precision" unit="deg" ucd="pos.eq.ra;meta.main"
      description="Right ascension (ICRS, epoch J2015.5)"/>
    <column name="dec" verbLevel="1" type="double precision" unit="deg" ucd="pos.eq.dec;meta.main"
      description="Declination (ICRS, epoch J2015.5)"/>
    <column name="parallax" type="double precision" unit="mas" ucd="pos.parallax.trig"
      description="Parallax"/>
    <column name="pmra" type="double precision" unit="mas/yr"
      ucd="pos.pm;pos.eq.ra" description="Proper motion in right ascension (times cos dec)"/>
    <column name="pmdec" type="double precision" unit="mas/yr"
      ucd="pos.pm;pos.eq.dec" description="Proper motion in declination"/>
    <column name="radial_velocity" verbLevel="30"
      type="real" unit="km/s" ucd="spect.dopplerVeloc.opt"
      description="Radial velocity (NULL for most stars)"/>
  </table>

  <data id="import">
    <sources pattern="data/gaia_source.fits"/>
    <fitsTableGrammar nanIsNULL="True"/>
    <make table="gaia_source">
      <rowmaker idmaps="*"/>
    </make>
  </data>

  <service id="scs" allowed="scs.xml,form">
    <meta name="title">astrolearn mirror: Gaia DR2 (GD-1 field) cone search</meta>
    <meta name="shortName">al gaiadr2 scs</meta>
    <meta name="testQuery.ra">148.9</meta>
    <meta name="testQuery.dec">36.1</meta>
    <meta name="testQuery.sr">0.5</meta>
    <scsCore queriedTable="gaia_source">
      <FEED source="//scs#coreDescs"/>
    </scsCore>
  </service>
</resource>
