# The fully static seccheck (`seccheck-static`): libseccomp, libelf/libdw, libunwind and the C++
# runtime linked in, glibc static, so it runs inside any container image (glibc, musl, distroless,
# busybox) when bind-mounted there. seccheck makes no NSS look-ups (no user, group or host names),
# so static glibc's NSS limits do not apply.
#
# A target with the property SECCHECK_FULLY_STATIC links the static archives of the libraries the
# component libraries use; every other target links the shared ones, as before.

# Makes the imported pkg-config target `target` link `static_libs` (plain names: -lNAME, which
# -static resolves to archives) for fully static consumers and its own shared libraries otherwise.
function(seccheck_static_alternative target static_libs)
  get_target_property(shared ${target} INTERFACE_LINK_LIBRARIES)
  string(REPLACE ";" "$<SEMICOLON>" shared "${shared}")
  string(REPLACE ";" "$<SEMICOLON>" static_libs "${static_libs}")
  set_property(TARGET ${target} PROPERTY INTERFACE_LINK_LIBRARIES
               "$<IF:$<BOOL:$<TARGET_PROPERTY:SECCHECK_FULLY_STATIC>>,${static_libs},${shared}>")
endfunction()

seccheck_static_alternative(PkgConfig::LIBSECCOMP "${LIBSECCOMP_STATIC_LIBRARIES}")
seccheck_static_alternative(PkgConfig::LIBDW "${LIBDW_STATIC_LIBRARIES}")
seccheck_static_alternative(PkgConfig::LIBELF "${LIBELF_STATIC_LIBRARIES}")
seccheck_static_alternative(PkgConfig::CAPSTONE "${CAPSTONE_STATIC_LIBRARIES}")
