# kiln_add_model: compile a Kiln model ahead of time at build time.
#
#   kiln_add_model(<name>
#     MODEL <model.mlir> [PARAMS <weights.safetensors>] [FUNCTION <fn>]
#     | GENERATOR <generator.cpp>...      # a DSL program ending in kiln::generatorMain
#     | GENERATOR_TARGET <executable target> [GENERATOR_ARGS <args>...]
#     [TARGET x86_64-linux-gnu|aarch64-linux-gnu] [CPU <cpu>]
#     [WEIGHTS embed|file] [PARALLEL] [OPTIONS <more kiln-compile flags>...]
#     [OBJECT_ONLY])
#
# Writes <name>.o and <name>.h (and <name>.weights with WEIGHTS file) to
# ${CMAKE_CURRENT_BINARY_DIR}/kiln_models/<name>/. PARALLEL (x86-64 only)
# runs the tile loops on OpenMP threads and links LLVM's libomp
# (${KILN_LIBOMP}). For the host target it
# creates a static library target <name> holding the object, with the
# header's directory on its include path and the AOT runtime linked:
#
#   find_package(Kiln REQUIRED)
#   kiln_add_model(lenet GENERATOR lenet_generator.cpp)
#   target_link_libraries(app PRIVATE lenet)      # #include "lenet.h"
#
# For another target (cross-compiling) or with OBJECT_ONLY it creates a
# custom target <name> instead; the object's and the header's paths are in
# its properties KILN_OBJECT and KILN_HEADER_DIR.
#
# Uses ${KILN_COMPILE_EXECUTABLE} (kiln-compile), ${KILN_DSL_LIBRARY} (the DSL
# a generator links) and ${KILN_RUNTIME_AOT_LIBRARY}, which Kiln's own build
# and KilnConfig.cmake set.
function(kiln_add_model name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "OBJECT_ONLY;PARALLEL"
    "MODEL;PARAMS;FUNCTION;TARGET;CPU;WEIGHTS;GENERATOR_TARGET" "GENERATOR;GENERATOR_ARGS;OPTIONS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "kiln_add_model(${name}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  set(sources 0)
  foreach(kind MODEL GENERATOR GENERATOR_TARGET)
    if(ARG_${kind})
      math(EXPR sources "${sources} + 1")
    endif()
  endforeach()
  if(NOT sources EQUAL 1)
    message(FATAL_ERROR "kiln_add_model(${name}): give one of MODEL <file.mlir>, "
      "GENERATOR <source.cpp> or GENERATOR_TARGET <executable>")
  endif()
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/kiln_models/${name})
  file(MAKE_DIRECTORY ${dir})
  set(object ${dir}/${name}.o)
  set(header ${dir}/${name}.h)
  set(outputs ${object} ${header})
  set(flags -o ${object} --name=${name} --quiet)
  if(ARG_TARGET)
    list(APPEND flags --target=${ARG_TARGET})
  endif()
  if(ARG_CPU)
    list(APPEND flags --cpu=${ARG_CPU})
  endif()
  if(ARG_WEIGHTS)
    list(APPEND flags --weights=${ARG_WEIGHTS})
    if(ARG_WEIGHTS STREQUAL "file")
      list(APPEND outputs ${dir}/${name}.weights)
    endif()
  endif()
  if(ARG_PARALLEL)
    list(APPEND flags --parallel)
  endif()
  list(APPEND flags ${ARG_OPTIONS})

  if(ARG_MODEL)
    get_filename_component(model ${ARG_MODEL} ABSOLUTE)
    set(depends ${model} ${KILN_COMPILE_EXECUTABLE})
    if(ARG_PARAMS)
      get_filename_component(params ${ARG_PARAMS} ABSOLUTE)
      list(APPEND flags --params=${params})
      list(APPEND depends ${params})
    endif()
    if(ARG_FUNCTION)
      list(APPEND flags --function=${ARG_FUNCTION})
    endif()
    set(command ${KILN_COMPILE_EXECUTABLE} ${model} ${flags})
  else()
    # The generator is built for the host and run at build time.
    if(ARG_GENERATOR)
      set(generator ${name}_generator)
      add_executable(${generator} ${ARG_GENERATOR})
      target_link_libraries(${generator} PRIVATE ${KILN_DSL_LIBRARY})
    else()
      set(generator ${ARG_GENERATOR_TARGET})
    endif()
    set(depends ${generator})
    set(command ${generator} ${ARG_GENERATOR_ARGS} ${flags})
  endif()
  add_custom_command(OUTPUT ${outputs}
    COMMAND ${command}
    DEPENDS ${depends}
    COMMENT "Kiln: compiling model ${name} ahead of time"
    VERBATIM)

  set(host TRUE)
  if(ARG_TARGET AND NOT ARG_TARGET MATCHES "^${CMAKE_SYSTEM_PROCESSOR}")
    set(host FALSE)
  endif()
  if(ARG_OBJECT_ONLY OR NOT host)
    add_custom_target(${name} DEPENDS ${outputs})
  else()
    add_custom_target(${name}_generate DEPENDS ${outputs})
    set_source_files_properties(${object} PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
    add_library(${name} STATIC ${object})
    add_dependencies(${name} ${name}_generate)
    set_target_properties(${name} PROPERTIES LINKER_LANGUAGE CXX)
    target_include_directories(${name} INTERFACE ${dir})
    target_link_libraries(${name} INTERFACE ${KILN_RUNTIME_AOT_LIBRARY} m)
    if(ARG_PARALLEL)
      target_link_libraries(${name} INTERFACE ${KILN_LIBOMP})
    endif()
  endif()
  set_target_properties(${name} PROPERTIES KILN_OBJECT ${object} KILN_HEADER_DIR ${dir})
endfunction()
