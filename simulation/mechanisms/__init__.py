"""The yearly rules, one module per mechanism, each acting on all schools at once."""
