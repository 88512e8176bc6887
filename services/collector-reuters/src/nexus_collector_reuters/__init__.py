"""Reuters news headlines through the LSEG Data Platform."""
