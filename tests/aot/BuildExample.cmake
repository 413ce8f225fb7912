# ctest example.aot: install Kiln into a scratch prefix, then configure,
# build and run examples/aot against it, as a user's project would.
#   cmake -DKILN_BUILD_DIR=... -DKILN_EXAMPLE_DIR=... -DWORK_DIR=... -P BuildExample.cmake
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
run(${CMAKE_COMMAND} --install ${KILN_BUILD_DIR} --prefix ${WORK_DIR}/prefix)
set(launcher)
find_program(CCACHE ccache)
if(CCACHE)
  set(launcher -DCMAKE_CXX_COMPILER_LAUNCHER=${CCACHE})
endif()
run(${CMAKE_COMMAND} -S ${KILN_EXAMPLE_DIR} -B ${WORK_DIR}/build -G Ninja
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix ${launcher})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build -j 1)
run(${WORK_DIR}/build/classify)
message("${output}")
if(NOT output MATCHES "class")
  message(FATAL_ERROR "examples/aot: unexpected output")
endif()
