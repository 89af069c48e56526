<?xml version="1.0" encoding="utf-8"?>
<!-- astrolearn local mirror: the bundled sky images as a SIAP image collection, also
published to ObsCore so that DaCHS's site-wide SIA version 2 service finds them. The
FITS files are written by `astrolearn mirror start` from astrolearn.data (the bundled
image, with an OBJECT keyword added). -->
<resource schema="images">
  <meta name="title">astrolearn mirror: bundled sky images</meta>
  <meta name="description">Real sky images bundled with astrolearn, served by the
    local VO mirror through the Simple Image Access protocol: a Digitized Sky Survey
    (DSS2, near-infrared plate) image of the open cluster NGC 6819, about 0.67 deg
    across, cut out by the CDS hips2fits service.</meta>
  <meta name="creationDate">2026-12-07T00:00:00Z</meta>
  <meta name="subject">sky images</meta>
  <meta name="subject">open star clusters</meta>
  <meta name="creator.name">Space Telescope Science Institute</meta>
  <meta name="rights">The Digitized Sky Surveys were produced at the Space Telescope
    Science Institute under U.S. Government grant NAG W-2166.</meta>
  <meta name="coverage.waveband">Optical</meta>

  <table id="main" onDisk="True" mixin="//siap#pgs" adql="True">
    <meta name="description">The bundled sky images, one row each.</meta>
    <mixin
      calibLevel="1"
      collectionName="'astrolearn images'"
      targetName="object"
      expTime="NULL"
      facilityName="'Palomar Oschin Schmidt (DSS2)'"
      >//obscore#publishSIAP</mixin>
    <column name="object" type="text" ucd="meta.id;src"
      description="Object at the centre of the image" verbLevel="15"/>
  </table>

  <data id="import">
    <sources pattern="data/*.fits"/>
    <fitsProdGrammar>
      <rowfilter procDef="//products#define">
        <bind name="table">"\schema.main"</bind>
      </rowfilter>
    </fitsProdGrammar>
    <make table="main">
      <rowmaker>
        <map key="object">@OBJECT</map>
        <apply procDef="//siap#setMeta">
          <bind name="title">"DSS2 near-infrared image of "+@OBJECT</bind>
          <bind name="instrument">"DSS2 near-infrared plate (IV-N emulsion, RG9 filter)"</bind>
          <bind name="bandpassId">"DSS2 NIR"</bind>
          <bind name="bandpassUnit">"m"</bind>
          <bind name="bandpassRefval">8.5e-7</bind>
          <bind name="bandpassLo">7.0e-7</bind>
          <bind name="bandpassHi">1.0e-6</bind>
        </apply>
        <apply procDef="//siap#computePGS"/>
      </rowmaker>
    </make>
  </data>

  <service id="sia" allowed="siap.xml,form">
    <meta name="title">astrolearn mirror: sky images (SIAP)</meta>
    <meta name="shortName">al images sia</meta>
    <meta name="sia.type">Pointed</meta>
    <meta name="testQuery.pos.ra">295.33</meta>
    <meta name="testQuery.pos.dec">40.19</meta>
    <meta name="testQuery.size.ra">0.1</meta>
    <meta name="testQuery.size.dec">0.1</meta>
    <dbCore queriedTable="main">
      <condDesc original="//siap#protoInput"/>
      <condDesc original="//siap#humanInput"/>
    </dbCore>
  </service>
</resource>
