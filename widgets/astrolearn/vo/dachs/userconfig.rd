<!-- astrolearn local mirror: site-wide settings for DaCHS, written to DaCHS's
configuration folder by `astrolearn mirror start`. Elements not defined here are taken
from DaCHS's own //userconfig. The TAP examples are published at /tap/examples (DALI
examples), where TOPCAT and taplint read them; each runs on the mirror as it stands. -->
<resource schema="__system" resdir="__system">
	<STREAM id="tapexamples">
		<doc>Examples for TAP querying</doc>
		<meta name="_example" title="Pleiades candidates by proper motion">
			The Pleiades share one motion across the sky: a box in proper motion
			picks the cluster out of the field stars of its bundled cone (the
			box of the data's provenance: 15 to 25 and -50 to -40 mas/yr).

			.. tapquery::

				SELECT source_id, ra, dec, parallax, pmra, pmdec, phot_g_mean_mag
				FROM gaiadr3.gaia_source
				WHERE field = 'pleiades'
				  AND pmra BETWEEN 15 AND 25 AND pmdec BETWEEN -50 AND -40
		</meta>
		<meta name="_example" title="A cone around NGC 188">
			Every Gaia source within a quarter of a degree of the old open
			cluster NGC 188, brightest first.

			.. tapquery::

				SELECT source_id, ra, dec, parallax, phot_g_mean_mag, bp_rp
				FROM gaiadr3.gaia_source
				WHERE 1 = CONTAINS(POINT('ICRS', ra, dec),
				                   CIRCLE('ICRS', 11.798, 85.244, 0.25))
				ORDER BY phot_g_mean_mag
		</meta>
		<meta name="_example" title="SDSS quasars with an ultraviolet excess">
			Spectroscopic quasars bluer than u - g = 0.6, the classic
			ultraviolet-excess cut, with their redshifts.

			.. tapquery::

				SELECT specid, ra, dec, u, g, r, redshift
				FROM sdss.specphoto
				WHERE class = 'QSO' AND u - g &lt; 0.6
		</meta>
		<meta name="_example" title="Services of the mirror, from its registry">
			The registry tables (RegTAP) list the services this mirror offers and
			the standards they follow.

			.. tapquery::

				SELECT ivoid, standard_id, access_url
				FROM rr.interface NATURAL JOIN rr.capability
		</meta>
	</STREAM>
</resource>
