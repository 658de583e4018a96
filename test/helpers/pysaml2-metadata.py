"""Loads a SAML metadata file as a pysaml2 service provider does (saml2.mdstore.MetaDataFile) and
prints, as JSON, the entity IDs it keeps. pysaml2 drops an EntityDescriptor whose validUntil has
passed ("too old"), so run under libfaketime this shows what an SP makes of a saved file later.
Run with Debian's /usr/bin/python3 (python3-pysaml2)."""
import json
import sys

from saml2 import attribute_converter
from saml2.mdstore import MetaDataFile

md = MetaDataFile(attribute_converter.ac_factory(), sys.argv[1])
md.load()
print(json.dumps(sorted(md.keys())))
