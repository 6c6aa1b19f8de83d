"""JSON adapters of the calculators: each module registers its calculators with
``shebao.rules.calc.register_calc``; every module in this package is imported by
``load_calculators``."""
