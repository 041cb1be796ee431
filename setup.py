"""The tally's optional compiled modules: the kernel of the MES runs and the reader of
approval ballots (everything else is in pyproject.toml).

Without a C compiler the build skips them and the tally runs its pure-Python reference path,
which takes the same decisions (see pbplatform/tally/engines/__init__.py).
"""

import sys

from setuptools import Extension, setup

# the kernel's float error bounds assume one IEEE rounding per operation: no fused
# multiply-adds and no fast-math
FLAGS = [] if sys.platform == "win32" else ["-O2", "-ffp-contract=off", "-fno-fast-math"]

setup(
    ext_modules=[
        Extension(
            f"pbplatform.tally.engines.{name}",
            [f"pbplatform/tally/engines/{name}.c"],
            extra_compile_args=FLAGS,
            optional=True,
        )
        for name in ("_kernel", "_ballots")
    ]
)
