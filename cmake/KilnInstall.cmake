# Install rules and the exported package: find_package(Kiln) gives
#   Kiln::runtime_aot   the AOT runtime an AOT-compiled model links
#   Kiln::kiln          the C++ DSL + JIT (links libMLIR/libLLVM), which
#                       model generators use
#   Kiln::kiln-compile  the AOT compiler
# and the kiln_add_model() function (cmake/KilnAddModel.cmake).
#
#   cmake --install build --prefix /opt/kiln
#   cmake -DCMAKE_PREFIX_PATH=/opt/kiln ...   (in the user's project)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(KILN_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Kiln)
set(KILN_INCLUDE_DIR ${CMAKE_INSTALL_INCLUDEDIR}/kiln)

# Headers keep the source layout (#include "frontend/Kiln.h").
foreach(dir runtime frontend passes backends/cpu)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/ DESTINATION ${KILN_INCLUDE_DIR}/${dir}
    FILES_MATCHING PATTERN "*.h" PATTERN "classical" EXCLUDE)
endforeach()

set(KILN_EXPORTED_LIBRARIES kiln kiln_passes kiln_cpu kiln_ir kiln_runtime
    kiln_runtime_aot kiln_ml_capi kiln_ml)
foreach(lib ${KILN_EXPORTED_LIBRARIES})
  target_include_directories(${lib} INTERFACE $<INSTALL_INTERFACE:${KILN_INCLUDE_DIR}>)
endforeach()
install(TARGETS ${KILN_EXPORTED_LIBRARIES} kiln-compile EXPORT KilnTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT KilnTargets NAMESPACE Kiln:: DESTINATION ${KILN_CMAKE_DIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/KilnConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/KilnConfig.cmake
  INSTALL_DESTINATION ${KILN_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/KilnConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/cmake/KilnConfig.cmake
  ${PROJECT_BINARY_DIR}/cmake/KilnConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/KilnAddModel.cmake
  ${PROJECT_SOURCE_DIR}/cmake/aarch64-linux-gnu.cmake
  DESTINATION ${KILN_CMAKE_DIR})
