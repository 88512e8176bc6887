"""LSEG Data Platform interday summaries per RIC."""
