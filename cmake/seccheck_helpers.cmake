# Project-wide compile settings for every seccheck target.
function(seccheck_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wformat=2)
  if(SECCHECK_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(SECCHECK_SANITIZE)
    # GCC 12 reports false maybe-uninitialized warnings inside libstdc++ (std::regex,
    # std::function) under -fsanitize; the normal build keeps the warning.
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
                           -Wno-maybe-uninitialized)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# ---- Components and the dependency rules ----
# A target sees a component's headers only through that component's include root: a folder
# in the build tree, include-roots/<name>/, holding one link, <name> -> the source folder. The
# root is a usage requirement of seccheck_<name>, so a target sees exactly the folders of what
# it links (itself, its DEPENDS and theirs) and includes stay rooted at the repository
# ("analysis/profile.h"); an include across an edge nobody declared fails to compile, even for
# a header-only use. Nothing may put the repository root itself on an include path (checked by
# seccheck_check_dependency_rules).

# seccheck_include_root(<target> <folder> [PUBLIC|PRIVATE]): makes <folder>/ of the source tree
# visible to <target> (PUBLIC: and to whatever links it) as "<folder>/...".
function(seccheck_include_root target folder)
  set(scope PRIVATE)
  if(ARGC GREATER 2)
    set(scope ${ARGV2})
  endif()
  set(root "${PROJECT_BINARY_DIR}/include-roots/${folder}")
  file(MAKE_DIRECTORY "${root}")
  file(CREATE_LINK "${PROJECT_SOURCE_DIR}/${folder}" "${root}/${folder}" SYMBOLIC)
  target_include_directories(${target} ${scope} "${root}")
endfunction()

# seccheck_add_component(<name> SOURCES <file>... [DEPENDS <component>...]
#                        [PRIVATE_DEPENDS <component>...] [LIBS <target>...] [PRIVATE_LIBS <target>...])
# The one declaration of a component: the STATIC library seccheck_<name> built from <name>/,
# its include root, PUBLIC links to seccheck_<dep> for each of DEPENDS (its headers may include
# theirs) and to LIBS, PRIVATE links to seccheck_<dep> for each of PRIVATE_DEPENDS (only its own
# sources may include theirs: whoever links it does not see them) and to PRIVATE_LIBS, and the
# project's warning flags.
# Add the folder to SECCHECK_COMPONENTS in the top CMakeLists.txt, and a rule below it with
# seccheck_forbid_dependency when it must never see some other component.
function(seccheck_add_component name)
  cmake_parse_arguments(arg "" "" "SOURCES;DEPENDS;PRIVATE_DEPENDS;LIBS;PRIVATE_LIBS" ${ARGN})
  add_library(seccheck_${name} STATIC ${arg_SOURCES})
  seccheck_include_root(seccheck_${name} ${name} PUBLIC)
  list(TRANSFORM arg_DEPENDS PREPEND seccheck_ OUTPUT_VARIABLE dep_targets)
  list(TRANSFORM arg_PRIVATE_DEPENDS PREPEND seccheck_ OUTPUT_VARIABLE private_dep_targets)
  target_link_libraries(seccheck_${name} PUBLIC ${dep_targets} ${arg_LIBS} PRIVATE ${private_dep_targets}
                                                                                   ${arg_PRIVATE_LIBS})
  seccheck_target_defaults(seccheck_${name})
  set_property(GLOBAL APPEND PROPERTY SECCHECK_DECLARED_COMPONENTS ${name})
endfunction()

# seccheck_forbid_dependency(<component> <forbidden component>...): <component> must never
# link (directly or through another component) nor include any of the forbidden ones. Rules may
# name components that do not exist yet; they apply once both do. Checked at configure time by
# seccheck_check_dependency_rules; tests/include_rules proves for each rule that a real
# compile command of <component> cannot include the forbidden component's header.
function(seccheck_forbid_dependency component)
  foreach(forbidden IN LISTS ARGN)
    set_property(GLOBAL APPEND PROPERTY SECCHECK_DEPENDENCY_RULES "${component}:${forbidden}")
  endforeach()
endfunction()

# Every seccheck_* target that <target> links, directly or through others (LINK_ONLY too).
function(seccheck_link_closure out target)
  set(seen "")
  set(queue ${target})
  while(queue)
    list(POP_FRONT queue current)
    get_target_property(libs ${current} LINK_LIBRARIES)
    if(NOT libs)
      continue()
    endif()
    foreach(lib IN LISTS libs)
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" lib "${lib}")
      if(TARGET ${lib} AND lib MATCHES "^seccheck_" AND NOT lib IN_LIST seen)
        list(APPEND seen ${lib})
        list(APPEND queue ${lib})
      endif()
    endforeach()
  endwhile()
  set(${out} "${seen}" PARENT_SCOPE)
