"""Adapters that read vendors' and price sources' formats into plain catalog data."""
