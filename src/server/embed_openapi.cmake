# Generates a C file holding docs/openapi.json as a byte array, so that the binary serves the
# document of the repository (run at build time: cmake -DIN=... -DOUT=... -P this file).
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" hexlen)
if(hexlen EQUAL 0)
  message(FATAL_ERROR "${IN} is empty")
endif()
math(EXPR len "${hexlen} / 2")
set(b "[0-9a-f][0-9a-f]") # one byte in hex; 16 bytes a line
string(REGEX REPLACE "(${b}${b}${b}${b}${b}${b}${b}${b}${b}${b}${b}${b}${b}${b}${b}${b})" "\\1\n" hex "${hex}")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUT} "/* Generated from docs/openapi.json by src/server/embed_openapi.cmake: do not edit. */
#include <stddef.h>

const char sl__openapi_json[] = {
${bytes}0};
const size_t sl__openapi_json_len = ${len};
")
