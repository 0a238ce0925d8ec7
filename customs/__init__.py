"""The customs registration lifecycle of PER-21/BC/2011 (C1 to C16)."""
