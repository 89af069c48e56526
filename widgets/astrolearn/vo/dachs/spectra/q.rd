<?xml version="1.0" encoding="utf-8"?>
<!-- astrolearn local mirror: the bundled spectra as an SSA (Simple Spectral Access)
collection. `astrolearn mirror start` writes each spectrum as a FITS file whose primary
header carries the keywords read below (the object, its position, the spectral range
in metres, the number of channels); the spectrum itself is the table extension, as
bundled. -->
<resource schema="spectra">
  <meta name="title">astrolearn mirror: bundled spectra</meta>
  <meta name="description">Real spectra bundled with astrolearn, served by the local VO
    mirror through the Simple Spectral Access protocol: the 21-cm (H I) spectrum of the
    galaxy AGC 100051 from the Arecibo Legacy Fast ALFA survey (ALFALFA).</meta>
  <meta name="creationDate">2026-12-07T00:00:00Z</meta>
  <meta name="subject">spectroscopy</meta>
  <meta name="subject">galaxies</meta>
  <meta name="subject">h i line emission</meta>
  <meta name="creator.name">ALFALFA team (Cornell University)</meta>
  <meta name="source">2011AJ....142..170H</meta>
  <meta name="rights">ALFALFA public data release; redistributed in astroquery (BSD-3)</meta>
  <meta name="coverage.waveband">Radio</meta>
  <meta name="ssap.dataSource">survey</meta>
  <meta name="ssap.creationType">archival</meta>
  <meta name="ssap.testQuery">MAXREC=1</meta>

  <table id="main" onDisk="True" adql="True">
    <meta name="description">The bundled spectra, one row each.</meta>
    <mixin
      fluxUnit="mJy"
      spectralUnit="MHz"
      spectralUCD="em.freq"
      fluxUCD="phot.flux.density;em.freq"
      fluxCalibration="ABSOLUTE"
      spectralCalibration="ABSOLUTE"
      instrument="'Arecibo ALFA'"
      datasource="survey"
      creationType="archival"
      reference="2011AJ....142..170H"
      >//ssap#hcd</mixin>
  </table>

  <data id="import">
    <sources pattern="data/*.fits"/>
    <fitsProdGrammar>
      <rowfilter procDef="//products#define">
        <bind name="table">"\schema.main"</bind>
        <bind name="mime">"application/fits"</bind>
      </rowfilter>
    </fitsProdGrammar>
    <make table="main">
      <rowmaker idmaps="*">
        <apply procDef="//ssap#setMeta">
          <bind name="dstitle">"ALFALFA H I spectrum of "+@OBJECT</bind>
          <bind name="pubDID">"ivo://astrolearn.mirror/~?"+@prodtblAccref</bind>
          <bind name="targname">@OBJECT</bind>
          <bind name="targclass">"galaxy"</bind>
          <bind name="alpha">float(@RA)</bind>
          <bind name="delta">float(@DEC)</bind>
          <bind name="specstart">float(@SPECSTRT)</bind>
          <bind name="specend">float(@SPECEND)</bind>
          <bind name="specmid">(float(@SPECSTRT)+float(@SPECEND))/2</bind>
          <bind name="specext">float(@SPECEND)-float(@SPECSTRT)</bind>
          <bind name="length">int(@CHAN)</bind>
          <bind name="aperture">float(@BEAMDEG)</bind>
          <bind name="bandpass">"21 cm"</bind>
        </apply>
      </rowmaker>
    </make>
  </data>

  <service id="ssa" allowed="ssap.xml,form">
    <meta name="title">astrolearn mirror: spectra (SSA)</meta>
    <meta name="shortName">al spectra ssa</meta>
    <meta name="ssap.complianceLevel">query</meta>
    <ssapCore queriedTable="main">
      <property key="previews">none</property>
      <FEED source="//ssap#hcd_condDescs"/>
    </ssapCore>
  </service>
</resource>