endfunction()

# Every buildsystem target defined in <dir> and below.
function(seccheck_targets_below out dir)
  get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    seccheck_targets_below(more "${sub}")
    list(APPEND targets ${more})
  endforeach()
  set(${out} "${targets}" PARENT_SCOPE)
endfunction()

# Fails the configure step when a rule is broken (a forbidden component in the link closure)
# or when a target puts the repository root (or a source folder's parent) on its include path,
# which would make every folder visible and the rules unenforced. Call after all subdirectories.
function(seccheck_check_dependency_rules)
  get_property(rules GLOBAL PROPERTY SECCHECK_DEPENDENCY_RULES)
  foreach(rule IN LISTS rules)
    string(REPLACE ":" ";" pair "${rule}")
    list(GET pair 0 component)
    list(GET pair 1 forbidden)
    if(NOT TARGET seccheck_${component} OR NOT TARGET seccheck_${forbidden})
      continue()
    endif()
    seccheck_link_closure(closure seccheck_${component})
    if(seccheck_${forbidden} IN_LIST closure)
      message(FATAL_ERROR "seccheck_${component} must not depend on seccheck_${forbidden} (it links it, "
                          "directly or through another component): see the rules in CMakeLists.txt")
    endif()
  endforeach()
  seccheck_targets_below(targets "${PROJECT_SOURCE_DIR}")
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "UTILITY")
      continue()
    endif()
    set(dirs "")
    foreach(property INCLUDE_DIRECTORIES INTERFACE_INCLUDE_DIRECTORIES)
      get_target_property(value ${target} ${property})
      if(value)
        list(APPEND dirs ${value})
      endif()
    endforeach()
    foreach(dir IN LISTS dirs)
      get_filename_component(dir "${dir}" ABSOLUTE)
      string(FIND "${PROJECT_SOURCE_DIR}/" "${dir}/" at)
      if(at EQUAL 0)
        message(FATAL_ERROR "${target} has ${dir} on its include path, which shows it every component "
                            "and defeats the dependency rules: declare a component with seccheck_add_component, "
                            "or use seccheck_include_root(${target} <folder>) for the folders it may see")
      endif()
    endforeach()
  endforeach()
endfunction()

# The components whose headers <target>'s own sources see: what it links itself (PUBLIC or
# PRIVATE), and what those export in turn (their PUBLIC links, not their PRIVATE ones, which
# reach <target> only as $<LINK_ONLY:...>).
function(seccheck_visible_components out target)
  get_target_property(libs ${target} LINK_LIBRARIES)
  set(seen "")
  set(queue "")
  foreach(lib IN LISTS libs)
    if(TARGET ${lib} AND lib MATCHES "^seccheck_" AND NOT lib IN_LIST seen)
      list(APPEND seen ${lib})
      list(APPEND queue ${lib})
    endif()
  endforeach()
  while(queue)
    list(POP_FRONT queue current)
    get_target_property(libs ${current} INTERFACE_LINK_LIBRARIES)
    if(NOT libs)
      continue()
    endif()
    foreach(lib IN LISTS libs)
      if(TARGET ${lib} AND lib MATCHES "^seccheck_" AND NOT lib IN_LIST seen)
        list(APPEND seen ${lib})
        list(APPEND queue ${lib})
      endif()
    endforeach()
  endwhile()
  set(${out} "${seen}" PARENT_SCOPE)
endfunction()

# seccheck_add_include_rule_tests(): ctest cases proving the rules at the include level, each
# compiling a one-line probe with the compile command of one of the component's real sources
# (cmake/check_include_rule.cmake). For every declared component:
#   include_rule.<c>.sees_its_own          its own first header and that of every component it
#                                          sees (seccheck_visible_components) compile;
#   include_rule.<c>.cannot_include_<p>    for a component <p> it links only through another
#                                          one's PRIVATE_DEPENDS: <p>'s first header is not found.
# For each rule whose both ends exist, include_rule.<c>.cannot_include_<f> must fail to compile
# <f>'s first header, because the header is not found.
# <component>/<component>.h when there is one, else its first header by name.
function(seccheck_first_header out component)
  if(EXISTS "${PROJECT_SOURCE_DIR}/${component}/${component}.h")
    set(${out} "${component}/${component}.h" PARENT_SCOPE)
    return()
  endif()
  file(GLOB headers RELATIVE "${PROJECT_SOURCE_DIR}" "${PROJECT_SOURCE_DIR}/${component}/*.h")
  list(SORT headers)
  list(GET headers 0 first)
  set(${out} "${first}" PARENT_SCOPE)
