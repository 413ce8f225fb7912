# -*- Python -*-
# lit configuration of Kiln's FileCheck tests (tests/lit).
#
# Loaded by the lit.site.cfg.py that CMake configures into the build tree
# (build/tests/lit), which sets the paths used here. Run the tests with
#   lit -v build/tests/lit          (or: ctest -R lit, ninja check-kiln-lit)
#
# Tests may use these substitutions in RUN lines:
#   kiln-opt, kiln-run, kiln-demo, kiln-compile   Kiln's tools, from the build's bin dir
#   FileCheck, not                  LLVM's test utilities (llvm_tools_dir;
#                                   count and split-file are on PATH)
#   %python                         the Python interpreter
# A tool that has not been built is still substituted by its full path, so
# only the tests that run it fail ("No such file or directory"); the others
# are unaffected.

import os
import re

import lit.formats

config.name = "Kiln"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]

for attr in ("kiln_tools_dir", "llvm_tools_dir", "test_source_root", "test_exec_root"):
    if not getattr(config, attr, None):
        lit_config.fatal(
            "config.%s is not set: run lit on the build tree's tests/lit "
            "(the configured lit.site.cfg.py), not on the source tree" % attr
        )

python = getattr(config, "python_executable", None) or "/usr/bin/python3"

# Kiln's tools first, then LLVM 22's, on PATH (other LLVM versions may be
# installed system-wide; their FileCheck must not be picked up).
config.environment["PATH"] = os.pathsep.join(
    [config.kiln_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")]
)
# Keep MLIR's diagnostics and crash output plain and deterministic.
config.environment["LLVM_DISABLE_CRASH_REPORT"] = "1"
config.environment["LLVM_DISABLE_SYMBOLIZATION"] = "1"


def tool_pattern(name):
    # The tool name as a whole word of a command line: not part of a longer
    # name (kiln-opt-foo, xkiln-opt), of a path (%S/kiln-opt.mlir) or of an
    # option (--kiln-opt).
    return r"(?<![\w./\\-])" + re.escape(name) + r"(?![\w.-])"


def add_tool(name, directory):
    config.substitutions.append(
        (tool_pattern(name), os.path.join(directory, name).replace("\\", "/"))
    )


config.substitutions.append(("%python", python))
for tool in ("kiln-opt", "kiln-run", "kiln-demo", "kiln-compile"):
    add_tool(tool, config.kiln_tools_dir)
for tool in ("FileCheck", "not"):
    add_tool(tool, config.llvm_tools_dir)
