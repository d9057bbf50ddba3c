# cmake -DINPUT=file -DOUTPUT=file.cpp -DSYMBOL=name -P embed_text.cmake
file(READ "${INPUT}" content HEX)
string(LENGTH "${content}" hex_length)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
math(EXPR size "${hex_length} / 2")
file(WRITE "${OUTPUT}"
"// Generated from ${INPUT}; do not edit.\n#include <string_view>\nnamespace seccheck::embedded {\nstatic const char k_${SYMBOL}[] = {${bytes} 0};\nstd::string_view ${SYMBOL}() { return {k_${SYMBOL}, ${size}}; }\n}  // namespace seccheck::embedded\n")
