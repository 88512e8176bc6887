"""The only analyzer code that touches AWS or the network."""
