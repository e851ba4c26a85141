"""PAN text-alignment corpora: their XML, their measures, and `unspun eval pan`."""
