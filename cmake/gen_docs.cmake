# Generates the bash completion script and seccheck(1) by running the built binary, so the
# installed files describe the options that binary really has. Run with:
#   cmake -DSECCHECK=<binary> -DTEMPLATE=docs/seccheck.1.in -DVERSION=x.y.z -DOUT_DIR=<dir>
#         [-DGZIP=<gzip>] -P gen_docs.cmake
cmake_minimum_required(VERSION 3.20)

foreach(var SECCHECK TEMPLATE VERSION OUT_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "gen_docs.cmake: ${var} is not set")
  endif()
endforeach()

function(run_seccheck out_var)
  execute_process(COMMAND "${SECCHECK}" completion ${ARGN}
                  OUTPUT_VARIABLE output ERROR_VARIABLE error RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "`seccheck completion ${ARGN}` failed (${status}): ${error}")
  endif()
  set(${out_var} "${output}" PARENT_SCOPE)
endfunction()

file(MAKE_DIRECTORY "${OUT_DIR}")
run_seccheck(bash bash)
file(WRITE "${OUT_DIR}/seccheck.bash" "${bash}")

run_seccheck(synopsis man-synopsis)
run_seccheck(commands man)
file(READ "${TEMPLATE}" page)
foreach(placeholder GENERATED_SYNOPSIS GENERATED_OPTIONS_AND_COMMANDS)
  string(FIND "${page}" "@${placeholder}@\n" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${TEMPLATE} lacks the line @${placeholder}@")
  endif()
endforeach()
# Honours SOURCE_DATE_EPOCH, so packages build reproducibly.
string(TIMESTAMP date "%Y-%m-%d" UTC)
string(REPLACE "@GENERATED_SYNOPSIS@\n" "${synopsis}" page "${page}")
string(REPLACE "@GENERATED_OPTIONS_AND_COMMANDS@\n" "${commands}" page "${page}")
string(REPLACE "@VERSION@" "${VERSION}" page "${page}")
string(REPLACE "@DATE@" "${date}" page "${page}")
file(WRITE "${OUT_DIR}/seccheck.1" "${page}")

if(GZIP)
  # -n: no name or timestamp in the header, so the same page gives the same bytes.
  execute_process(COMMAND "${GZIP}" -9 -n -c "${OUT_DIR}/seccheck.1"
                  OUTPUT_FILE "${OUT_DIR}/seccheck.1.gz" RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "gzip of seccheck.1 failed")
  endif()
endif()
