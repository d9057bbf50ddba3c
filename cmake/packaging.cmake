# Installing seccheck like other Debian tools, and its .deb (CPack):
#   bin/seccheck
#   share/man/man1/seccheck.1.gz                  generated from the CLI definitions + docs/seccheck.1.in
#   share/bash-completion/completions/seccheck    generated from the CLI definitions
#   share/seccheck/*.schema.json                  the published report schema(s) from schemas/
# The man page and the completion script are produced by running the built binary
# (`seccheck completion ...`), so the installed copies always match its options.
include(GNUInstallDirs)

find_program(SECCHECK_GZIP gzip)
set(SECCHECK_DOCS_DIR "${PROJECT_BINARY_DIR}/docs")
set(seccheck_doc_outputs "${SECCHECK_DOCS_DIR}/seccheck.bash" "${SECCHECK_DOCS_DIR}/seccheck.1")
if(SECCHECK_GZIP)
  list(APPEND seccheck_doc_outputs "${SECCHECK_DOCS_DIR}/seccheck.1.gz")
endif()
add_custom_command(
  OUTPUT ${seccheck_doc_outputs}
  COMMAND "${CMAKE_COMMAND}" -DSECCHECK=$<TARGET_FILE:seccheck>
          -DTEMPLATE=${PROJECT_SOURCE_DIR}/docs/seccheck.1.in -DVERSION=${PROJECT_VERSION}
          -DOUT_DIR=${SECCHECK_DOCS_DIR} -DGZIP=${SECCHECK_GZIP}
          -P "${PROJECT_SOURCE_DIR}/cmake/gen_docs.cmake"
  DEPENDS seccheck "${PROJECT_SOURCE_DIR}/docs/seccheck.1.in" "${PROJECT_SOURCE_DIR}/cmake/gen_docs.cmake"
  COMMENT "Generating seccheck(1) and the bash completion from the CLI definitions"
  VERBATIM)
add_custom_target(seccheck_docs ALL DEPENDS ${seccheck_doc_outputs})

install(TARGETS seccheck RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
if(SECCHECK_GZIP)
  install(FILES "${SECCHECK_DOCS_DIR}/seccheck.1.gz" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
else()
  install(FILES "${SECCHECK_DOCS_DIR}/seccheck.1" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
endif()
install(FILES "${SECCHECK_DOCS_DIR}/seccheck.bash" DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions"
        RENAME seccheck)
# CONFIGURE_DEPENDS: a schema added later is picked up without a manual re-configure.
file(GLOB seccheck_schemas CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/schemas/*.json")
if(seccheck_schemas)
  install(FILES ${seccheck_schemas} DESTINATION "${CMAKE_INSTALL_DATADIR}/seccheck")
else()
  message(STATUS "seccheck: schemas/ has no JSON Schema yet; the package will not ship one")
endif()
if(EXISTS "${PROJECT_SOURCE_DIR}/README.md")
  install(FILES "${PROJECT_SOURCE_DIR}/README.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}")
endif()

# ---- Debian package ----
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "seccheck")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "seccheck")
set(CPACK_PACKAGE_CONTACT "seccheck maintainers <seccheck@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "which syscalls would a container runtime's default seccomp profile block?\n Runs a workload once under ptrace with a seccomp filter compiled from the Docker,\n containerd and CRI-O default profiles and reports, per runtime, every call the\n profile would block, why, and where in the code it was made.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")
set(CPACK_DEBIAN_PACKAGE_SECTION "utils")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY "${PROJECT_BINARY_DIR}/packages")
# Depends from the libraries the binary really links (dpkg-shlibdeps, from dpkg-dev); without
# it, the Debian 12 packages those libraries come from, with the versions built against.
# libunwind is opened with dlopen (tracer/unwinder.cpp), which dpkg-shlibdeps cannot see.
find_program(SECCHECK_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(SECCHECK_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libunwind8 (>= 1.6)")
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libc6 (>= 2.34), libseccomp2 (>= 2.5.0), libunwind8 (>= 1.6), libelf1 (>= 0.188), libdw1 (>= 0.188), zlib1g (>= 1:1.1.4)")
  if(NOT SECCHECK_STATIC_CXX_RUNTIME OR SECCHECK_SANITIZE)
    string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libgcc-s1 (>= 3.0), libstdc++6 (>= 12)")
  endif()
endif()
include(CPack)
