<?xml version="1.0" encoding="utf-8"?>
<!-- astrolearn local mirror: the bundled Gaia fields (Pleiades, NGC 188, COSMOS) under
the schema and column names of the ESA Gaia archive, so the same ADQL runs on both.
The FITS input is written by `astrolearn mirror start` from astrolearn.data. -->
<resource schema="gaiadr3">
  <meta name="title">astrolearn mirror: Gaia DR3 fields (Pleiades, NGC 188, COSMOS)</meta>
  <meta name="description">Gaia sources in three small fields bundled with astrolearn,
    served under the names of gaiadr3.gaia_source of the ESA Gaia archive.</meta>
  <meta name="creationDate">2026-11-24T00:00:00Z</meta>
  <meta name="subject">astrometry</meta>
  <meta name="creator.name">Gaia Collaboration</meta>
  <meta name="source">2023A&amp;A...674A...1G</meta>
  <meta name="rights">CC BY-SA 3.0 IGO (ESA/Gaia/DPAC)</meta>

  <table id="gaia_source" onDisk="True" adql="True" primary="source_id"
      mixin="//scs#q3cindex">
    <meta name="description">Gaia sources of three fields bundled with astrolearn, with 12
      of the archive's more than 150 columns (and a field column of our own). Each field
      was cut before it was bundled, so a query here finds fewer sources than the archive
      would: pleiades, 720 sources in a cone of 1 degree around RA 56.87, Dec +24.11, with
      parallax above 3 mas, G brighter than 18 and RUWE below 1.4; its BP and RP magnitudes
      are NULL (the bundled file gives only BP - RP). ngc188, 4876 sources in a cone of 0.5
      degree on NGC 188 with G brighter than 19. cosmos, the 10278 sources of the LSST
      reference catalogue in the COSMOS field (about 2 by 2 degrees) that have a position,
      their AB magnitudes converted to Gaia's Vega system.</meta>
    <!-- SCS VERB levels (DaCHS: VERB=1 shows verbLevel <= 10, VERB=2 <= 20, VERB=3
    all): 1 = identifier and position; 2 adds the measurements lessons use
    (default level 20); 3 adds bookkeeping and secondary columns (level 30). -->
    <column name="source_id" verbLevel="1" type="bigint" ucd="meta.id;meta.main" required="True"
      description="Unique source identifier (unique within a particular Data Release)"/>
    <column name="field" verbLevel="30" type="text" ucd="meta.id;obs.field"
      description="astrolearn bundled field this row comes from (pleiades, ngc188, cosmos)"/>
    <column name="ra" verbLevel="1" type="double precision" unit="deg" ucd="pos.eq.ra;meta.main"
      description="Right ascension (ICRS)"/>
    <column name="dec" verbLevel="1" type="double precision" unit="deg" ucd="pos.eq.dec;meta.main"
      description="Declination (ICRS)"/>
    <column name="parallax" type="double precision" unit="mas" ucd="pos.parallax.trig"
      description="Parallax"/>
    <column name="parallax_error" verbLevel="30" type="real" unit="mas"
      ucd="stat.error;pos.parallax.trig" description="Standard error of parallax"/>
    <column name="pmra" type="double precision" unit="mas/yr"
      ucd="pos.pm;pos.eq.ra" description="Proper motion in right ascension (times cos dec)"/>
    <column name="pmdec" type="double precision" unit="mas/yr"
      ucd="pos.pm;pos.eq.dec" description="Proper motion in declination"/>
    <column name="phot_g_mean_mag" type="real" unit="mag" ucd="phot.mag;em.opt"
      description="G-band mean magnitude (Vega)"/>
    <column name="phot_bp_mean_mag" verbLevel="30" type="real" unit="mag" ucd="phot.mag;em.opt.B"
      description="Integrated BP mean magnitude (Vega)"/>
    <column name="phot_rp_mean_mag" verbLevel="30" type="real" unit="mag" ucd="phot.mag;em.opt.R"
      description="Integrated RP mean magnitude (Vega)"/>
    <column name="bp_rp" type="real" unit="mag" ucd="phot.color;em.opt.B;em.opt.R"
      description="BP - RP colour"/>
    <column name="radial_velocity" verbLevel="30"
      type="real" unit="km/s" ucd="spect.dopplerVeloc.opt"
      description="Radial velocity"/>
  </table>

  <data id="import">
    <sources pattern="data/gaia_source.fits"/>
    <fitsTableGrammar nanIsNULL="True"/>
    <make table="gaia_source">
      <rowmaker idmaps="*"/>
    </make>
  </data>

  <service id="scs" allowed="scs.xml,form">
    <meta name="title">astrolearn mirror: Gaia cone search</meta>
    <meta name="shortName">al gaia scs</meta>
    <meta name="testQuery.ra">56.75</meta>
    <meta name="testQuery.dec">24.12</meta>
    <meta name="testQuery.sr">0.1</meta>
    <scsCore queriedTable="gaia_source">
      <FEED source="//scs#coreDescs"/>
    </scsCore>
  </service>
</resource>
