# Generates a C file holding docs/openapi.json as a byte array, so that the binary serves the
# document of the repository (run at build time: cmake -DIN=... -DOUT=... -P this file).
include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/hex_bytes.cmake)
sl_hex_bytes(${IN} bytes len 16)
if(len EQUAL 0)
  message(FATAL_ERROR "${IN} is empty")
endif()
file(WRITE ${OUT} "/* Generated from docs/openapi.json by src/server/embed_openapi.cmake: do not edit. */
#include <stddef.h>

const char sl__openapi_json[] = {
${bytes}0};
const size_t sl__openapi_json_len = ${len};
")
