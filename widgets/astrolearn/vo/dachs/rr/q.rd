<?xml version="1.0" encoding="utf-8"?>
<!-- astrolearn local mirror: a small registry of the mirror's own services, as the
RegTAP tables (schema rr) that pyvo's registry search queries with ADQL. The rows are
built by astrolearn.vo.mirror_registry from the other resource descriptors and written
as FITS by `astrolearn mirror start`. Only the four tables that a keyword and service
type search needs are published. -->
<!-- Every ivoid column has the same definition: DaCHS treats equal columns as one,
which RegTAP queries need (an unqualified ivoid in a subquery on rr.res_subject
inside a query on rr.resource is otherwise ambiguous). -->
<resource schema="rr">
  <meta name="title">astrolearn mirror: registry of the mirror's services (RegTAP)</meta>
  <meta name="description">The services of the local astrolearn VO mirror described in
    the tables of the IVOA Registry Relational Schema (RegTAP), for discovery with
    pyvo.registry while offline.</meta>
  <meta name="creationDate">2026-12-07T00:00:00Z</meta>
  <meta name="subject">virtual observatory</meta>

  <table id="resource" onDisk="True" adql="True">
    <meta name="description">RegTAP table rr.resource.</meta>
    <column name="ivoid" type="text" ucd="meta.ref.ivoid" description="Identifier of the resource"/>
    <column name="res_type" type="text" ucd="meta.code.class" description="Resource type (vs:catalogservice ...)"/>
    <column name="short_name" type="text" ucd="meta.id" description="Short name of the resource"/>
    <column name="res_title" type="text" ucd="meta.title" description="Title of the resource"/>
    <column name="content_level" type="text" ucd="meta.code" description="Intended audience, #-separated"/>
    <column name="res_description" type="text" ucd="meta.note" description="Description of the resource"/>
    <column name="reference_url" type="text" ucd="meta.ref.url" description="Where to read more"/>
    <column name="creator_seq" type="text" ucd="meta.bib.author" description="Creators, separated by semicolons"/>
    <column name="created" type="text" ucd="time.creation" description="Date the resource was created (ISO)"/>
    <column name="updated" type="text" ucd="time.processing" description="Date the resource record was updated (ISO)"/>
    <column name="rights" type="text" ucd="meta" description="Terms of use"/>
    <column name="content_type" type="text" ucd="meta.code.class" description="Kind of content, #-separated"/>
    <column name="source_format" type="text" ucd="meta.code" description="Format of source_value"/>
    <column name="source_value" type="text" ucd="meta.bib" description="Bibliographic source"/>
    <column name="region_of_regard" type="real" ucd="pos.angResolution" description="Spatial resolution of interest (deg)"/>
    <column name="waveband" type="text" ucd="instr.bandpass" description="Wavebands covered, #-separated, lower case"/>
  </table>

  <table id="capability" onDisk="True" adql="True">
    <meta name="description">RegTAP table rr.capability.</meta>
    <column name="ivoid" type="text" ucd="meta.ref.ivoid" description="Identifier of the resource"/>
    <column name="cap_index" type="smallint" ucd="meta.id" description="Index of the capability within the resource"/>
    <column name="cap_type" type="text" ucd="meta.code.class" description="Type of the capability"/>
    <column name="cap_description" type="text" ucd="meta.note" description="Description of the capability"/>
    <column name="standard_id" type="text" ucd="meta.ref.ivoid" description="Standard the capability implements"/>
  </table>

  <table id="interface" onDisk="True" adql="True">
    <meta name="description">RegTAP table rr.interface.</meta>
    <column name="ivoid" type="text" ucd="meta.ref.ivoid" description="Identifier of the resource"/>
    <column name="cap_index" type="smallint" ucd="meta.id" description="Index of the capability"/>
    <column name="intf_index" type="smallint" ucd="meta.id" description="Index of the interface within the capability"/>
    <column name="intf_type" type="text" ucd="meta.code.class" description="Interface type (vs:paramhttp ...)"/>
    <column name="intf_role" type="text" ucd="meta.code" description="std for the standard interface"/>
    <column name="std_version" type="text" ucd="meta.version" description="Version of the standard"/>
    <column name="query_type" type="text" ucd="meta.code" description="HTTP verbs, #-separated"/>
    <column name="result_type" type="text" ucd="meta.code.mime" description="MIME type of the answer"/>
    <column name="url_use" type="text" ucd="meta.code" description="How to use the access URL (base, full, ...)"/>
    <column name="access_url" type="text" ucd="meta.ref.url" description="Access URL"/>
  </table>

  <table id="res_subject" onDisk="True" adql="True">
    <meta name="description">RegTAP table rr.res_subject.</meta>
    <column name="ivoid" type="text" ucd="meta.ref.ivoid" description="Identifier of the resource"/>
    <column name="res_subject" type="text" ucd="meta.code" description="A subject of the resource"/>
  </table>

  <data id="import_resource">
    <sources pattern="data/resource.fits"/>
    <fitsTableGrammar/>
    <make table="resource">
      <rowmaker idmaps="*"/>
    </make>
  </data>

  <data id="import_capability">
    <sources pattern="data/capability.fits"/>
    <fitsTableGrammar/>
    <make table="capability">
      <rowmaker idmaps="*"/>
    </make>
  </data>

  <data id="import_interface">
    <sources pattern="data/interface.fits"/>
    <fitsTableGrammar/>
    <make table="interface">
      <rowmaker idmaps="*"/>
    </make>
  </data>

  <data id="import_res_subject">
    <sources pattern="data/res_subject.fits"/>
    <fitsTableGrammar/>
    <make table="res_subject">
      <rowmaker idmaps="*"/>
    </make>
  </data>
</resource>
