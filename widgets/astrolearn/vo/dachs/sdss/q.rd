<?xml version="1.0" encoding="utf-8"?>
<!-- astrolearn local mirror: the bundled SDSS DR14 spectroscopic sample (PhotoObj
magnitudes joined with SpecObj redshift and class, as on SkyServer). The FITS input is
written by `astrolearn mirror start` from astrolearn.data. -->
<resource schema="sdss">
  <meta name="title">astrolearn mirror: SDSS DR14 spectroscopic objects (10,000)</meta>
  <meta name="description">10,000 SDSS DR14 objects with ugriz photometry, spectroscopic
    redshift and class, bundled with astrolearn.</meta>
  <meta name="creationDate">2026-11-24T00:00:00Z</meta>
  <meta name="subject">surveys</meta>
  <meta name="creator.name">SDSS Collaboration</meta>
  <meta name="source">2018ApJS..235...42A</meta>

  <table id="specphoto" onDisk="True" adql="True" primary="specid"
      mixin="//scs#q3cindex">
    <meta name="description">SDSS DR14 photometry with spectroscopic redshift and class.</meta>
    <!-- SCS VERB levels (DaCHS: VERB=1 shows verbLevel <= 10, VERB=2 <= 20, VERB=3
    all): 1 = identifier and position; 2 adds the measurements lessons use
    (default level 20); 3 adds bookkeeping and secondary columns (level 30). -->
    <column name="specid" verbLevel="1" type="text" ucd="meta.id;meta.main" required="True"
      description="Spectrum identifier plate-mjd-fiberid"/>
    <column name="ra" verbLevel="1" type="double precision" unit="deg" ucd="pos.eq.ra;meta.main"
      description="Right ascension (J2000)"/>
    <column name="dec" verbLevel="1" type="double precision" unit="deg" ucd="pos.eq.dec;meta.main"
      description="Declination (J2000)"/>
    <column name="u" type="double precision" unit="mag" ucd="phot.mag;em.opt.U"
      description="u-band model magnitude (asinh AB)"/>
    <column name="g" type="double precision" unit="mag" ucd="phot.mag;em.opt.B"
      description="g-band model magnitude (asinh AB)"/>
    <column name="r" type="double precision" unit="mag" ucd="phot.mag;em.opt.R"
      description="r-band model magnitude (asinh AB)"/>
    <column name="i" type="double precision" unit="mag" ucd="phot.mag;em.opt.I"
      description="i-band model magnitude (asinh AB)"/>
    <column name="z" type="double precision" unit="mag" ucd="phot.mag;em.opt.I"
      description="z-band model magnitude (asinh AB)"/>
    <column name="run" verbLevel="30" type="integer" ucd="meta.id;obs" description="Imaging run"/>
    <column name="rerun" verbLevel="30"
      type="integer" ucd="meta.id" description="Processing rerun"/>
    <column name="camcol" verbLevel="30"
      type="integer" ucd="meta.id;instr.det" description="Camera column"/>
    <column name="field" verbLevel="30"
      type="integer" ucd="meta.id;obs.field" description="Field number"/>
    <column name="redshift" type="double precision" ucd="src.redshift"
      description="Spectroscopic redshift (SpecObj.z)"/>
    <column name="plate" verbLevel="30"
      type="integer" ucd="meta.id;instr" description="Plate number"/>
    <column name="mjd" verbLevel="30" type="integer" unit="d" ucd="time.epoch"
      description="MJD of the spectroscopic observation"/>
    <column name="fiberid" verbLevel="30"
      type="integer" ucd="meta.id;instr.param" description="Fiber"/>
    <column name="class" type="text" ucd="src.class"
      description="Spectroscopic class: STAR, GALAXY or QSO"/>
  </table>

  <data id="import">
    <sources pattern="data/specphoto.fits"/>
    <fitsTableGrammar nanIsNULL="True"/>
    <make table="specphoto">
      <rowmaker idmaps="*"/>
    </make>
  </data>

  <service id="scs" allowed="scs.xml,form">
    <meta name="title">astrolearn mirror: SDSS cone search</meta>
    <meta name="shortName">al sdss scs</meta>
    <meta name="testQuery.ra">183.53</meta>
    <meta name="testQuery.dec">0.09</meta>
    <meta name="testQuery.sr">0.1</meta>
    <scsCore queriedTable="specphoto">
      <FEED source="//scs#coreDescs"/>
    </scsCore>
  </service>
</resource>
