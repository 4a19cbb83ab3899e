# Debian package for failwatch: `cpack -G DEB` in a build directory (after
# building the `failwatch` target). Included at the end of the top-level
# CMakeLists.txt. Runtime dependencies are computed from the binary by
# dpkg-shlibdeps, so they always match the libraries it was linked against.
if(NOT PROJECT_IS_TOP_LEVEL)
  return()
endif()

set(_fw_pkg ${CMAKE_CURRENT_LIST_DIR})
set(_fw_src ${CMAKE_SOURCE_DIR})

# --- files (the binary itself: install(TARGETS failwatch) in CMakeLists) ---
# /usr/lib/systemd/system: found by systemd on merged-/usr bookworm and later.
install(FILES ${_fw_src}/deploy/systemd/failwatch.service
        DESTINATION lib/systemd/system)
install(FILES ${_fw_src}/examples/failwatch.yml
        DESTINATION /etc/failwatch)
install(FILES ${_fw_src}/deploy/systemd/failwatch.default
        DESTINATION /etc/default RENAME failwatch)
install(FILES ${_fw_pkg}/debian/copyright
        DESTINATION share/doc/failwatch)
install(FILES ${_fw_src}/examples/failwatch.yml
        DESTINATION share/doc/failwatch/examples)
foreach(_doc README.md docs/deploying.md)
  if(EXISTS ${_fw_src}/${_doc})
    install(FILES ${_fw_src}/${_doc} DESTINATION share/doc/failwatch)
  endif()
endforeach()
if(IS_DIRECTORY ${_fw_src}/docs/reference)
  install(DIRECTORY ${_fw_src}/docs/reference/
          DESTINATION share/doc/failwatch/reference
          FILES_MATCHING PATTERN "*.md")
endif()
file(GLOB _fw_rules CONFIGURE_DEPENDS ${_fw_src}/alerts/*.rules.yml)
if(_fw_rules)
  install(FILES ${_fw_rules} DESTINATION share/doc/failwatch/alerts)
endif()

# --- package metadata ---
set(CPACK_GENERATOR "DEB" CACHE STRING "CPack generators")
set(CPACK_PACKAGE_NAME "failwatch")
set(CPACK_PACKAGE_VENDOR "failwatch")
set(CPACK_PACKAGE_CONTACT "failwatch maintainers <failwatch@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "PostgreSQL failover health monitor and Prometheus exporter")
set(CPACK_PACKAGE_DESCRIPTION
    "failwatch sees what breaks applications after a PostgreSQL failover:\n\
DNS answers of the endpoints applications use, node roles, PgBouncer pools,\n\
application sessions left on a demoted node, Kafka consumer lag and\n\
dead-letter topics. It exports all of it for Prometheus on :19921 and\n\
serves /healthz, /readyz and a JSON /status.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# dlopen()ed for --web.systemd-socket (src/http/systemd_socket.cc), so
# dpkg-shlibdeps cannot see it; CPack appends the computed list to this.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libsystemd0")
# Maintainer scripts (systemd reload on install/remove) and the conffiles
# list; configure_file keeps them in the build tree with the right modes.
set(_fw_ctl ${CMAKE_BINARY_DIR}/packaging/debian)
foreach(_f postinst prerm postrm conffiles)
  configure_file(${_fw_pkg}/debian/${_f} ${_fw_ctl}/${_f} COPYONLY)
endforeach()
file(CHMOD ${_fw_ctl}/postinst ${_fw_ctl}/prerm ${_fw_ctl}/postrm
     PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                 GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${_fw_ctl}/postinst;${_fw_ctl}/prerm;${_fw_ctl}/postrm;${_fw_ctl}/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
