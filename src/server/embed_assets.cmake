# Generates a C file holding every file under web/ (and, when given, Debian's Chart.js) as byte
# arrays in a table path -> (bytes, content type, ETag), so that `sangloc serve` serves its
# pages from the binary (run at build time: cmake -DDIR=web -DOUT=... [-DCHARTJS=file] -P this).
# The ETag is the first 32 hex digits of the file's SHA-256: it changes when the file does.
include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/hex_bytes.cmake)
file(GLOB_RECURSE files RELATIVE ${DIR} ${DIR}/*)
list(SORT files)
set(entries "")
foreach(rel ${files})
  list(APPEND entries "/assets/${rel}=${DIR}/${rel}")
endforeach()
if(CHARTJS)
  list(APPEND entries "/assets/vendor/chart.min.js=${CHARTJS}")
endif()
set(arrays "")
set(table "")
set(k 0)
foreach(e ${entries})
  string(FIND "${e}" "=" eq)
  string(SUBSTRING "${e}" 0 ${eq} path)
  math(EXPR from "${eq} + 1")
  string(SUBSTRING "${e}" ${from} -1 f)
  if(NOT path MATCHES "^/assets/[A-Za-z0-9._/-]+$")
    message(FATAL_ERROR "asset name must be [A-Za-z0-9._-/]: ${path}")
  endif()
  get_filename_component(ext ${f} LAST_EXT)
  if(ext STREQUAL ".css")
    set(type "text/css; charset=utf-8")
  elseif(ext STREQUAL ".js")
    set(type "text/javascript; charset=utf-8")
  elseif(ext STREQUAL ".svg")
    set(type "image/svg+xml")
  elseif(ext STREQUAL ".png")
    set(type "image/png")
  elseif(ext STREQUAL ".json")
    set(type "application/json")
  elseif(ext STREQUAL ".txt")
    set(type "text/plain; charset=utf-8")
  else()
    message(FATAL_ERROR "no content type for ${f} (add its extension to embed_assets.cmake)")
  endif()
  sl_hex_bytes(${f} bytes len 24)
  file(SHA256 ${f} sha)
  string(SUBSTRING "${sha}" 0 32 etag)
  string(APPEND arrays "static const unsigned char a${k}[] = {\n${bytes}0};\n")
  string(APPEND table "    {\"${path}\", a${k}, ${len}, \"${type}\", \"\\\"${etag}\\\"\"},\n")
  math(EXPR k "${k} + 1")
endforeach()
file(WRITE ${OUT}.tmp "/* Generated from web/ by src/server/embed_assets.cmake: do not edit. */
#include \"server/assets.h\"

${arrays}
const sl__asset sl__assets[] = {
${table}    {0, 0, 0, 0, 0}};
const size_t sl__nassets = ${k};
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
