# Generates a C file holding every src/store/migrations/NNNN_name.sql as a byte array, so the
# binary carries its schema (run at build time: cmake -DDIR=... -DOUT=... [-DSYM=...] -P this file).
# SYM names the array (default sl__store_migrations; its count is SYM with "n" before
# "migrations": sl__store_pg_migrations has sl__store_pg_nmigrations).
# A migration's version is its position in file-name order (numbers are reserved per branch, so a
# branch may skip some); two files of one number are refused.
include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/hex_bytes.cmake)
if(NOT SYM)
  set(SYM sl__store_migrations)
endif()
string(REGEX REPLACE "migrations$" "nmigrations" count_sym ${SYM})
file(GLOB files ${DIR}/*.sql)
list(SORT files)
set(arrays "")
set(table "")
set(expect 1)
set(last 0)
foreach(f ${files})
  get_filename_component(name ${f} NAME_WE)
  if(NOT name MATCHES "^([0-9][0-9][0-9][0-9])_[a-z0-9_]+$")
    message(FATAL_ERROR "migration file name must be NNNN_name.sql: ${f}")
  endif()
  math(EXPR number "1${CMAKE_MATCH_1} - 10000")
  if(NOT number GREATER last)
    message(FATAL_ERROR "migration ${name}: number ${number} used twice")
  endif()
  set(last ${number})
  set(version ${expect})
  sl_hex_bytes(${f} bytes len 12)
  string(APPEND arrays "static const unsigned char m${version}[] = {\n${bytes}0};\n")
  string(APPEND table "    {${version}, \"${name}\", (const char *)m${version}, ${len}},\n")
  math(EXPR expect "${expect} + 1")
endforeach()
if(expect EQUAL 1)
  message(FATAL_ERROR "no migrations in ${DIR}")
endif()
math(EXPR count "${expect} - 1")
file(WRITE ${OUT} "/* Generated from ${DIR} by embed_migrations.cmake: do not edit. */
#include \"store/migrations.h\"

${arrays}
const sl_store_migration ${SYM}[] = {
${table}};
const int ${count_sym} = ${count};
")