endfunction()

# One real source of <component>: its compile command is the include setup under test.
function(seccheck_probe_source out component)
  get_target_property(sources seccheck_${component} SOURCES)
  list(FILTER sources INCLUDE REGEX "^[^/]+[.]cpp$")
  list(GET sources 0 source)
  set(${out} "${PROJECT_SOURCE_DIR}/${component}/${source}" PARENT_SCOPE)
endfunction()

# include_rule.<component>.cannot_include_<forbidden> (once per pair).
function(seccheck_add_cannot_include_test component forbidden)
  set(name include_rule.${component}.cannot_include_${forbidden})
  if(TEST ${name})
    return()
  endif()
  set(probe "${PROJECT_BINARY_DIR}/include-rule-probes/${component}_cannot_include_${forbidden}.cpp")
  seccheck_probe_source(source ${component})
  seccheck_first_header(header ${forbidden})
  file(WRITE "${probe}" "#include \"${header}\"\n")
  add_test(NAME ${name}
           COMMAND "${CMAKE_COMMAND}" -DCOMPILE_COMMANDS=${PROJECT_BINARY_DIR}/compile_commands.json
                   -DSOURCE=${source} -DPROBE=${probe} -DEXPECT=fail -DHEADER=${header}
                   -P "${PROJECT_SOURCE_DIR}/cmake/check_include_rule.cmake")
endfunction()

function(seccheck_add_include_rule_tests)
  set(probes "${PROJECT_BINARY_DIR}/include-rule-probes")
  set(script "${PROJECT_SOURCE_DIR}/cmake/check_include_rule.cmake")
  set(commands "${PROJECT_BINARY_DIR}/compile_commands.json")
  get_property(components GLOBAL PROPERTY SECCHECK_DECLARED_COMPONENTS)
  foreach(component IN LISTS components)
    seccheck_probe_source(source ${component})
    seccheck_visible_components(visible seccheck_${component})
    set(text "")
    foreach(seen ${component} ${visible})
      string(REGEX REPLACE "^seccheck_" "" seen "${seen}")
      seccheck_first_header(header ${seen})
      string(APPEND text "#include \"${header}\"\n")
    endforeach()
    file(WRITE "${probes}/${component}_sees_its_own.cpp" "${text}")
    add_test(NAME include_rule.${component}.sees_its_own
             COMMAND "${CMAKE_COMMAND}" -DCOMPILE_COMMANDS=${commands} -DSOURCE=${source}
                     -DPROBE=${probes}/${component}_sees_its_own.cpp -DEXPECT=pass -P "${script}")
    # Linked but out of sight: another component's PRIVATE_DEPENDS.
    seccheck_link_closure(closure seccheck_${component})
    foreach(linked IN LISTS closure)
      if(NOT linked IN_LIST visible)
        string(REGEX REPLACE "^seccheck_" "" linked "${linked}")
        seccheck_add_cannot_include_test(${component} ${linked})
      endif()
    endforeach()
  endforeach()
  get_property(rules GLOBAL PROPERTY SECCHECK_DEPENDENCY_RULES)
  foreach(rule IN LISTS rules)
    string(REPLACE ":" ";" pair "${rule}")
    list(GET pair 0 component)
    list(GET pair 1 forbidden)
    if(TARGET seccheck_${component} AND TARGET seccheck_${forbidden})
      seccheck_add_cannot_include_test(${component} ${forbidden})
    endif()
  endforeach()
endfunction()

# Turns a text file into a C++ source defining `std::string_view <symbol>()` in
# namespace seccheck::embedded, so data files ship inside the binary.
function(seccheck_embed_text out_var input symbol)
  set(output "${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cpp")
  add_custom_command(
    OUTPUT "${output}"
    COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DOUTPUT=${output} -DSYMBOL=${symbol}
            -P "${PROJECT_SOURCE_DIR}/cmake/embed_text.cmake"
    DEPENDS "${input}" "${PROJECT_SOURCE_DIR}/cmake/embed_text.cmake"
    COMMENT "Embedding ${input}")
  set(${out_var} "${output}" PARENT_SCOPE)
endfunction()
