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

# Fails the configure step when `target` links `forbidden` (directly).
function(seccheck_forbid_link target forbidden)
  get_target_property(libs ${target} LINK_LIBRARIES)
  if(libs AND "${forbidden}" IN_LIST libs)
    message(FATAL_ERROR "${target} must not link ${forbidden}: analysis and report work on records only")
  endif()
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
