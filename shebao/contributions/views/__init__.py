"""Staff pages of collection (征缴): batch runs and bills. Thin: the checks live in the
services and the reads in ``reads``."""
